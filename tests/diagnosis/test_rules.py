"""The diagnosis rules, one situation at a time, with their boundaries."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from custom_components.red_light_doctor.diagnosis import (
    Cause,
    Fix,
    FleetSnapshot,
    Settings,
    Severity,
    Step,
    diagnose,
    format_duration,
)
from custom_components.red_light_doctor.observation import Failure

from .conftest import POLL, Timeline


def healthy(timeline: Timeline, polls: int = 10, **answer: object) -> None:
    for _ in range(polls):
        timeline.answer(**answer)  # type: ignore[arg-type]


def test_a_healthy_plug_has_no_findings(timeline: Timeline) -> None:
    healthy(timeline)
    assert timeline.diagnose() == ()


def test_switched_off_is_a_power_state_not_a_problem(timeline: Timeline) -> None:
    healthy(timeline, 3)
    healthy(timeline, 10, relay=False)
    healthy(timeline, 3)
    assert timeline.diagnose() == ()
    assert not timeline.history.reboots
    assert [on for _, on in timeline.history.power_changes] == [True, False, True]


def test_offline_is_reported_when_the_grace_period_ends_not_a_poll_before(
    timeline: Timeline,
) -> None:
    healthy(timeline)
    for _ in range(6):  # 0 s ... 150 s of silence
        timeline.silence()
    assert timeline.diagnose() == ()

    timeline.silence()  # 180 s: exactly the grace period
    (finding,) = timeline.diagnose()
    assert finding.cause is Cause.OFFLINE
    assert finding.severity is Severity.ERROR
    assert finding.key == "offline"
    assert finding.evidence == {"offline_for": "3 min"}
    assert finding.steps[0] is Step.CHECK_POWER
    assert finding.since == timeline.history.offline_since


def test_one_unanswered_poll_is_never_offline_however_long_ago(
    timeline: Timeline,
) -> None:
    healthy(timeline)
    timeline.silence()
    later = timeline.now + timedelta(hours=1)
    assert diagnose(timeline.history, FleetSnapshot(), Settings(), later) == ()


def test_offline_after_a_weak_signal_blames_the_signal(timeline: Timeline) -> None:
    healthy(timeline, 20, rssi=-79)
    for _ in range(7):
        timeline.silence()
    (finding,) = timeline.diagnose()
    assert finding.key == "offline_weak_signal"
    assert finding.evidence == {
        "offline_for": "3 min",
        "signal": "-79",
        "threshold": "-70",
    }
    assert finding.steps[0] is Step.MOVE_CLOSER


def test_offline_after_reboots_blames_the_power(timeline: Timeline) -> None:
    healthy(timeline)
    for _ in range(3):
        timeline.reboot()
        healthy(timeline, 5)
    for _ in range(7):
        timeline.silence()
    causes = {finding.cause: finding for finding in timeline.diagnose()}
    assert causes[Cause.OFFLINE].key == "offline_unstable_power"
    assert causes[Cause.OFFLINE].evidence["reboots"] == "3"
    # The reboots stay true while the device is dark.
    assert Cause.UNSTABLE_POWER in causes


def test_refused_connections_point_at_the_address(timeline: Timeline) -> None:
    healthy(timeline)
    for _ in range(7):
        timeline.silence(Failure.REFUSED)
    (finding,) = timeline.diagnose()
    assert finding.key == "offline_refused"
    assert finding.steps[0] is Step.CHECK_ADDRESS


def test_many_devices_dropping_together_points_at_the_network(
    timeline: Timeline,
) -> None:
    healthy(timeline)
    dropped = timeline.now
    for _ in range(7):
        timeline.silence()
    fleet = FleetSnapshot(
        watched=4,
        offline_since=(dropped, dropped + timedelta(seconds=20), dropped - POLL),
    )
    (finding,) = timeline.diagnose(fleet=fleet)
    assert finding.key == "offline_network_outage"
    assert finding.evidence["dropped"] == "3"
    assert finding.evidence["watched"] == "4"

    # Two of ten is not the network.
    fleet = FleetSnapshot(watched=10, offline_since=fleet.offline_since[:2])
    assert timeline.diagnose(fleet=fleet)[0].key == "offline"


def test_a_plug_that_never_answered_is_offline_after_the_grace_period(
    timeline: Timeline,
) -> None:
    for _ in range(7):
        timeline.silence()
    (finding,) = timeline.diagnose()
    assert finding.key == "offline"


def test_weak_wifi_needs_the_median_below_the_threshold(timeline: Timeline) -> None:
    healthy(timeline, 2, rssi=-80)
    assert timeline.diagnose() == (), "two readings are not enough to judge"
    healthy(timeline, 1, rssi=-80)
    (finding,) = timeline.diagnose()
    assert finding.cause is Cause.WEAK_WIFI
    assert finding.severity is Severity.WARNING
    assert finding.evidence == {"signal": "-80", "threshold": "-70"}


def test_a_signal_exactly_at_the_threshold_is_not_weak(timeline: Timeline) -> None:
    healthy(timeline, 10, rssi=-70)
    assert timeline.diagnose() == ()
    healthy(timeline, 10, rssi=-71)
    assert timeline.causes() == [Cause.WEAK_WIFI]


def test_one_bad_reading_does_not_make_weak_wifi(timeline: Timeline) -> None:
    healthy(timeline, 9, rssi=-60)
    healthy(timeline, 1, rssi=-90)
    assert timeline.diagnose() == ()


def test_weak_wifi_clears_only_three_db_above_the_threshold(
    timeline: Timeline,
) -> None:
    healthy(timeline, 10, rssi=-75)
    active = frozenset({Cause.WEAK_WIFI})
    assert timeline.causes(active=active) == [Cause.WEAK_WIFI]

    healthy(timeline, 10, rssi=-68)
    assert timeline.causes(active=active) == [Cause.WEAK_WIFI]
    assert timeline.causes() == [], "a new finding needs the plain threshold"

    healthy(timeline, 10, rssi=-67)
    assert timeline.causes(active=active) == []


def test_three_reboots_in_a_day_is_unstable_power(timeline: Timeline) -> None:
    healthy(timeline)
    for _ in range(2):
        timeline.reboot()
        healthy(timeline, 5)
    assert timeline.diagnose() == ()

    timeline.reboot()
    (finding,) = timeline.diagnose()
    assert finding.cause is Cause.UNSTABLE_POWER
    assert finding.evidence == {"reboots": "3"}

    timeline.tick(timedelta(hours=24))
    healthy(timeline, 1)
    assert timeline.diagnose() == (), "reboots older than a day no longer count"


def test_a_reboot_seen_across_an_outage_counts_as_a_reboot(timeline: Timeline) -> None:
    healthy(timeline)
    timeline.silence()
    timeline.silence()
    timeline.reboot()
    assert len(timeline.history.reboots) == 1
    assert timeline.history.outages[-1].rebooted


def test_three_short_dropouts_without_reboots_is_intermittent(
    timeline: Timeline,
) -> None:
    healthy(timeline)
    for _ in range(2):
        timeline.silence()
        healthy(timeline, 5)
    assert timeline.diagnose() == ()

    timeline.silence()
    timeline.answer()
    (finding,) = timeline.diagnose()
    assert finding.cause is Cause.INTERMITTENT
    assert finding.evidence == {"dropouts": "3"}


def test_dropouts_with_a_reboot_or_past_the_grace_period_are_not_intermittent(
    timeline: Timeline,
) -> None:
    healthy(timeline)
    for _ in range(2):
        timeline.silence()
        timeline.reboot()
        healthy(timeline, 3)
    for _ in range(3):
        for _ in range(7):  # longer than the grace period: an outage, not a blip
            timeline.silence()
        healthy(timeline, 3)
    assert Cause.INTERMITTENT not in timeline.causes()


def test_flapping_never_raises_offline_and_does_not_come_and_go(
    timeline: Timeline,
) -> None:
    healthy(timeline)
    seen: list[frozenset[Cause]] = []
    active: frozenset[Cause] = frozenset()
    for _ in range(120):  # an hour of answer, silence, answer, silence ...
        timeline.silence()
        active = frozenset(timeline.causes(active=active))
        seen.append(active)
        timeline.answer()
        active = frozenset(timeline.causes(active=active))
        seen.append(active)
    assert all(Cause.OFFLINE not in causes for causes in seen)
    changes = sum(1 for before, after in pairwise(seen) if before != after)
    assert changes == 1, "the intermittent finding appears once and stays"
    assert seen[-1] == {Cause.INTERMITTENT}


def test_no_cloud_after_the_grace_period(timeline: Timeline) -> None:
    healthy(timeline)
    for _ in range(6):
        timeline.answer(cloud=False)
    assert timeline.diagnose() == ()
    timeline.answer(cloud=False)  # 3 minutes since the first report
    (finding,) = timeline.diagnose()
    assert finding.cause is Cause.NO_CLOUD
    assert finding.evidence == {"cloud_lost_for": "3 min"}

    timeline.answer(cloud=None)  # a device that cannot say changes nothing
    assert timeline.causes() == [Cause.NO_CLOUD]
    timeline.answer(cloud=True)
    assert timeline.diagnose() == ()


def test_while_offline_stale_readings_are_not_reported(timeline: Timeline) -> None:
    healthy(timeline, 10, rssi=-80, cloud=False)
    assert set(timeline.causes()) == {Cause.WEAK_WIFI, Cause.NO_CLOUD}
    for _ in range(7):
        timeline.silence()
    assert timeline.causes() == [Cause.OFFLINE]


def test_findings_come_most_urgent_first(timeline: Timeline) -> None:
    healthy(timeline)
    for _ in range(3):
        timeline.reboot(rssi=-80)
        healthy(timeline, 3, rssi=-80)
    assert timeline.causes() == [Cause.UNSTABLE_POWER, Cause.WEAK_WIFI]
    for _ in range(7):
        timeline.silence()
    assert timeline.causes() == [Cause.OFFLINE, Cause.UNSTABLE_POWER]


def test_durations_read_like_a_person_says_them() -> None:
    assert format_duration(timedelta(seconds=59)) == "0 min"
    assert format_duration(timedelta(minutes=6)) == "6 min"
    assert format_duration(timedelta(hours=2)) == "2 h"
    assert format_duration(timedelta(hours=2, minutes=5)) == "2 h 5 min"
    assert format_duration(timedelta(days=3)) == "3 d"
    assert format_duration(timedelta(days=3, hours=4, minutes=9)) == "3 d 4 h"


def test_history_stays_bounded(timeline: Timeline) -> None:
    for index in range(5000):
        if index % 50 == 0:
            timeline.reboot()
        elif index % 7 == 0:
            timeline.silence()
        else:
            timeline.answer(rssi=-60 - index % 20, relay=index % 3 != 0)
    history = timeline.history
    assert len(history.signal) <= 120
    assert len(history.reboots) <= 100
    assert len(history.outages) <= 100
    assert len(history.power_changes) <= 100


def test_offline_with_its_smart_plug_off_offers_to_switch_it_on(
    timeline: Timeline,
) -> None:
    healthy(timeline, 20, rssi=-80)
    for _ in range(7):
        timeline.silence(power_switch_on=False)
    (finding,) = timeline.diagnose()
    assert finding.key == "offline_power_switch_off", "no power beats a weak signal"
    assert finding.steps[0] is Step.TURN_ON_POWER_SWITCH
    assert finding.fixes == (Fix.TURN_ON_POWER_SWITCH,)


def test_offline_with_its_smart_plug_on_looks_past_the_outlet(
    timeline: Timeline,
) -> None:
    healthy(timeline)
    for _ in range(7):
        timeline.silence(power_switch_on=True)
    (finding,) = timeline.diagnose()
    assert finding.key == "offline_powered"
    assert finding.steps[0] is Step.POWER_REACHES_IT
    assert finding.fixes == (Fix.FIND_DEVICE,)


def test_an_address_that_changed_twice_in_a_week_should_be_reserved(
    timeline: Timeline,
) -> None:
    healthy(timeline, 3)
    healthy(timeline, 3, address="192.0.2.20")
    assert timeline.diagnose() == ()
    timeline.tick(timedelta(days=3))
    healthy(timeline, 3, address="192.0.2.30")
    (finding,) = timeline.diagnose()
    assert finding.cause is Cause.MOVING_ADDRESS
    assert finding.evidence == {"changes": "2", "address": "192.0.2.30"}
    assert finding.steps == (Step.RESERVE_ADDRESS,)

    timeline.tick(timedelta(days=5))
    healthy(timeline, 1, address="192.0.2.30")
    assert timeline.diagnose() == (), "the first change is more than a week old"


def test_fixes_follow_the_finding(timeline: Timeline) -> None:
    healthy(timeline)
    for _ in range(2):
        timeline.silence()
        healthy(timeline, 5)
    timeline.silence()
    timeline.answer(cloud=False)
    healthy(timeline, 7, cloud=False)
    fixes = {finding.cause: finding.fixes for finding in timeline.diagnose()}
    assert fixes == {Cause.INTERMITTENT: (Fix.RESTART,), Cause.NO_CLOUD: (Fix.RESTART,)}
