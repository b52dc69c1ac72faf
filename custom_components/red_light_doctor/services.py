"""Actions: ask for the current findings, or for a fresh look, from automations."""

from __future__ import annotations

import asyncio
from typing import Final

from homeassistant.const import (
    ATTR_AREA_ID,
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    ATTR_FLOOR_ID,
    ATTR_LABEL_ID,
)
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError

from .compat import async_targeted_entry_ids
from .const import DOMAIN
from .coordinator import RedLightDoctorConfigEntry
from .events import describe, device_id_of

SERVICE_DIAGNOSE: Final = "diagnose"
SERVICE_CHECK_NOW: Final = "check_now"
TARGET_KEYS = (
    ATTR_AREA_ID,
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    ATTR_FLOOR_ID,
    ATTR_LABEL_ID,
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_DIAGNOSE,
        _async_diagnose,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(DOMAIN, SERVICE_CHECK_NOW, _async_check_now)


async def _async_diagnose(call: ServiceCall) -> ServiceResponse:
    """Return the current findings of the targeted devices, or of all."""
    hass = call.hass
    return {
        "devices": [
            {
                "device_id": device_id_of(hass, entry),
                "entry_id": entry.entry_id,
                "name": entry.title,
                "online": entry.runtime_data.history.online,
                "findings": [
                    describe(hass, entry, finding)
                    for finding in entry.runtime_data.data.findings
                ],
            }
            for entry in await _async_targeted_entries(call)
        ]
    }


async def _async_check_now(call: ServiceCall) -> None:
    """Poll and diagnose the targeted devices, or all, right away."""
    entries = await _async_targeted_entries(call)
    await asyncio.gather(*(entry.runtime_data.async_refresh() for entry in entries))


async def _async_targeted_entries(
    call: ServiceCall,
) -> list[RedLightDoctorConfigEntry]:
    """Return the loaded entries an action targets; every one when none is named."""
    hass = call.hass
    loaded: list[RedLightDoctorConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    if not _names_a_target(call):
        return loaded
    referenced = await async_targeted_entry_ids(call)
    targeted = [entry for entry in loaded if entry.entry_id in referenced]
    if not targeted:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_watched_device"
        )
    return targeted


def _names_a_target(call: ServiceCall) -> bool:
    return any(call.data.get(key) for key in TARGET_KEYS)
