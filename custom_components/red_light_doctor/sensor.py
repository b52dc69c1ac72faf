"""Sensors: the diagnosis and the evidence behind it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .coordinator import RedLightDoctorConfigEntry, RedLightDoctorCoordinator
from .diagnosis import Cause
from .entity import RedLightDoctorEntity
from .history import DAY
from .observation import Reading

PARALLEL_UPDATES = 0

DIAGNOSIS_OK = "ok"


@dataclass(frozen=True, kw_only=True)
class RedLightDoctorSensorDescription(SensorEntityDescription):
    """Describes a sensor and where its value comes from."""

    # The probe must be able to read this for the entity to exist.
    reading: Reading | None = None
    value_fn: Callable[[RedLightDoctorCoordinator], str | int | float | datetime | None]


def _diagnosis(coordinator: RedLightDoctorCoordinator) -> str:
    findings = coordinator.data.findings
    return findings[0].cause.value if findings else DIAGNOSIS_OK


def _signal(coordinator: RedLightDoctorCoordinator) -> int | None:
    answer = coordinator.history.last_answer
    return answer.rssi if answer else None


def _response_time(coordinator: RedLightDoctorCoordinator) -> float | None:
    seconds = coordinator.data.observation.response_time
    return None if seconds is None else round(seconds * 1000, 1)


SENSORS: tuple[RedLightDoctorSensorDescription, ...] = (
    RedLightDoctorSensorDescription(
        key="diagnosis",
        translation_key="diagnosis",
        device_class=SensorDeviceClass.ENUM,
        options=[DIAGNOSIS_OK, *(cause.value for cause in Cause)],
        value_fn=_diagnosis,
    ),
    RedLightDoctorSensorDescription(
        key="signal_strength",
        reading=Reading.SIGNAL,
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_signal,
    ),
    RedLightDoctorSensorDescription(
        key="last_seen",
        translation_key="last_seen",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda coordinator: coordinator.history.last_seen,
    ),
    RedLightDoctorSensorDescription(
        key="offline_since",
        translation_key="offline_since",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda coordinator: coordinator.history.offline_since,
    ),
    RedLightDoctorSensorDescription(
        key="response_time",
        reading=Reading.RESPONSE_TIME,
        translation_key="response_time",
        entity_registry_enabled_default=False,
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_response_time,
    ),
    RedLightDoctorSensorDescription(
        key="reboots",
        reading=Reading.RESTARTS,
        translation_key="reboots",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda coordinator: coordinator.history.reboots_since(
            dt_util.utcnow() - DAY
        ),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RedLightDoctorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of a watched device."""
    coordinator = entry.runtime_data
    async_add_entities(
        RedLightDoctorSensor(coordinator, description)
        for description in SENSORS
        if description.reading is None or description.reading in coordinator.readings
    )


class RedLightDoctorSensor(RedLightDoctorEntity, SensorEntity):
    """A value that explains the state of a watched device."""

    entity_description: RedLightDoctorSensorDescription

    def __init__(
        self,
        coordinator: RedLightDoctorCoordinator,
        description: RedLightDoctorSensorDescription,
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> str | int | float | datetime | None:
        """Return the value."""
        return self.entity_description.value_fn(self.coordinator)
