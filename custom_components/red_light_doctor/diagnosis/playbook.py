"""What to try for each finding, per device family, cheapest first.

The wording of each step is in the translations; this table only decides
which steps apply and in which order.
"""

from __future__ import annotations

from .model import Family, Step

S = Step

PLAYBOOK: dict[tuple[Family, str], tuple[Step, ...]] = {
    (Family.PLUG, "offline"): (
        S.CHECK_POWER,
        S.PLUG_INTO_WALL,
        S.RESTART_ROUTER_THEN_DEVICE,
        S.REJOIN_WIFI,
        S.FACTORY_RESET,
        S.CONTACT_VENDOR,
    ),
    (Family.PLUG, "offline_weak_signal"): (
        S.MOVE_CLOSER,
        S.AVOID_INTERFERENCE,
        S.RESTART_ROUTER_THEN_DEVICE,
        S.CHANGE_WIFI_CHANNEL,
        S.REJOIN_WIFI,
    ),
    (Family.PLUG, "offline_unstable_power"): (
        S.CHECK_POWER,
        S.PLUG_INTO_WALL,
        S.RESTART_DEVICE,
        S.CONTACT_VENDOR,
    ),
    (Family.PLUG, "offline_refused"): (
        S.CHECK_ADDRESS,
        S.RESTART_DEVICE,
        S.CHECK_FIREWALL,
        S.RESERVE_ADDRESS,
    ),
    (Family.PLUG, "offline_network_outage"): (
        S.CHECK_ROUTER,
        S.CHECK_HOME_ASSISTANT_NETWORK,
        S.RESTART_ROUTER_THEN_DEVICE,
    ),
    (Family.PLUG, "weak_wifi"): (
        S.MOVE_CLOSER,
        S.AVOID_INTERFERENCE,
        S.CHANGE_WIFI_CHANNEL,
    ),
    (Family.PLUG, "unstable_power"): (
        S.CHECK_POWER,
        S.PLUG_INTO_WALL,
        S.UPDATE_FIRMWARE,
        S.CONTACT_VENDOR,
    ),
    (Family.PLUG, "intermittent"): (
        S.MOVE_CLOSER,
        S.RESTART_ROUTER_THEN_DEVICE,
        S.RESERVE_ADDRESS,
        S.UPDATE_FIRMWARE,
    ),
    (Family.PLUG, "no_cloud"): (
        S.CHECK_INTERNET,
        S.CHECK_CLOUD_BLOCKING,
        S.RESTART_ROUTER_THEN_DEVICE,
        S.RELINK_CLOUD,
    ),
}


def steps_for(family: Family, key: str) -> tuple[Step, ...]:
    """Return the steps for a finding of a device family."""
    return PLAYBOOK[family, key]
