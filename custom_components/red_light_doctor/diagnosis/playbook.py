"""What to try, and what we can do, for each finding per device family.

The wording of each step is in the translations; this table only decides
which steps apply, in which order (cheapest first), and which fixes a card
offers besides checking again.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Family, Fix, Step

S = Step


@dataclass(frozen=True, slots=True)
class Play:
    """The steps for a person, and the fixes Red Light Doctor can apply itself."""

    steps: tuple[Step, ...]
    fixes: tuple[Fix, ...] = ()


PLAYBOOK: dict[tuple[Family, str], Play] = {
    (Family.PLUG, "offline"): Play(
        (
            S.CHECK_POWER,
            S.PLUG_INTO_WALL,
            S.RESTART_ROUTER_THEN_DEVICE,
            S.REJOIN_WIFI,
            S.FACTORY_RESET,
            S.CONTACT_VENDOR,
        ),
        (Fix.FIND_DEVICE,),
    ),
    (Family.PLUG, "offline_weak_signal"): Play(
        (
            S.MOVE_CLOSER,
            S.AVOID_INTERFERENCE,
            S.RESTART_ROUTER_THEN_DEVICE,
            S.CHANGE_WIFI_CHANNEL,
            S.REJOIN_WIFI,
        ),
        (Fix.FIND_DEVICE,),
    ),
    (Family.PLUG, "offline_unstable_power"): Play(
        (S.CHECK_POWER, S.PLUG_INTO_WALL, S.RESTART_DEVICE, S.CONTACT_VENDOR),
        (Fix.FIND_DEVICE,),
    ),
    (Family.PLUG, "offline_refused"): Play(
        (S.CHECK_ADDRESS, S.RESTART_DEVICE, S.CHECK_FIREWALL, S.RESERVE_ADDRESS),
        (Fix.FIND_DEVICE,),
    ),
    (Family.PLUG, "offline_network_outage"): Play(
        (
            S.CHECK_ROUTER,
            S.CHECK_HOME_ASSISTANT_NETWORK,
            S.RESTART_ROUTER_THEN_DEVICE,
        ),
    ),
    (Family.PLUG, "offline_power_switch_off"): Play(
        (S.TURN_ON_POWER_SWITCH, S.CHECK_POWER),
        (Fix.TURN_ON_POWER_SWITCH,),
    ),
    (Family.PLUG, "offline_powered"): Play(
        (
            S.POWER_REACHES_IT,
            S.RESTART_ROUTER_THEN_DEVICE,
            S.REJOIN_WIFI,
            S.FACTORY_RESET,
            S.CONTACT_VENDOR,
        ),
        (Fix.FIND_DEVICE,),
    ),
    (Family.PLUG, "weak_wifi"): Play(
        (S.MOVE_CLOSER, S.AVOID_INTERFERENCE, S.CHANGE_WIFI_CHANNEL),
    ),
    (Family.PLUG, "unstable_power"): Play(
        (S.CHECK_POWER, S.PLUG_INTO_WALL, S.UPDATE_FIRMWARE, S.CONTACT_VENDOR),
    ),
    (Family.PLUG, "intermittent"): Play(
        (
            S.MOVE_CLOSER,
            S.RESTART_ROUTER_THEN_DEVICE,
            S.RESERVE_ADDRESS,
            S.UPDATE_FIRMWARE,
        ),
        (Fix.RESTART,),
    ),
    (Family.PLUG, "no_cloud"): Play(
        (
            S.CHECK_INTERNET,
            S.CHECK_CLOUD_BLOCKING,
            S.RESTART_ROUTER_THEN_DEVICE,
            S.RELINK_CLOUD,
        ),
        (Fix.RESTART,),
    ),
    (Family.PLUG, "moving_address"): Play((S.RESERVE_ADDRESS,)),
    (Family.PLUG, "firmware_update"): Play(
        (S.UPDATE_FIRMWARE,), (Fix.INSTALL_FIRMWARE,)
    ),
    (Family.PLUG, "login_refused"): Play(
        (
            S.ENTER_NEW_PASSWORD,
            S.CHECK_EMAIL_SPELLING,
            S.CHECK_TWO_FACTOR,
            S.ENABLE_THIRD_PARTY_COMPATIBILITY,
        ),
        (Fix.NEW_CREDENTIALS,),
    ),
    (Family.PLUG, "login_protocol_changed"): Play(
        (
            S.ENABLE_THIRD_PARTY_COMPATIBILITY,
            S.NOTE_FIRMWARE_VERSION,
            S.UPDATE_RED_LIGHT_DOCTOR,
        ),
    ),
    (Family.PLUG, "overheated"): Play(
        (S.COOL_DOWN, S.REDUCE_LOAD, S.PLUG_INTO_WALL, S.CONTACT_VENDOR),
    ),
}


CAMERA_OFFLINE = (
    S.CAMERA_POWER,
    S.RESTART_ROUTER_THEN_CAMERA,
    S.CAMERA_2_4_GHZ,
    S.READD_CAMERA,
    S.FACTORY_RESET,
    S.CONTACT_VENDOR,
)
PLAYBOOK |= {
    (Family.TAPO_CAMERA, "offline"): Play(CAMERA_OFFLINE, (Fix.FIND_DEVICE,)),
    (Family.TAPO_CAMERA, "offline_powered"): Play(
        (S.POWER_REACHES_IT, *CAMERA_OFFLINE[1:]), (Fix.FIND_DEVICE,)
    ),
    (Family.TAPO_CAMERA, "offline_weak_signal"): Play(
        (
            S.MOVE_CAMERA_CLOSER,
            S.AVOID_INTERFERENCE,
            S.RESTART_ROUTER_THEN_CAMERA,
            S.CAMERA_2_4_GHZ,
        ),
        (Fix.FIND_DEVICE,),
    ),
    (Family.TAPO_CAMERA, "weak_wifi"): Play(
        (S.MOVE_CAMERA_CLOSER, S.AVOID_INTERFERENCE, S.CHANGE_WIFI_CHANNEL)
    ),
    (Family.TAPO_CAMERA, "weak_wifi_level"): Play(
        (S.MOVE_CAMERA_CLOSER, S.AVOID_INTERFERENCE, S.CHANGE_WIFI_CHANNEL)
    ),
    (Family.TAPO_CAMERA, "battery_low"): Play((S.CHARGE_BATTERY,)),
    (Family.TAPO_CAMERA, "intermittent"): Play(
        (
            S.MOVE_CAMERA_CLOSER,
            S.RESTART_ROUTER_THEN_CAMERA,
            S.RESERVE_ADDRESS,
            S.UPDATE_FIRMWARE,
        ),
        (Fix.RESTART,),
    ),
}
KASA_SPOT_OFFLINE = (
    S.READ_KASA_SPOT_LIGHT,
    S.CHECK_DEVICE_POWER,
    S.KASA_SPOT_2_4_GHZ,
    S.RESTART_ROUTER_AFTER_POWER_CUT,
    S.RESTART_CAMERA,
    S.RESET_KASA_SPOT,
    S.CONTACT_VENDOR,
)
PLAYBOOK |= {
    (Family.KASA_CAMERA, "offline"): Play(KASA_SPOT_OFFLINE, (Fix.FIND_DEVICE,)),
    (Family.KASA_CAMERA, "offline_powered"): Play(
        (S.READ_KASA_SPOT_LIGHT, S.POWER_REACHES_IT, *KASA_SPOT_OFFLINE[2:]),
        (Fix.FIND_DEVICE,),
    ),
    (Family.KASA_CAMERA, "offline_refused"): Play(
        (S.CHECK_ADDRESS, S.RESTART_CAMERA, S.RESERVE_ADDRESS), (Fix.FIND_DEVICE,)
    ),
    (Family.KASA_CAMERA, "intermittent"): Play(
        (
            S.KASA_SPOT_2_4_GHZ,
            S.MOVE_CAMERA_CLOSER,
            S.RESTART_ROUTER_THEN_CAMERA,
            S.RESERVE_ADDRESS,
        ),
    ),
}

# Devices read through another integration: nothing here talks to them, so
# no step sends the user to Red Light Doctor's own settings.
OTHER_OFFLINE = (
    S.CHECK_DEVICE_POWER,
    S.RESTART_ROUTER_THEN_DEVICE,
    S.REJOIN_WIFI,
    S.FACTORY_RESET,
    S.CONTACT_VENDOR,
)
PLAYBOOK |= {
    (Family.OTHER, "offline"): Play(OTHER_OFFLINE),
    (Family.OTHER, "offline_powered"): Play((S.POWER_REACHES_IT, *OTHER_OFFLINE[1:])),
    (Family.OTHER, "offline_weak_signal"): Play(
        (S.MOVE_CLOSER, S.AVOID_INTERFERENCE, S.RESTART_ROUTER_THEN_DEVICE)
    ),
    (Family.OTHER, "offline_unstable_power"): Play(
        (S.CHECK_DEVICE_POWER, S.RESTART_DEVICE, S.CONTACT_VENDOR)
    ),
    (Family.OTHER, "unstable_power"): Play(
        (S.CHECK_DEVICE_POWER, S.UPDATE_FIRMWARE, S.CONTACT_VENDOR)
    ),
    (Family.OTHER, "intermittent"): Play(
        (S.MOVE_CLOSER, S.RESTART_ROUTER_THEN_DEVICE, S.UPDATE_FIRMWARE)
    ),
    (Family.OTHER, "no_cloud"): Play(
        (S.CHECK_INTERNET, S.CHECK_CLOUD_BLOCKING, S.RELINK_CLOUD)
    ),
    (Family.OTHER, "overheated"): Play((S.COOL_DOWN, S.REDUCE_LOAD, S.CONTACT_VENDOR)),
    (Family.OTHER, "battery_low"): Play((S.CHARGE_BATTERY,)),
    (Family.OTHER, "watched_device_removed"): Play(
        (S.REMOVE_ENTRY,), (Fix.REMOVE_ENTRY,)
    ),
}
PLAYBOOK[Family.PLUG, "watched_device_removed"] = PLAYBOOK[
    Family.OTHER, "watched_device_removed"
]

BLINK_OFFLINE = (
    S.BLINK_CAMERA_POWER,
    S.BLINK_MOVE_CLOSER_TO_SYNC_MODULE,
    S.RESTART_ROUTER_THEN_DEVICE,
    S.BLINK_REJOIN_WIFI,
    S.CONTACT_VENDOR,
)
PLAYBOOK |= {
    (Family.BLINK_CAMERA, "offline"): Play(BLINK_OFFLINE),
    (Family.BLINK_CAMERA, "offline_hub_offline"): Play(
        (
            S.BLINK_SYNC_MODULE_POWER,
            S.BLINK_SYNC_MODULE_NETWORK,
            S.RESTART_ROUTER_THEN_DEVICE,
            S.BLINK_REJOIN_WIFI,
            S.CONTACT_VENDOR,
        )
    ),
    (Family.BLINK_CAMERA, "offline_weak_signal"): Play(
        (
            S.BLINK_MOVE_CLOSER_TO_SYNC_MODULE,
            S.AVOID_INTERFERENCE,
            S.RESTART_ROUTER_THEN_DEVICE,
            S.BLINK_REJOIN_WIFI,
        )
    ),
    (Family.BLINK_CAMERA, "battery_low"): Play(
        (S.BLINK_REPLACE_BATTERIES, S.BLINK_RED_FLASH_ON_MOTION)
    ),
    (Family.BLINK_CAMERA, "weak_wifi"): Play(
        (
            S.BLINK_MOVE_CLOSER_TO_SYNC_MODULE,
            S.AVOID_INTERFERENCE,
            S.CHANGE_WIFI_CHANNEL,
            S.BLINK_RED_FLASH_ON_MOTION,
        )
    ),
    (Family.BLINK_CAMERA, "intermittent"): Play(
        (
            S.BLINK_REPLACE_BATTERIES,
            S.BLINK_MOVE_CLOSER_TO_SYNC_MODULE,
            S.RESTART_ROUTER_THEN_DEVICE,
        )
    ),
}
# A plug's weak level reads like a camera's.
PLAYBOOK[Family.PLUG, "weak_wifi_level"] = PLAYBOOK[Family.PLUG, "weak_wifi"]
# Whatever the device, the hub it depends on is what needs looking at.
PLAYBOOK[Family.OTHER, "offline_hub_offline"] = Play(
    (S.CHECK_HUB, S.RESTART_ROUTER_THEN_DEVICE, S.CONTACT_VENDOR)
)
PLAYBOOK[Family.PLUG, "offline_hub_offline"] = PLAYBOOK[
    Family.OTHER, "offline_hub_offline"
]

FALLBACK: dict[Family, Family] = {
    Family.TAPO_CAMERA: Family.PLUG,
    Family.KASA_CAMERA: Family.TAPO_CAMERA,
    Family.BLINK_CAMERA: Family.OTHER,
    Family.OTHER: Family.PLUG,
}


def play_for(family: Family, key: str) -> Play:
    """Return the steps and fixes for a finding of a device family.

    A family without its own entry for a finding borrows the one of the
    family it is most like (a Kasa camera a Tapo camera's, a Blink camera any
    device's), ending at the plug's, whose steps name nothing plug-only.
    """
    while (play := PLAYBOOK.get((family, key))) is None:
        family = FALLBACK[family]
    return play
