"""The "Check now" button: poll and diagnose at once."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import RedLightDoctorConfigEntry, RedLightDoctorCoordinator
from .entity import RedLightDoctorEntity

PARALLEL_UPDATES = 1

CHECK_NOW = ButtonEntityDescription(
    key="check_now",
    translation_key="check_now",
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RedLightDoctorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the button of a watched device."""
    async_add_entities([CheckNowButton(entry.runtime_data)])


class CheckNowButton(RedLightDoctorEntity, ButtonEntity):
    """Polls the device now instead of waiting for the next poll or backoff."""

    entity_description = CHECK_NOW

    def __init__(self, coordinator: RedLightDoctorCoordinator) -> None:
        """Describe the button."""
        super().__init__(coordinator, CHECK_NOW.key)

    async def async_press(self) -> None:
        """Poll the device and diagnose again."""
        await self.coordinator.async_refresh()
