"""The rules a support engineer would apply, as pure functions of the evidence.

Nothing here imports Home Assistant or does I/O: the same history, fleet,
settings and moment always give the same findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..history import DAY, History
from ..observation import Failure
from .model import (
    Cause,
    Explanation,
    Family,
    Finding,
    FleetSnapshot,
    Settings,
    Severity,
)
from .playbook import play_for

MIN_FAILURES_FOR_OFFLINE = 2
SIGNAL_RECOVERY_MARGIN_DB = 3
REBOOTS_FOR_UNSTABLE_POWER = 3
DROPOUTS_FOR_INTERMITTENT = 3
# Devices that drop within this window of each other share a cause.
TOGETHER = timedelta(seconds=60)
DEVICES_FOR_NETWORK_OUTAGE = 3
ADDRESS_CHANGES_FOR_RESERVATION = 2
WEAK_SIGNAL_LEVEL = 1


@dataclass(frozen=True, slots=True)
class Case:
    """Everything a rule may look at."""

    history: History
    fleet: FleetSnapshot
    settings: Settings
    now: datetime
    family: Family
    active: frozenset[Cause]


def diagnose(
    history: History,
    fleet: FleetSnapshot,
    settings: Settings,
    now: datetime,
    *,
    family: Family = Family.PLUG,
    active: frozenset[Cause] = frozenset(),
) -> tuple[Finding, ...]:
    """Return the findings the evidence supports, most urgent first.

    `active` names the causes already reported, so that a finding near its
    threshold neither appears nor clears on a single reading.
    """
    case = Case(history, fleet, settings, now, family, active)
    findings = [finding for rule in RULES if (finding := rule(case)) is not None]
    if removed := [f for f in findings if f.cause is Cause.WATCHED_DEVICE_REMOVED]:
        # Nothing else it said still matters once it is gone.
        return tuple(removed)
    if any(finding.cause is Cause.OFFLINE for finding in findings):
        # While it is dark, what the device last said about itself is stale.
        findings = [f for f in findings if f.cause in SHOWN_WHILE_OFFLINE]
    return tuple(
        sorted(
            findings, key=lambda f: (f.severity != Severity.ERROR, CAUSE_ORDER[f.cause])
        )
    )


def _finding(
    case: Case,
    cause: Cause,
    severity: Severity,
    key: str,
    since: datetime | None,
    **evidence: object,
) -> Finding:
    play = play_for(case.family, key)
    return Finding(
        cause=cause,
        severity=severity,
        family=case.family,
        key=key,
        evidence={name: str(value) for name, value in evidence.items()},
        steps=play.steps,
        fixes=play.fixes,
        since=since,
    )


# Offline, and why.


def silent_past_the_grace_period(case: Case) -> bool:
    """No usable answer, twice or more in a row, for longer than the grace period."""
    history = case.history
    since = history.offline_since
    return (
        since is not None
        and history.consecutive_failures >= MIN_FAILURES_FOR_OFFLINE
        and case.now - since >= case.settings.grace_period
    )


def device_is_offline(case: Case) -> Finding | None:
    """It has not answered, twice or more in a row, for longer than the grace period."""
    history = case.history
    since = history.offline_since
    if (
        not silent_past_the_grace_period(case)
        or since is None
        or history.last_failure in NOT_SILENCE
    ):
        return None
    explanation = next(
        reason for reason, applies in OFFLINE_EXPLANATIONS if applies(case)
    )
    key = "offline" if explanation is Explanation.UNKNOWN else f"offline_{explanation}"
    evidence: dict[str, object] = {"offline_for": format_duration(case.now - since)}
    if explanation is Explanation.WEAK_SIGNAL:
        evidence |= {
            "signal": history.recent_signal(),
            "threshold": case.settings.weak_signal_dbm,
        }
    elif explanation is Explanation.UNSTABLE_POWER:
        evidence["reboots"] = history.reboots_since(case.now - DAY)
    elif explanation is Explanation.HUB_OFFLINE:
        last = history.last_observation
        evidence["hub"] = (last.hub if last else None) or ""
    elif explanation is Explanation.NETWORK_OUTAGE:
        evidence |= {
            "dropped": case.fleet.dropped_together_with(since, TOGETHER),
            "watched": case.fleet.watched,
        }
    return _finding(case, Cause.OFFLINE, Severity.ERROR, key, since, **evidence)


def many_devices_dropped_together(case: Case) -> bool:
    """Several watched devices went silent in the same minute: suspect the network."""
    assert case.history.offline_since is not None
    together = case.fleet.dropped_together_with(case.history.offline_since, TOGETHER)
    return together >= DEVICES_FOR_NETWORK_OUTAGE and together * 2 >= case.fleet.watched


def the_hub_it_depends_on_is_offline(case: Case) -> bool:
    """The hub it reaches the network through, a Blink sync module, is offline."""
    last = case.history.last_observation
    return last is not None and last.hub_online is False


def something_refuses_the_connection(case: Case) -> bool:
    """The address answers but turns us away: another device or a stopped service."""
    return case.history.last_failure is Failure.REFUSED


def signal_was_weak_before_it_dropped(case: Case) -> bool:
    """Its Wi-Fi signal was below the threshold in the hour before it went quiet."""
    signal = case.history.recent_signal()
    return signal is not None and signal < case.settings.weak_signal_dbm


def it_kept_rebooting_before_it_dropped(case: Case) -> bool:
    """It restarted again and again in the last day: its power supply is failing."""
    return case.history.reboots_since(case.now - DAY) >= REBOOTS_FOR_UNSTABLE_POWER


def its_smart_plug_is_switched_off(case: Case) -> bool:
    """The smart plug that feeds it is off: it simply has no power."""
    last = case.history.last_observation
    return last is not None and last.power_switch_on is False


def it_has_power_and_still_stays_dark(case: Case) -> bool:
    """The smart plug that feeds it is on, so the fault is past the outlet."""
    last = case.history.last_observation
    return last is not None and last.power_switch_on is True


OFFLINE_EXPLANATIONS: tuple[tuple[Explanation, Callable[[Case], bool]], ...] = (
    (Explanation.NETWORK_OUTAGE, many_devices_dropped_together),
    (Explanation.HUB_OFFLINE, the_hub_it_depends_on_is_offline),
    (Explanation.POWER_SWITCH_OFF, its_smart_plug_is_switched_off),
    (Explanation.REFUSED, something_refuses_the_connection),
    (Explanation.WEAK_SIGNAL, signal_was_weak_before_it_dropped),
    (Explanation.UNSTABLE_POWER, it_kept_rebooting_before_it_dropped),
    (Explanation.POWERED, it_has_power_and_still_stays_dark),
    (Explanation.UNKNOWN, lambda _: True),
)


# It answers, but will not let us in.


def login_is_refused(case: Case) -> Finding | None:
    """It answers but rejects the saved login: the password or account changed."""
    if (
        case.history.last_failure is not Failure.AUTH
        or not silent_past_the_grace_period(case)
    ):
        return None
    return _finding(
        case,
        Cause.LOGIN_REFUSED,
        Severity.ERROR,
        Cause.LOGIN_REFUSED,
        case.history.offline_since,
    )


def login_protocol_changed(case: Case) -> Finding | None:
    """It turns the login handshake away: its firmware changed how it logs in."""
    if (
        case.history.last_failure is not Failure.HANDSHAKE_REJECTED
        or not silent_past_the_grace_period(case)
    ):
        return None
    return _finding(
        case,
        Cause.LOGIN_PROTOCOL_CHANGED,
        Severity.ERROR,
        Cause.LOGIN_PROTOCOL_CHANGED,
        case.history.offline_since,
    )


# Gone from Home Assistant.


def watched_device_was_removed(case: Case) -> Finding | None:
    """The device it watched through another integration is no longer there."""
    last = case.history.last_observation
    if last is None or last.failure is not Failure.REMOVED:
        return None
    return _finding(
        case,
        Cause.WATCHED_DEVICE_REMOVED,
        Severity.WARNING,
        Cause.WATCHED_DEVICE_REMOVED,
        case.history.offline_since,
    )


# Degraded while online.


def device_is_overheated(case: Case) -> Finding | None:
    """It reports that it overheated and cut the power to protect itself."""
    answer = case.history.last_answer
    if answer is None or not answer.overheated:
        return None
    return _finding(case, Cause.OVERHEATED, Severity.ERROR, Cause.OVERHEATED, answer.at)


def wifi_signal_is_weak(case: Case) -> Finding | None:
    """The recent signal is below the threshold; it clears a few dB above it."""
    signal = case.history.recent_signal()
    if signal is None:
        return None
    threshold = case.settings.weak_signal_dbm
    if Cause.WEAK_WIFI in case.active:
        threshold += SIGNAL_RECOVERY_MARGIN_DB
    if signal >= threshold:
        return None
    return _finding(
        case,
        Cause.WEAK_WIFI,
        Severity.WARNING,
        Cause.WEAK_WIFI,
        None,
        signal=signal,
        threshold=case.settings.weak_signal_dbm,
    )


def wifi_signal_level_is_low(case: Case) -> Finding | None:
    """It reports no signal in dBm, but its 0-3 signal level has stayed at 1 or 0."""
    if case.history.recent_signal() is not None:
        return None
    # Levels are coarse: the median of the last ten is hysteresis enough.
    level = case.history.recent_signal_level()
    if level is None or level > WEAK_SIGNAL_LEVEL:
        return None
    return _finding(
        case,
        Cause.WEAK_WIFI,
        Severity.WARNING,
        "weak_wifi_level",
        None,
        level=level,
    )


def battery_is_low(case: Case) -> Finding | None:
    """Its battery says it is low, or its charge is below the low mark."""
    answer = case.history.last_answer
    if answer is None:
        return None
    percent = answer.battery_percent
    low = answer.battery_low is True or (
        percent is not None and percent <= case.settings.low_battery_percent
    )
    if not low:
        return None
    return _finding(
        case,
        Cause.BATTERY_LOW,
        Severity.WARNING,
        Cause.BATTERY_LOW,
        None,
        battery=percent if percent is not None else "",
    )


def power_is_unstable(case: Case) -> Finding | None:
    """It rebooted three times or more in the last day."""
    reboots = case.history.reboots_since(case.now - DAY)
    if reboots < REBOOTS_FOR_UNSTABLE_POWER:
        return None
    return _finding(
        case,
        Cause.UNSTABLE_POWER,
        Severity.WARNING,
        Cause.UNSTABLE_POWER,
        case.history.reboots[-1],
        reboots=reboots,
    )


def connection_is_intermittent(case: Case) -> Finding | None:
    """It dropped off briefly three times or more in a day, without rebooting."""
    dropouts = case.history.short_outages_since(
        case.now - DAY, case.settings.grace_period
    )
    if dropouts < DROPOUTS_FOR_INTERMITTENT:
        return None
    return _finding(
        case,
        Cause.INTERMITTENT,
        Severity.WARNING,
        Cause.INTERMITTENT,
        case.history.outages[-1].ended,
        dropouts=dropouts,
    )


def cloud_is_unreachable(case: Case) -> Finding | None:
    """It answers us but has not reached its cloud for longer than the grace period."""
    lost = case.history.cloud_lost_since
    if lost is None or case.now - lost < case.settings.grace_period:
        return None
    return _finding(
        case,
        Cause.NO_CLOUD,
        Severity.WARNING,
        Cause.NO_CLOUD,
        lost,
        cloud_lost_for=format_duration(case.now - lost),
    )


def newer_firmware_is_offered(case: Case) -> Finding | None:
    """Its cloud offers a newer firmware than the one it runs."""
    answer = case.history.last_answer
    if answer is None or not answer.update_available:
        return None
    return _finding(
        case,
        Cause.FIRMWARE_UPDATE,
        Severity.WARNING,
        Cause.FIRMWARE_UPDATE,
        None,
        firmware=answer.firmware or "",
        latest=answer.latest_firmware or "",
    )


def address_keeps_changing(case: Case) -> Finding | None:
    """It turned up at a new address twice or more in a week: reserve one."""
    changes = len(case.history.address_changes)
    if changes < ADDRESS_CHANGES_FOR_RESERVATION:
        return None
    return _finding(
        case,
        Cause.MOVING_ADDRESS,
        Severity.WARNING,
        Cause.MOVING_ADDRESS,
        case.history.address_changes[-1][0],
        changes=changes,
        address=case.history.address_changes[-1][1],
    )


RULES: tuple[Callable[[Case], Finding | None], ...] = (
    watched_device_was_removed,
    device_is_offline,
    login_is_refused,
    login_protocol_changed,
    device_is_overheated,
    power_is_unstable,
    wifi_signal_is_weak,
    wifi_signal_level_is_low,
    battery_is_low,
    connection_is_intermittent,
    cloud_is_unreachable,
    newer_firmware_is_offered,
    address_keeps_changing,
)
CAUSE_ORDER = {cause: index for index, cause in enumerate(Cause)}
# Reboots are history that stays true while dark; a stale signal or cloud
# reading is not, and the offline card already names the weak signal.
LOGIN_FAILURES = frozenset({Failure.AUTH, Failure.HANDSHAKE_REJECTED})
# Failures that have their own finding instead of "offline".
NOT_SILENCE = LOGIN_FAILURES | {Failure.REMOVED}
SHOWN_WHILE_OFFLINE = frozenset(
    {Cause.OFFLINE, Cause.UNSTABLE_POWER, Cause.MOVING_ADDRESS}
)


def format_duration(duration: timedelta) -> str:
    """Return a duration the way a person would say it: 6 min, 2 h 5 min, 3 d 4 h."""
    minutes = int(duration.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
