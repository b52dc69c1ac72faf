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
# A plug's weak level reads like a camera's.
PLAYBOOK[Family.PLUG, "weak_wifi_level"] = PLAYBOOK[Family.PLUG, "weak_wifi"]


def play_for(family: Family, key: str) -> Play:
    """Return the steps and fixes for a finding of a device family.

    A family without its own entry for a finding shares the plug's, whose
    steps name nothing plug-only.
    """
    return PLAYBOOK.get((family, key)) or PLAYBOOK[Family.PLUG, key]
