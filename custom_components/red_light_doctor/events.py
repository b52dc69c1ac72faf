"""Presents changes in findings as events on Home Assistant's bus, for automations."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .const import CONF_DEVICE_ID
from .coordinator import DeviceStatus, RedLightDoctorConfigEntry
from .diagnosis import Finding
from .texts import step_texts, summary

EVENT_FINDING: Final = "red_light_doctor_finding"
ATTR_ENTRY_ID: Final = "entry_id"
ATTR_STATE: Final = "state"


class FindingState(StrEnum):
    """Whether a finding opened or closed."""

    DETECTED = "detected"
    CLEARED = "cleared"


@callback
def device_id_of(hass: HomeAssistant, entry: RedLightDoctorConfigEntry) -> str | None:
    """Return the id of the device page our entities sit on.

    Asked of our own entities, which know it on every Home Assistant release,
    whether the page is ours, the core TP-Link integration's or another's.
    """
    if CONF_DEVICE_ID in entry.data:
        device_id: str = entry.data[CONF_DEVICE_ID]
        return device_id
    return next(
        (
            entity.device_id
            for entity in er.async_entries_for_config_entry(
                er.async_get(hass), entry.entry_id
            )
            if entity.device_id is not None
        ),
        None,
    )


@callback
def describe(
    hass: HomeAssistant, entry: RedLightDoctorConfigEntry, finding: Finding
) -> dict[str, Any]:
    """Return a finding as plain data: what events and actions hand out."""
    return {
        "cause": finding.cause.value,
        "severity": finding.severity.value,
        "summary": summary(hass, finding, entry),
        "steps": step_texts(hass, finding.steps, entry),
        "evidence": dict(finding.evidence),
        "since": finding.since.isoformat() if finding.since else None,
    }


@callback
def async_fire_finding_events(
    hass: HomeAssistant, entry: RedLightDoctorConfigEntry, status: DeviceStatus
) -> None:
    """Fire one event per finding that closed, then per finding that opened."""
    device_id = device_id_of(hass, entry)
    for state, findings in (
        (FindingState.CLEARED, status.closed),
        (FindingState.DETECTED, status.opened),
    ):
        for finding in findings:
            hass.bus.async_fire(
                EVENT_FINDING,
                {
                    ATTR_DEVICE_ID: device_id,
                    ATTR_ENTRY_ID: entry.entry_id,
                    ATTR_STATE: state.value,
                    **describe(hass, entry, finding),
                },
            )
