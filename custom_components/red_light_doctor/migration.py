"""Keeps entries and the devices they show on in step with the device registry."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .compat import devices_split_from, remove_entry_from_device
from .const import CONF_DEVICE_ID, CONF_SOURCE_KIND, LOGGER, SOURCE_HA_DEVICE
from .coordinator import RedLightDoctorConfigEntry
from .probe.entities import owned_by_others


@callback
def async_follow_split_device(
    hass: HomeAssistant, entry: RedLightDoctorConfigEntry
) -> None:
    """Point a watched-device entry at the device that replaced the one it named.

    Home Assistant 2026.8 gave each config entry that shared a device a copy
    of it with a new id, and our entities used to share the device they
    watch; the one to watch is the copy its own integration holds. Checked at
    every setup, as the registry may split devices long after this entry was
    created or last migrated.
    """
    if entry.data.get(CONF_SOURCE_KIND) != SOURCE_HA_DEVICE:
        return
    watched = next(
        (
            split
            for split in devices_split_from(hass, entry.data[CONF_DEVICE_ID])
            if owned_by_others(hass, split)
        ),
        None,
    )
    if watched is None:
        return
    _async_watch_instead(hass, entry, watched)  # pragma: since 2026.8


@callback
def _async_watch_instead(  # pragma: since 2026.8
    hass: HomeAssistant, entry: RedLightDoctorConfigEntry, device: dr.DeviceEntry
) -> None:
    LOGGER.info("%s: following its device to the id it has now", entry.title)
    hass.config_entries.async_update_entry(
        entry, unique_id=device.id, data={**entry.data, CONF_DEVICE_ID: device.id}
    )


@callback
def async_remove_empty_devices(
    hass: HomeAssistant, entry: RedLightDoctorConfigEntry
) -> None:
    """Remove the devices of an entry that no entity of any integration is on.

    Our entities join the page of the device they watch; what the registry
    kept for our entry alone (a copy from 2026.8's split, a page from before
    the core TP-Link integration showed the plug) would be an empty page.
    """
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    for device in dr.async_entries_for_config_entry(devices, entry.entry_id):
        if not er.async_entries_for_device(
            entities, device.id, include_disabled_entities=True
        ):
            # Only a registry that splits shared devices leaves such a page.
            remove_entry_from_device(  # pragma: since 2026.8
                hass, device.id, entry.entry_id
            )
