"""Binary sensors: is the device answering, is anything wrong, is it switched on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .compat import BinarySensorDeviceClass
from .coordinator import RedLightDoctorConfigEntry, RedLightDoctorCoordinator
from .entity import RedLightDoctorEntity
from .observation import Reading

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class RedLightDoctorBinarySensorDescription(BinarySensorEntityDescription):
    """Describes a binary sensor and where its value comes from."""

    # The probe must be able to read this for the entity to exist.
    reading: Reading | None = None
    value_fn: Callable[[RedLightDoctorCoordinator], bool | None]


BINARY_SENSORS: tuple[RedLightDoctorBinarySensorDescription, ...] = (
    RedLightDoctorBinarySensorDescription(
        key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda coordinator: coordinator.history.online,
    ),
    RedLightDoctorBinarySensorDescription(
        key="problem",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda coordinator: bool(coordinator.data.findings),
    ),
    RedLightDoctorBinarySensorDescription(
        key="power",
        reading=Reading.POWER,
        translation_key="power",
        device_class=BinarySensorDeviceClass.POWER,
        value_fn=lambda coordinator: (
            coordinator.history.last_answer.relay_on
            if coordinator.history.last_answer
            else None
        ),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RedLightDoctorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors of a watched device."""
    coordinator = entry.runtime_data
    async_add_entities(
        RedLightDoctorBinarySensor(coordinator, description)
        for description in BINARY_SENSORS
        if description.reading is None or description.reading in coordinator.readings
    )


class RedLightDoctorBinarySensor(RedLightDoctorEntity, BinarySensorEntity):
    """A yes/no fact about a watched device."""

    entity_description: RedLightDoctorBinarySensorDescription

    def __init__(
        self,
        coordinator: RedLightDoctorCoordinator,
        description: RedLightDoctorBinarySensorDescription,
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def is_on(self) -> bool | None:
        """Return the value."""
        return self.entity_description.value_fn(self.coordinator)
