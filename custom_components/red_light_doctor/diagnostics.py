"""Diagnostics download: what we saw and concluded, with identifying data removed."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_MAC, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .coordinator import RedLightDoctorConfigEntry

TO_REDACT = {
    CONF_HOST,
    CONF_MAC,
    CONF_PASSWORD,
    CONF_USERNAME,
    "address",
    "alias",
    "credentials",
    "credentials_hash",
    # The name of the hub (a Blink sync module) a device waits on.
    "hub",
    "title",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: RedLightDoctorConfigEntry
) -> dict[str, Any]:
    """Return the entry's settings, history and findings.

    A disabled or unloaded entry has nothing but its settings to tell.
    """
    settings: dict[str, Any] = {
        "entry": {
            "title": entry.title,
            "data": dict(entry.data),
            "options": dict(entry.options),
            "state": entry.state.value,
        }
    }
    if entry.state is not ConfigEntryState.LOADED:
        return async_redact_data(settings, TO_REDACT)
    coordinator = entry.runtime_data
    status = coordinator.data
    return async_redact_data(
        {
            **settings,
            "family": coordinator.family,
            "last_observation": {
                **asdict(status.observation),
                "at": status.observation.at.isoformat(),
            },
            "history": coordinator.history.as_dict(),
            "findings": [
                {
                    "cause": finding.cause,
                    "severity": finding.severity,
                    "key": finding.key,
                    "evidence": dict(finding.evidence),
                    "steps": list(finding.steps),
                    "since": finding.since.isoformat() if finding.since else None,
                }
                for finding in status.findings
            ],
        },
        TO_REDACT,
    )


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: RedLightDoctorConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Return the same as the entry: one entry watches one device."""
    return await async_get_config_entry_diagnostics(hass, entry)
