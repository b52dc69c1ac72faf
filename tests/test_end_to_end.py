"""Plugs go dark or degrade and recover, through python-kasa and the simulator."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import TickingDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.red_light_doctor.const import DOMAIN
from simulator import SimulatedPlug, Simulator

from .conftest import advance, state_of, watch

POLL = timedelta(seconds=30)


def our_issues(issue_registry: ir.IssueRegistry) -> dict[str, ir.IssueEntry]:
    return {
        issue_id: issue
        for (domain, issue_id), issue in issue_registry.issues.items()
        if domain == DOMAIN and issue.active
    }


def only_issue(issue_registry: ir.IssueRegistry) -> ir.IssueEntry:
    issues = list(our_issues(issue_registry).values())
    assert len(issues) == 1, [issue.translation_key for issue in issues]
    return issues[0]


async def polls(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, count: int
) -> None:
    for _ in range(count):
        await advance(hass, freezer, POLL)


async def test_a_plug_that_loses_power_gets_one_offline_card_that_clears(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    await watch(hass, plug)
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_ON
    assert state_of(hass, plug, "sensor", "diagnosis") == "ok"

    await plug.power_off()
    await advance(hass, freezer, POLL)
    await advance(hass, freezer, POLL * 2)
    assert our_issues(issue_registry) == {}, "not before the grace period"
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_OFF

    for _ in range(4):
        await advance(hass, freezer, timedelta(minutes=2))
    issue = only_issue(issue_registry)
    assert issue.translation_key == "offline"
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders["device"] == "Desk lamp"
    minutes, unit = issue.translation_placeholders["offline_for"].split()
    assert unit == "min"
    assert int(minutes) >= 3
    assert issue.translation_placeholders["steps"].startswith("1. Check the power")
    assert issue.learn_more_url.endswith("#offline")
    assert state_of(hass, plug, "sensor", "diagnosis") == "offline"
    assert state_of(hass, plug, "binary_sensor", "problem") == STATE_ON

    await plug.power_on()
    await advance(hass, freezer, timedelta(minutes=5))
    assert our_issues(issue_registry) == {}
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_ON
    assert state_of(hass, plug, "binary_sensor", "problem") == STATE_OFF


async def test_a_weak_signal_gets_a_warning_that_clears_when_it_improves(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    await watch(hass, plug)
    await plug.set_rssi(-81)
    await polls(hass, freezer, 10)
    issue = only_issue(issue_registry)
    assert issue.translation_key == "weak_wifi"
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders["signal"] == "-81"
    assert state_of(hass, plug, "sensor", "signal_strength") == "-81"

    await plug.set_rssi(-55)
    await polls(hass, freezer, 10)
    assert our_issues(issue_registry) == {}


async def test_a_plug_that_keeps_rebooting_gets_an_unstable_power_card(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    await watch(hass, plug)
    await polls(hass, freezer, 4)
    for _ in range(3):
        await plug.reboot()
        await polls(hass, freezer, 4)
    issue = only_issue(issue_registry)
    assert issue.translation_key == "unstable_power"
    assert issue.translation_placeholders["reboots"] == "3"
    assert state_of(hass, plug, "sensor", "reboots") == "3"

    await advance(hass, freezer, timedelta(hours=24))
    assert our_issues(issue_registry) == {}


async def test_short_dropouts_without_reboots_get_an_intermittent_card(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    await watch(hass, plug)
    for _ in range(3):
        await plug.blackhole(True)
        await polls(hass, freezer, 1)
        await plug.blackhole(False)
        await polls(hass, freezer, 3)
    issue = only_issue(issue_registry)
    assert issue.translation_key == "intermittent"
    assert issue.translation_placeholders["dropouts"] == "3"

    await advance(hass, freezer, timedelta(hours=24))
    assert our_issues(issue_registry) == {}


async def test_a_lost_cloud_connection_is_reported_after_the_grace_period(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    await watch(hass, plug)
    await plug.set_cloud(False)
    # The exact boundaries are unit-tested; here, clearly before and after.
    await polls(hass, freezer, 5)
    assert our_issues(issue_registry) == {}
    await polls(hass, freezer, 3)
    issue = only_issue(issue_registry)
    assert issue.translation_key == "no_cloud"
    assert issue.translation_placeholders["cloud_lost_for"] == "3 min"

    await plug.set_cloud(True)
    await polls(hass, freezer, 1)
    assert our_issues(issue_registry) == {}


async def test_a_refused_connection_points_at_the_address(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    await watch(hass, plug)
    await plug.refuse(True)
    for _ in range(5):
        await advance(hass, freezer, timedelta(minutes=2))
    assert only_issue(issue_registry).translation_key == "offline_refused"


async def test_plugs_dropping_together_point_at_the_network(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    simulator: Simulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    plugs = [await simulator.add_plug(alias=f"Plug {n}") for n in range(3)]
    for plug in plugs:
        await watch(hass, plug)
    for plug in plugs:
        await plug.power_off()
    for _ in range(6):
        await advance(hass, freezer, timedelta(minutes=2))
    issues = our_issues(issue_registry).values()
    assert [issue.translation_key for issue in issues] == ["offline_network_outage"] * 3
    assert {issue.translation_placeholders["dropped"] for issue in issues} == {"3"}


async def test_a_routine_poll_is_one_round_trip(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, plug: SimulatedPlug
) -> None:
    entry = await watch(hass, plug)
    history = entry.runtime_data.history
    requests, answers = plug.request_count, len(history.signal)
    await polls(hass, freezer, 10)
    # Counted against the polls recorded, whatever a loaded machine's timing.
    assert len(history.signal) - answers >= 9
    assert plug.request_count - requests == len(history.signal) - answers
