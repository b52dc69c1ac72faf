"""Base entity: sits on the page of the device it watches."""

from __future__ import annotations

from homeassistant.const import CONF_MAC
from homeassistant.helpers.device_registry import (
    CONNECTION_NETWORK_MAC,
    DeviceInfo,
    format_mac,
)
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .compat import link_to_device
from .const import CONF_DEVICE_ID, CONF_MODEL
from .coordinator import RedLightDoctorCoordinator
from .probe.entities import tplink_device_with_mac


class RedLightDoctorEntity(CoordinatorEntity[RedLightDoctorCoordinator]):
    """An entity of ours on the watched device's page.

    It stays available while the device is dark: offline is a value we
    report, not a failure of ours.
    """

    _attr_has_entity_name = True

    def __init__(self, coordinator: RedLightDoctorCoordinator, key: str) -> None:
        """Attach the entity to the watched device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        hass = coordinator.hass
        if CONF_DEVICE_ID in entry.data:
            # Another integration's device: our entities join its page.
            self._attr_unique_id = f"{entry.unique_id}_{key}"
            link_to_device(self, hass, entry.data[CONF_DEVICE_ID])
            return
        mac = format_mac(entry.data[CONF_MAC])
        self._attr_unique_id = f"{mac}_{key}"
        if (shared := tplink_device_with_mac(hass, mac)) is not None:
            # The core TP-Link integration shows the same plug: one page for both.
            link_to_device(self, hass, shared.id)
            return
        self._attr_device_info = DeviceInfo(
            connections={(CONNECTION_NETWORK_MAC, mac)},
            manufacturer="TP-Link",
            model=entry.data.get(CONF_MODEL),
            name=entry.title,
        )
