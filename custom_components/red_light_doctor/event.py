"""Event entity: a device's findings opening and closing, as they happen."""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import RedLightDoctorConfigEntry, RedLightDoctorCoordinator
from .diagnosis import Cause, Finding
from .entity import RedLightDoctorEntity
from .events import describe

PARALLEL_UPDATES = 0

PROBLEM_DETECTED = "problem_detected"
PROBLEM_CLEARED = "problem_cleared"
WENT_OFFLINE = "went_offline"
CAME_ONLINE = "came_online"

FINDINGS = EventEntityDescription(
    key="findings",
    translation_key="findings",
    event_types=[PROBLEM_DETECTED, PROBLEM_CLEARED, WENT_OFFLINE, CAME_ONLINE],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RedLightDoctorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entity of a watched device."""
    async_add_entities([FindingsEvent(entry.runtime_data)])


class FindingsEvent(RedLightDoctorEntity, EventEntity):
    """Fires when a finding opens or closes; offline also as its own event."""

    entity_description = FINDINGS

    def __init__(self, coordinator: RedLightDoctorCoordinator) -> None:
        """Describe the entity."""
        super().__init__(coordinator, FINDINGS.key)

    @callback
    def _handle_coordinator_update(self) -> None:
        status = self.coordinator.data
        for finding in status.closed:
            self._fire(PROBLEM_CLEARED, finding)
            if finding.cause is Cause.OFFLINE:
                self._fire(CAME_ONLINE, finding)
        for finding in status.opened:
            if finding.cause is Cause.OFFLINE:
                self._fire(WENT_OFFLINE, finding)
            self._fire(PROBLEM_DETECTED, finding)

    def _fire(self, event_type: str, finding: Finding) -> None:
        attributes = describe(self.hass, self.coordinator.config_entry, finding)
        steps = attributes.pop("steps")
        attributes["first_step"] = steps[0] if steps else None
        self._trigger_event(event_type, attributes)
        self.async_write_ha_state()
