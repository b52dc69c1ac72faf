"""Values read from a device's reply, which may hold anything in any field.

A device that reports nonsense in one field still answered: each reader here
returns None for a value it cannot take, and never raises.
"""

from __future__ import annotations

import math
import re

from homeassistant.helpers.device_registry import format_mac

# Home Assistant's form of a MAC address, which format_mac returns for every
# spelling it knows; anything else it hands back unchanged.
MAC_ADDRESS = re.compile(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}")
SWITCH_STATES: dict[object, bool] = {0: False, 1: True, "0": False, "1": True}

# What a real device can report; a value outside is a broken reading.
RSSI_DBM = (-120, 0)
# Plugs count to 3, cameras to 4.
SIGNAL_LEVEL = (0, 4)
BATTERY_PERCENT = (0, 100)


def mac_address(value: object) -> str | None:
    """Return a MAC address in Home Assistant's form, or None if it is not one."""
    if not isinstance(value, str):
        return None
    mac = format_mac(value.strip())
    return mac if MAC_ADDRESS.fullmatch(mac) else None


def name(value: object) -> str | None:
    """Return a name or model as the device wrote it; None unless it is text."""
    return value if isinstance(value, str) and value.strip() else None


def whole_number(value: object) -> int | None:
    """Return a number, or the text of one, rounded; None for anything else."""
    # A bool is an int to Python, but no device means a number by it.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, float) and math.isfinite(value):
        return round(value)
    return None


def reading(value: object, bounds: tuple[int, int]) -> int | None:
    """Return a whole-number reading if a real device could report it."""
    number = whole_number(value)
    lowest, highest = bounds
    return number if number is not None and lowest <= number <= highest else None


def switch_state(value: object) -> bool | None:
    """Return an on/off state written as a bool, 0 or 1, "0" or "1"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | str):
        return SWITCH_STATES.get(value)
    return None
