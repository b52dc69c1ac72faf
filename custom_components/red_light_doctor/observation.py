"""What one poll of a device saw: the only shape in which device data travels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Failure(StrEnum):
    """Why a device did not answer; a device problem is data, not an exception."""

    TIMEOUT = "timeout"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    AUTH = "auth"
    # The device turned the login handshake away, as after a firmware update
    # that changes the login protocol.
    HANDSHAKE_REJECTED = "handshake_rejected"
    PROTOCOL = "protocol"
    # The integration that owns the device shows all its entities unavailable.
    UNAVAILABLE = "unavailable"
    # The device another integration owned is no longer in Home Assistant.
    REMOVED = "removed"


class Reading(StrEnum):
    """A kind of value a probe can read, beyond whether the device answers."""

    SIGNAL = "signal"
    POWER = "power"
    RESTARTS = "restarts"
    RESPONSE_TIME = "response_time"


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    """One poll. A field is None where the source cannot know it."""

    at: datetime
    reachable: bool
    failure: Failure | None = None
    address: str | None = None
    response_time: float | None = None
    rssi: int | None = None
    # A 0-3 signal level, for devices that report no RSSI.
    signal_level: int | None = None
    battery_percent: int | None = None
    battery_low: bool | None = None
    relay_on: bool | None = None
    # Seconds the relay has been on; Kasa plugs restart it when they boot.
    relay_on_time: int | None = None
    # Seconds since boot, for sources that report it.
    uptime: int | None = None
    cloud_connected: bool | None = None
    overheated: bool | None = None
    # From the occasional firmware check, carried on between checks.
    firmware: str | None = None
    latest_firmware: str | None = None
    update_available: bool | None = None
    # Whether the smart plug that feeds the device is on, where one is named.
    power_switch_on: bool | None = None
    # For a device that reaches the network through a hub (a Blink sync
    # module): the hub's name, and whether the hub itself is online.
    hub: str | None = None
    hub_online: bool | None = None

    @classmethod
    def failed(cls, at: datetime, failure: Failure, address: str) -> Observation:
        """Return the observation of a poll that got no usable answer."""
        return cls(at=at, reachable=False, failure=failure, address=address)
