"""The Home Assistant APIs that changed between 2025.4, our oldest, and today.

One function per changed API, each naming the release that changed it, so
that the rest of the integration reads the same on every supported release
and this file shrinks as the oldest supported release moves on.
"""

from __future__ import annotations

from typing import Any

from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device import async_device_info_to_link_from_device_id
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.service import async_extract_config_entry_ids

# Each name below is imported from where the running release keeps it; the
# ignores let mypy check against either release's types.
try:  # 2026.10: probatio validates, and stands in for voluptuous at run time
    import probatio as vol  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - before 2026.10
    import voluptuous as vol  # type: ignore[no-redef,unused-ignore]
try:  # 2026.x: the binary sensor's device classes moved to its constants
    from homeassistant.components.binary_sensor.const import (  # type: ignore[import-not-found,unused-ignore]
        BinarySensorDeviceClass,
    )
except ImportError:  # pragma: no cover - 2025.4
    from homeassistant.components.binary_sensor import (  # type: ignore[no-redef,attr-defined,unused-ignore]
        BinarySensorDeviceClass,
    )
try:  # 2026.x: fix flows return results of their own type
    from homeassistant.components.repairs import (  # type: ignore[attr-defined,unused-ignore]
        RepairsFlowResult as FixFlowResult,
    )
except ImportError:  # pragma: no cover - 2025.4
    from homeassistant.data_entry_flow import (  # type: ignore[assignment,unused-ignore]
        FlowResult as FixFlowResult,
    )

__all__ = ["BinarySensorDeviceClass", "FixFlowResult", "vol"]

RUNNING = AwesomeVersion(HA_VERSION)
# 2025.10 deprecated the hass argument of the service helpers; 2026.10 removed it.
SERVICE_HELPERS_WITHOUT_HASS = AwesomeVersion("2025.10.0")
# 2026.8: a device belongs to a single config entry.
SINGLE_ENTRY_DEVICES = AwesomeVersion("2026.8.0")
# 2026.9: a device may be a child: a logical part of a parent device.
CHILD_DEVICES = AwesomeVersion("2026.9.0")
# 2026.11: a repair issue can name its config entry, and goes with it.
ISSUES_WITH_CONFIG_ENTRY = AwesomeVersion("2026.11.0")


def _since(release: AwesomeVersion) -> bool:
    return release <= RUNNING


def owning_entry_ids(device: dr.DeviceEntry) -> set[str]:
    """Return the config entries a device belongs to (one since 2026.8)."""
    if _since(SINGLE_ENTRY_DEVICES):  # pragma: since 2026.8
        single: Any = device  # 2025.4's types lack the attribute
        return {single.config_entry_id}
    return set(device.config_entries)  # pragma: before 2026.8


def devices_with_connection(
    hass: HomeAssistant, connection: tuple[str, str]
) -> list[dr.DeviceEntry]:
    """Return every device with a connection (one per config entry since 2026.8)."""
    registry: Any = dr.async_get(hass)  # either release's API, typed by neither
    if _since(SINGLE_ENTRY_DEVICES):  # pragma: since 2026.8
        found: list[dr.DeviceEntry] = registry.async_get_devices(
            connections={connection}
        )
        return found
    device: dr.DeviceEntry | None = registry.async_get_device(  # pragma: before 2026.8
        connections={connection}
    )
    return [] if device is None else [device]  # pragma: before 2026.8


def link_to_device(entity: Entity, hass: HomeAssistant, device_id: str) -> None:
    """Put an entity on another integration's device page.

    Since 2026.8 the entity names the device itself; before, a device info
    that carries the device's identifiers added our entry to that device.
    """
    if _since(SINGLE_ENTRY_DEVICES):  # pragma: since 2026.8
        entity.device_entry = dr.async_get(hass).async_get(device_id)
        return
    entity._attr_device_info = (  # pragma: before 2026.8
        async_device_info_to_link_from_device_id(hass, device_id)
    )


def parent_device_id(device: dr.DeviceEntry) -> str | None:
    """Return the device that a device is part of or reaches the network through.

    Since 2026.9 a child device (a hub's sensor, a strip's outlet) names its
    parent; other devices still name the hub they connect through.
    """
    parent: str | None = getattr(device, "parent_device_id", None)
    return parent if parent is not None else device.via_device_id


def maker_and_model(hass: HomeAssistant, device: dr.DeviceEntry) -> tuple[str, str]:
    """Return a device's maker and model; a child device's are its parent's (2026.9)."""
    parent_id = getattr(device, "parent_device_id", None)
    if parent_id is None:
        return device.manufacturer or "", device.model or ""
    return _maker_and_model_of_parent(hass, parent_id)  # pragma: since 2026.9


def _maker_and_model_of_parent(  # pragma: since 2026.9
    hass: HomeAssistant, parent_id: str
) -> tuple[str, str]:
    parent: Any = dr.async_get(hass).async_get(parent_id)
    if parent is None or getattr(parent, "parent_device_id", None) is not None:
        return "", ""
    return parent.manufacturer or "", parent.model or ""


async def async_targeted_entry_ids(call: ServiceCall) -> set[str]:
    """Return the config entries an action's target names (no hass since 2025.10)."""
    extract: Any = async_extract_config_entry_ids
    if _since(SERVICE_HELPERS_WITHOUT_HASS):  # pragma: since 2025.10
        found: set[str] = await extract(call)
        return found
    found = await extract(call.hass, call)  # pragma: before 2025.10
    return found  # pragma: before 2025.10


@callback
def issue_owner(entry_id: str) -> dict[str, Any]:
    """Return how an issue names its config entry, where the release allows it."""
    # Newer than the newest test harness: seen in the real-process test.
    if _since(ISSUES_WITH_CONFIG_ENTRY):  # pragma: no cover
        return {"config_entry_id": entry_id}
    return {}


def devices_split_from(hass: HomeAssistant, device_id: str) -> list[dr.DeviceEntry]:
    """Return the devices that replaced a device several entries shared (2026.8).

    Empty while the device still exists, and on releases that share devices.
    """
    if not _since(SINGLE_ENTRY_DEVICES):  # pragma: before 2026.8
        return []
    registry: Any = dr.async_get(hass)  # pragma: since 2026.8
    if registry.async_get(  # pragma: since 2026.8
        device_id, include_composite_devices=False
    ):
        return []
    splits: list[dr.DeviceEntry] = (  # pragma: since 2026.8
        registry.async_get_devices_for_composite_device_id(device_id)
    )
    return splits  # pragma: since 2026.8


def remove_entry_from_device(
    hass: HomeAssistant, device_id: str, entry_id: str
) -> None:
    """Take a config entry off a device (since 2026.8: remove its own device)."""
    registry = dr.async_get(hass)
    if _since(SINGLE_ENTRY_DEVICES):  # pragma: since 2026.8
        registry.async_remove_device(device_id)
        return
    registry.async_update_device(  # pragma: before 2026.8
        device_id, remove_config_entry_id=entry_id
    )


def device_by_id(hass: HomeAssistant, device_id: str) -> dr.DeviceEntry | None:
    """Return a device by id, a child device (2026.9) included.

    Typed as a main device: what differs for a child (its parent, maker and
    model) is read through the functions above.
    """
    found: Any = dr.async_get(hass).async_get(device_id)
    device: dr.DeviceEntry | None = found
    return device
