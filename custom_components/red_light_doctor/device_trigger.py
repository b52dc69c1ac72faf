"""Device triggers: a watched device's problems, for the automation editor."""

from __future__ import annotations

from typing import Any

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    ATTR_DEVICE_ID,
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType

from .compat import vol
from .const import DOMAIN
from .diagnosis import Cause
from .event import CAME_ONLINE, PROBLEM_CLEARED, PROBLEM_DETECTED, WENT_OFFLINE
from .events import ATTR_STATE, EVENT_FINDING, FindingState

CONF_CAUSE = "cause"
# Each trigger is a filter on the finding events this device fires.
TRIGGERS: dict[str, dict[str, str]] = {
    PROBLEM_DETECTED: {ATTR_STATE: FindingState.DETECTED},
    PROBLEM_CLEARED: {ATTR_STATE: FindingState.CLEARED},
    WENT_OFFLINE: {ATTR_STATE: FindingState.DETECTED, CONF_CAUSE: Cause.OFFLINE},
    CAME_ONLINE: {ATTR_STATE: FindingState.CLEARED, CONF_CAUSE: Cause.OFFLINE},
}
TRIGGERS_WITH_CAUSE = (PROBLEM_DETECTED, PROBLEM_CLEARED)
CAUSE_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=[cause.value for cause in Cause],
        translation_key="cause",
        mode=SelectSelectorMode.DROPDOWN,
    )
)

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_TYPE): vol.In(TRIGGERS),
        vol.Optional(CONF_CAUSE): vol.In([cause.value for cause in Cause]),
    }
)


async def async_get_triggers(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, Any]]:
    """Return the triggers of a device that our entities watch.

    The device may be another integration's (Blink, core TP-Link): ours are
    the entities on its page, not the device itself.
    """
    if not any(
        entity.platform == DOMAIN
        for entity in er.async_entries_for_device(er.async_get(hass), device_id)
    ):
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: trigger_type,
        }
        for trigger_type in TRIGGERS
    ]


async def async_get_trigger_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """Let problem triggers narrow down to one cause."""
    if config[CONF_TYPE] not in TRIGGERS_WITH_CAUSE:
        return {}
    return {"extra_fields": vol.Schema({vol.Optional(CONF_CAUSE): CAUSE_SELECTOR})}


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the finding events that match the trigger."""
    event_data = {ATTR_DEVICE_ID: config[CONF_DEVICE_ID], **TRIGGERS[config[CONF_TYPE]]}
    if CONF_CAUSE in config:
        event_data[CONF_CAUSE] = config[CONF_CAUSE]
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: EVENT_FINDING,
            CONF_EVENT_DATA: event_data,
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
