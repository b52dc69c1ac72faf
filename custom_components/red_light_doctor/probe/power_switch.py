"""Reads the state of the smart plug that feeds a watched device."""

from __future__ import annotations

from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant, callback


@callback
def read_power_switch(hass: HomeAssistant, entity_id: str | None) -> bool | None:
    """Return whether the feeding switch is on; None when unknown or not named."""
    if entity_id is None or (state := hass.states.get(entity_id)) is None:
        return None
    return {STATE_ON: True, STATE_OFF: False}.get(state.state)
