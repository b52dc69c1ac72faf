"""Setting up, tuning, checking and removing a watched plug."""

from __future__ import annotations

from datetime import timedelta
import json
from pathlib import Path

from freezegun.api import TickingDateTimeFactory
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.red_light_doctor.const import (
    CONF_GRACE_PERIOD,
    CONF_POLL_INTERVAL,
    CONF_WEAK_SIGNAL_DBM,
    DOMAIN,
)
from custom_components.red_light_doctor.diagnosis import Cause, Step
from custom_components.red_light_doctor.diagnosis.playbook import PLAYBOOK
from simulator import SimulatedPlug

from .conftest import advance, state_of, watch

POLL = timedelta(seconds=30)
TRANSLATIONS = json.loads(
    (
        Path(__file__).parents[1]
        / "custom_components/red_light_doctor/translations/en.json"
    ).read_text()
)


async def test_a_plug_that_is_dark_at_start_still_loads_and_is_reported(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await plug.power_off()
    entry = await watch(hass, plug)
    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_OFF
    assert state_of(hass, plug, "sensor", "last_seen") != STATE_UNAVAILABLE
    for _ in range(5):
        await advance(hass, freezer, timedelta(minutes=2))
    assert [issue.translation_key for issue in issue_registry.issues.values()] == [
        "offline"
    ]
    assert caplog.text.count("Desk lamp stopped answering") == 1


async def test_every_entity_stays_available_while_the_plug_is_dark(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, plug: SimulatedPlug
) -> None:
    entry = await watch(hass, plug)
    await plug.power_off()
    await advance(hass, freezer, POLL)
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    enabled = [entity for entity in entities if not entity.disabled]
    assert len(entities) == 11
    assert len(enabled) == 10, "response time is for the curious: off by default"
    for entity in enabled:
        state = hass.states.get(entity.entity_id)
        assert state is not None
        assert state.state != STATE_UNAVAILABLE, entity.entity_id
    assert state_of(hass, plug, "sensor", "offline_since") != "unknown"


async def test_the_plug_shares_one_device_page_by_its_mac(
    hass: HomeAssistant, plug: SimulatedPlug, device_registry: dr.DeviceRegistry
) -> None:
    entry = await watch(hass, plug)
    (device,) = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert device.connections == {(dr.CONNECTION_NETWORK_MAC, dr.format_mac(plug.mac))}
    assert device.name == "Desk lamp"
    assert device.manufacturer == "TP-Link"


async def test_power_state_is_shown_and_switching_off_is_not_a_problem(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, plug: SimulatedPlug
) -> None:
    await watch(hass, plug)
    assert state_of(hass, plug, "binary_sensor", "power") == STATE_ON
    await plug.set_relay(False)
    for _ in range(10):
        await advance(hass, freezer, POLL)
    assert state_of(hass, plug, "binary_sensor", "power") == STATE_OFF
    assert state_of(hass, plug, "binary_sensor", "problem") == STATE_OFF
    assert state_of(hass, plug, "sensor", "diagnosis") == "ok"


async def test_an_options_change_applies_on_the_next_poll(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    entry = await watch(hass, plug)
    await plug.set_rssi(-60)
    for _ in range(3):
        await advance(hass, freezer, POLL)
    assert not issue_registry.issues

    hass.config_entries.async_update_entry(
        entry,
        options={
            CONF_POLL_INTERVAL: 60,
            CONF_GRACE_PERIOD: 3,
            CONF_WEAK_SIGNAL_DBM: -55,
        },
    )
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    await advance(hass, freezer, POLL)
    (issue,) = issue_registry.issues.values()
    assert issue.translation_key == "weak_wifi"
    assert issue.translation_placeholders["threshold"] == "-55"

    before = plug.request_count
    await advance(hass, freezer, POLL)
    assert plug.request_count == before, "the new interval is a minute"
    await advance(hass, freezer, POLL)
    assert plug.request_count == before + 1


async def test_an_offline_plug_is_asked_less_often_and_check_now_asks_at_once(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, plug: SimulatedPlug
) -> None:
    entry = await watch(hass, plug)
    await plug.blackhole(True)
    for _ in range(6):
        await advance(hass, freezer, timedelta(minutes=5))
    assert entry.runtime_data.update_interval == timedelta(minutes=5)

    await plug.blackhole(False)
    before = plug.request_count
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: "button.desk_lamp_check_now"},
        blocking=True,
    )
    assert plug.request_count == before + 1
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_ON
    assert entry.runtime_data.update_interval == POLL


async def test_slow_and_garbled_replies_are_failures_not_errors(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, plug: SimulatedPlug
) -> None:
    entry = await watch(hass, plug)
    await plug.slow(5)
    await advance(hass, freezer, POLL)
    assert entry.runtime_data.data.observation.failure == "timeout"
    await plug.slow(None)
    await plug.malformed(True)
    await advance(hass, freezer, POLL)
    assert entry.runtime_data.data.observation.failure == "protocol"
    assert entry.runtime_data.last_update_success
    await plug.malformed(False)
    await advance(hass, freezer, POLL * 2)  # backed off after two failures
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_ON


async def test_unloading_removes_the_cards(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    entry = await watch(hass, plug)
    await plug.set_cloud(False)
    for _ in range(8):
        await advance(hass, freezer, POLL)
    assert len(issue_registry.issues) == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert not issue_registry.issues


async def test_diagnostics_hide_addresses_and_names(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
) -> None:
    entry = await watch(hass, plug)
    await plug.set_rssi(-80)
    for _ in range(4):
        await advance(hass, freezer, POLL)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diagnostics)
    assert plug.host not in text
    assert dr.format_mac(plug.mac) not in text
    assert "Desk lamp" not in text
    assert diagnostics["findings"][0]["cause"] == "weak_wifi"
    assert diagnostics["history"]["signal"][-1][1] == -80
    assert diagnostics["last_observation"]["reachable"] is True


def test_every_finding_and_step_has_its_words() -> None:
    issues = TRANSLATIONS["issues"]
    first = next(iter(issues.values()))["fix_flow"]
    for (_, key), play in PLAYBOOK.items():
        assert {"title", "description", "fix_flow"} <= issues[key].keys(), key
        assert "{steps}" in issues[key]["description"]
        fix_flow = issues[key]["fix_flow"]
        assert "{steps}" in fix_flow["step"]["check_again"]["description"]
        assert set(play.fixes) <= set(fix_flow["step"]["init"]["menu_options"])
        # Home Assistant looks a flow's words up under each card's key.
        for part in ("error", "abort", "progress"):
            assert fix_flow[part] == first[part], key
        for step in play.steps:
            assert TRANSLATIONS["steps"][step]
    # One more card: the one devices behind an offline hub share.
    assert set(issues) == {key for _, key in PLAYBOOK} | {"hub_offline"}
    assert set(TRANSLATIONS["steps"]) == {step.value for step in Step}
    errors = first["error"]
    assert {f"still_{cause}" for cause in Cause} <= errors.keys()
    states = TRANSLATIONS["entity"]["sensor"]["diagnosis"]["state"]
    assert set(states) == {"ok", *(cause.value for cause in Cause)}


async def test_removing_the_entry_removes_its_cards(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    entry = await watch(hass, plug)
    await plug.power_off()
    for _ in range(5):
        await advance(hass, freezer, timedelta(minutes=2))
    assert len(issue_registry.issues) == 1
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert not issue_registry.issues
    assert hass.config_entries.async_entries(DOMAIN) == []
