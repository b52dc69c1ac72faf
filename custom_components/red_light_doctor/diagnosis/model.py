"""The vocabulary of a diagnosis: causes, findings and what they are judged by."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Family(StrEnum):
    """A kind of device whose red light has its own causes and steps."""

    PLUG = "plug"
    TAPO_CAMERA = "tapo_camera"
    KASA_CAMERA = "kasa_camera"
    BLINK_CAMERA = "blink_camera"
    # Any other device, read through the entities its own integration made.
    OTHER = "other"


class Cause(StrEnum):
    """What is wrong, in the order a card list should show them."""

    OFFLINE = "offline"
    LOGIN_REFUSED = "login_refused"
    LOGIN_PROTOCOL_CHANGED = "login_protocol_changed"
    OVERHEATED = "overheated"
    UNSTABLE_POWER = "unstable_power"
    WEAK_WIFI = "weak_wifi"
    BATTERY_LOW = "battery_low"
    INTERMITTENT = "intermittent"
    NO_CLOUD = "no_cloud"
    FIRMWARE_UPDATE = "firmware_update"
    MOVING_ADDRESS = "moving_address"
    WATCHED_DEVICE_REMOVED = "watched_device_removed"


class Severity(StrEnum):
    """How urgent a finding is; matches Home Assistant's issue severities."""

    ERROR = "error"
    WARNING = "warning"


class Explanation(StrEnum):
    """The most likely reason an offline device went quiet."""

    NETWORK_OUTAGE = "network_outage"
    POWER_SWITCH_OFF = "power_switch_off"
    REFUSED = "refused"
    WEAK_SIGNAL = "weak_signal"
    UNSTABLE_POWER = "unstable_power"
    POWERED = "powered"
    HUB_OFFLINE = "hub_offline"
    UNKNOWN = "unknown"


class Step(StrEnum):
    """One thing a person can try; the text lives in the translations."""

    CHECK_POWER = "check_power"
    TURN_ON_POWER_SWITCH = "turn_on_power_switch"
    POWER_REACHES_IT = "power_reaches_it"
    PLUG_INTO_WALL = "plug_into_wall"
    RESTART_ROUTER_THEN_DEVICE = "restart_router_then_device"
    RESTART_DEVICE = "restart_device"
    MOVE_CLOSER = "move_closer"
    AVOID_INTERFERENCE = "avoid_interference"
    CHANGE_WIFI_CHANNEL = "change_wifi_channel"
    REJOIN_WIFI = "rejoin_wifi"
    CHECK_ADDRESS = "check_address"
    CHECK_FIREWALL = "check_firewall"
    CHECK_ROUTER = "check_router"
    CHECK_HOME_ASSISTANT_NETWORK = "check_home_assistant_network"
    CHECK_INTERNET = "check_internet"
    CHECK_CLOUD_BLOCKING = "check_cloud_blocking"
    RELINK_CLOUD = "relink_cloud"
    UPDATE_FIRMWARE = "update_firmware"
    RESERVE_ADDRESS = "reserve_address"
    FACTORY_RESET = "factory_reset"
    CONTACT_VENDOR = "contact_vendor"
    ENTER_NEW_PASSWORD = "enter_new_password"
    CHECK_EMAIL_SPELLING = "check_email_spelling"
    CHECK_TWO_FACTOR = "check_two_factor"
    ENABLE_THIRD_PARTY_COMPATIBILITY = "enable_third_party_compatibility"
    NOTE_FIRMWARE_VERSION = "note_firmware_version"
    UPDATE_RED_LIGHT_DOCTOR = "update_red_light_doctor"
    COOL_DOWN = "cool_down"
    REDUCE_LOAD = "reduce_load"
    CAMERA_POWER = "camera_power"
    CAMERA_2_4_GHZ = "camera_2_4_ghz"
    RESTART_ROUTER_THEN_CAMERA = "restart_router_then_camera"
    READD_CAMERA = "readd_camera"
    CHARGE_BATTERY = "charge_battery"
    MOVE_CAMERA_CLOSER = "move_camera_closer"
    READ_KASA_SPOT_LIGHT = "read_kasa_spot_light"
    KASA_SPOT_2_4_GHZ = "kasa_spot_2_4_ghz"
    RESTART_ROUTER_AFTER_POWER_CUT = "restart_router_after_power_cut"
    RESTART_CAMERA = "restart_camera"
    RESET_KASA_SPOT = "reset_kasa_spot"
    CHECK_DEVICE_POWER = "check_device_power"
    BLINK_RED_FLASH_ON_MOTION = "blink_red_flash_on_motion"
    BLINK_REPLACE_BATTERIES = "blink_replace_batteries"
    BLINK_MOVE_CLOSER_TO_SYNC_MODULE = "blink_move_closer_to_sync_module"
    BLINK_CAMERA_POWER = "blink_camera_power"
    BLINK_SYNC_MODULE_POWER = "blink_sync_module_power"
    BLINK_SYNC_MODULE_NETWORK = "blink_sync_module_network"
    BLINK_REJOIN_WIFI = "blink_rejoin_wifi"
    REMOVE_ENTRY = "remove_entry"
    CHECK_HUB = "check_hub"


class Fix(StrEnum):
    """Something Red Light Doctor can do itself, offered on the card."""

    FIND_DEVICE = "find_device"
    NEW_CREDENTIALS = "new_credentials"
    INSTALL_FIRMWARE = "install_firmware"
    RESTART = "restart"
    TURN_ON_POWER_SWITCH = "turn_on_power_switch"
    REMOVE_ENTRY = "remove_entry"


@dataclass(frozen=True, slots=True)
class Settings:
    """The user's thresholds, from the entry's options."""

    grace_period: timedelta = timedelta(minutes=3)
    weak_signal_dbm: int = -70
    low_battery_percent: int = 20


@dataclass(frozen=True, slots=True)
class FleetSnapshot:
    """What the other watched devices are doing right now."""

    watched: int = 1
    offline_since: tuple[datetime, ...] = ()

    def dropped_together_with(self, moment: datetime, window: timedelta) -> int:
        """Return how many watched devices went silent close to a moment."""
        return sum(1 for since in self.offline_since if abs(since - moment) <= window)


@dataclass(frozen=True, slots=True)
class Finding:
    """A cause the evidence points to, with what to tell and offer the user."""

    cause: Cause
    severity: Severity
    family: Family
    # Names the wording: the cause, or the cause and its explanation.
    key: str
    evidence: Mapping[str, str] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    fixes: tuple[Fix, ...] = ()
    since: datetime | None = None
