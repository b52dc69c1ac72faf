"""Red Light Doctor: works out why a device went dark and what to do about it."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .const import CONF_SOURCE_KIND, DOMAIN, SOURCE_HA_DEVICE
from .coordinator import (
    KasaCoordinator,
    RedLightDoctorConfigEntry,
    RedLightDoctorCoordinator,
    WatchedDeviceCoordinator,
)
from .events import async_fire_finding_events
from .issues import IssuePresenter, async_delete_issues
from .migration import async_follow_split_device, async_remove_empty_devices
from .reauth import async_follow_login
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
PLATFORMS = [Platform.BINARY_SENSOR, Platform.BUTTON, Platform.EVENT, Platform.SENSOR]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, which work across every watched device."""
    async_setup_services(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: RedLightDoctorConfigEntry
) -> bool:
    """Start watching a device.

    A device that does not answer is what we are here to report, so setup
    never waits for it and never asks Home Assistant to retry.
    """
    async_follow_split_device(hass, entry)
    coordinator: RedLightDoctorCoordinator
    if entry.data.get(CONF_SOURCE_KIND) == SOURCE_HA_DEVICE:
        watched = WatchedDeviceCoordinator(hass, entry)
        entry.async_on_unload(watched.async_start())
        coordinator = watched
    else:
        coordinator = KasaCoordinator(hass, entry)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator
    entry.async_on_unload(coordinator.async_close)

    presenter = IssuePresenter(hass, entry)
    await presenter.async_start()
    entry.async_on_unload(presenter.async_clear)
    entry.async_on_unload(
        coordinator.async_add_listener(
            lambda: async_fire_finding_events(hass, entry, coordinator.data)
        )
    )
    entry.async_on_unload(
        coordinator.async_add_listener(
            lambda: async_follow_login(hass, entry, coordinator.data)
        )
    )
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    async_remove_empty_devices(hass, entry)
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: RedLightDoctorConfigEntry
) -> bool:
    """Stop watching a device."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def _async_entry_updated(
    hass: HomeAssistant, entry: RedLightDoctorConfigEntry
) -> None:
    """Apply new options at once; reload when a flow changed how to reach the device.

    The coordinator writes some data itself (a device's new address, a login
    mended from a card) and already uses it: that needs no reload.
    """
    coordinator = entry.runtime_data
    if coordinator.follows(entry.data):
        coordinator.apply_options()
    else:
        hass.config_entries.async_schedule_reload(entry.entry_id)


async def async_remove_entry(
    hass: HomeAssistant, entry: RedLightDoctorConfigEntry
) -> None:
    """Forget the cards of a device that is no longer watched."""
    async_delete_issues(hass, entry.entry_id)
