"""Devices that report nonsense about themselves, in replies and in discovery.

Whatever one device sends, it costs no more than its own reply: the others are
still found, and a device that answers with a broken field still answers.
"""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any

from freezegun.api import TickingDateTimeFactory
from homeassistant.const import (
    CONF_DEVICE,
    CONF_HOST,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.device_registry import format_mac
import pytest

from custom_components.red_light_doctor.const import DOMAIN
from simulator import SimulatedPlug, Simulator
from simulator.kasaspot import SimulatedKasaSpotCamera

from .conftest import advance, state_of, watch
from .test_config_flow import start, submit
from .test_tapo import LOGIN, add_through_the_flow, reauth_flows

POLL = timedelta(seconds=30)
# The reply of issue 17 that broke discovery for everyone.
BROKEN_MAC = {"mic_type": "IOT.SMARTPLUGSWITCH", "model": "HS100(US)", "mac": "zz"}


async def polls(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, count: int
) -> None:
    for _ in range(count):
        await advance(hass, freezer, POLL)


async def offered(hass: HomeAssistant) -> dict[str, str]:
    """Return the devices the config flow offers to add, by MAC."""
    result = await start(hass)
    result = await submit(hass, result["flow_id"], host="")
    assert result["step_id"] == "pick_device"
    return dict(result["data_schema"].schema[CONF_DEVICE].container)


def our_states(hass: HomeAssistant) -> dict[str, str]:
    registry = er.async_get(hass)
    return {
        entry.entity_id: hass.states.get(entry.entity_id).state  # type: ignore[union-attr]
        for entry in registry.entities.values()
        if entry.platform == DOMAIN and not entry.disabled
    }


def our_issue_keys(issue_registry: ir.IssueRegistry) -> list[str | None]:
    return [
        issue.translation_key
        for (domain, _), issue in issue_registry.issues.items()
        if domain == DOMAIN
    ]


@pytest.fixture
async def broken(simulator: Simulator) -> SimulatedPlug:
    """A plug that answers discovery with a MAC address that is not hex."""
    plug = await simulator.add_plug(alias="Broken")
    await plug.misreport(BROKEN_MAC)
    return plug


async def test_a_reply_with_a_broken_mac_leaves_the_other_devices_offered(
    hass: HomeAssistant, plug: SimulatedPlug, broken: SimulatedPlug
) -> None:
    choices = await offered(hass)
    assert format_mac(plug.mac) in choices
    assert not any(broken.host in label for label in choices.values())


async def test_a_plug_that_moved_is_followed_past_a_reply_with_a_broken_mac(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    broken: SimulatedPlug,
) -> None:
    entry = await watch(hass, plug)
    new_host = await plug.move_to()
    await polls(hass, freezer, 3)
    assert entry.data[CONF_HOST] == new_host
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_ON


async def test_a_dark_plug_searched_for_past_a_reply_with_a_broken_mac_stays_watched(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    broken: SimulatedPlug,
) -> None:
    entry = await watch(hass, plug)
    await plug.power_off()
    # The second silent poll searches the network for the plug.
    await polls(hass, freezer, 2)
    assert entry.runtime_data.history.consecutive_failures == 2
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_OFF
    assert STATE_UNAVAILABLE not in our_states(hass).values()


NONSENSE_IDENTITY = {"alias": 5, "model": [], "mac": {"a": 1}}


async def test_a_plug_that_names_itself_with_nonsense_is_not_added(
    hass: HomeAssistant, plug: SimulatedPlug, simulator: Simulator
) -> None:
    nonsense = await simulator.add_plug(alias="Nonsense")
    await nonsense.misreport(NONSENSE_IDENTITY)

    result = await start(hass)
    result = await submit(hass, result["flow_id"], host=nonsense.host)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"]
    assert hass.config_entries.async_entries(DOMAIN) == []

    choices = await offered(hass)
    assert format_mac(plug.mac) in choices
    assert not any(nonsense.host in label for label in choices.values())


async def test_a_kasa_spot_camera_that_names_itself_with_nonsense_is_not_added(
    hass: HomeAssistant, plug: SimulatedPlug, simulator: Simulator
) -> None:
    camera: SimulatedKasaSpotCamera = await simulator.add_kasa_spot_camera(
        alias="Porch"
    )
    await camera.misreport({"mac": 12345, "model": ["EC60"]})

    choices = await offered(hass)
    assert format_mac(plug.mac) in choices
    assert not any(camera.host in label for label in choices.values())

    result = await start(hass)
    result = await submit(hass, result["flow_id"], host=camera.host)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"]
    assert hass.config_entries.async_entries(DOMAIN) == []


@pytest.mark.parametrize("on_time", [10**15, -(10**12)])
async def test_an_impossible_on_time_leaves_the_plug_watched(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    on_time: int,
) -> None:
    await watch(hass, plug)
    await polls(hass, freezer, 2)
    await plug.misreport({"on_time": on_time})
    await polls(hass, freezer, 3)
    assert STATE_UNAVAILABLE not in our_states(hass).values()
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_ON
    assert state_of(hass, plug, "sensor", "reboots") == "0"

    await plug.misreport(None)
    await polls(hass, freezer, 2)
    assert state_of(hass, plug, "sensor", "reboots") == "0"


async def test_an_on_time_that_stops_advancing_is_no_reboot(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    await watch(hass, plug)
    await polls(hass, freezer, 2)
    await plug.misreport({"on_time": 5000})
    await polls(hass, freezer, 8)
    assert state_of(hass, plug, "sensor", "reboots") == "0"
    assert our_issue_keys(issue_registry) == []

    # A real reboot is still counted once the counter moves again.
    await plug.misreport(None)
    await plug.reboot()
    await polls(hass, freezer, 2)
    assert state_of(hass, plug, "sensor", "reboots") == "1"


@pytest.mark.parametrize("rssi", ["n/a", 1e308, -1e308, None, [], {"dbm": -50}])
async def test_a_plug_with_an_unreadable_signal_still_answers(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    rssi: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await watch(hass, plug)
    await plug.misreport({"rssi": rssi})
    await polls(hass, freezer, 1)
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_ON
    assert state_of(hass, plug, "sensor", "signal_strength") == STATE_UNKNOWN
    # Home Assistant logs an error for a state longer than 255 characters.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    ("relay_state", "shown"),
    [
        ("0", STATE_OFF),
        ("1", STATE_ON),
        (0, STATE_OFF),
        (1, STATE_ON),
        (False, STATE_OFF),
        (True, STATE_ON),
        ("off", STATE_UNKNOWN),
        (2, STATE_UNKNOWN),
        (None, STATE_UNKNOWN),
    ],
)
async def test_a_relay_state_is_shown_only_as_the_plug_meant_it(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    relay_state: Any,
    shown: str,
) -> None:
    await watch(hass, plug)
    await plug.misreport({"relay_state": relay_state})
    await polls(hass, freezer, 1)
    assert state_of(hass, plug, "binary_sensor", "power") == shown
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_ON


@pytest.mark.parametrize(
    "sysinfo",
    [
        {"type": ["IOT.SMARTPLUGSWITCH"], "mic_type": None},
        {"dev_name": 7},
        {"feature": ["TIM", "ENE"]},
        {"mac": ""},
        {"model": "(US)"},
        {"alias": {"name": "Desk lamp"}},
    ],
)
async def test_any_broken_identity_costs_only_its_own_reply(
    hass: HomeAssistant,
    plug: SimulatedPlug,
    simulator: Simulator,
    sysinfo: dict[str, Any],
) -> None:
    other = await simulator.add_plug(alias="Other")
    await other.misreport(sysinfo)
    choices = await offered(hass)
    assert format_mac(plug.mac) in choices
    assert not any(other.host in label for label in choices.values())


async def test_a_tapo_plug_that_names_itself_with_nonsense_is_not_added(
    hass: HomeAssistant, plug: SimulatedPlug, simulator: Simulator
) -> None:
    tapo = await simulator.add_tapo_plug(alias="Kettle")
    await tapo.misreport({"mac": "not a mac", "device_model": ["P110"]})

    choices = await offered(hass)
    assert format_mac(plug.mac) in choices
    assert not any(str(tapo.host) in label for label in choices.values())

    result = await start(hass)
    result = await submit(hass, result["flow_id"], host=tapo.host)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "network"
    assert result["errors"]


async def test_a_tapo_plug_with_broken_readings_still_answers(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, simulator: Simulator
) -> None:
    tapo = await simulator.add_tapo_plug(alias="Kettle")
    assert tapo.host is not None
    await add_through_the_flow(hass, tapo.host, **LOGIN)
    await tapo.misreport({"device_on": "0", "rssi": "n/a", "on_time": 10**15})
    await polls(hass, freezer, 2)
    assert state_of(hass, tapo, "binary_sensor", "connectivity") == STATE_ON
    assert state_of(hass, tapo, "binary_sensor", "power") == STATE_OFF
    assert state_of(hass, tapo, "sensor", "signal_strength") == STATE_UNKNOWN
    assert STATE_UNAVAILABLE not in our_states(hass).values()


async def test_a_tapo_plug_whose_name_cannot_be_read_is_not_added_after_login(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    tapo = await simulator.add_tapo_plug(alias="Kettle")
    assert tapo.host is not None
    # SMART plugs send their name in base64.
    await tapo.misreport({"nickname": "%%% not base64"})
    result = await add_through_the_flow(hass, tapo.host, **LOGIN)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"]
    assert hass.config_entries.async_entries(DOMAIN) == []


@pytest.mark.parametrize(
    ("kind", "nonsense"),
    [
        ("plug", NONSENSE_IDENTITY),
        ("kasa_spot_camera", {"mac": 12345, "model": ["EC60"]}),
        ("tapo_plug", {"mac": "not a mac", "device_model": ["P110"]}),
    ],
)
async def test_a_device_that_names_itself_with_nonsense_is_told_so(
    hass: HomeAssistant, simulator: Simulator, kind: str, nonsense: dict[str, Any]
) -> None:
    device = await getattr(simulator, f"add_{kind}")(alias="Nonsense")
    await device.misreport(nonsense)
    result = await start(hass)
    result = await submit(hass, result["flow_id"], host=device.host)
    assert result["errors"] == {"base": "bad_identity"}
    assert result["description_placeholders"]["host"] == device.host


async def test_a_tapo_plug_whose_name_cannot_be_read_is_told_so_after_login(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    tapo = await simulator.add_tapo_plug(alias="Kettle")
    assert tapo.host is not None
    await tapo.misreport({"nickname": "%%% not base64"})
    result = await add_through_the_flow(hass, tapo.host, **LOGIN)
    assert result["step_id"] == "credentials"
    assert result["errors"] == {"base": "bad_identity"}
    assert result["description_placeholders"]["host"] == tapo.host


async def test_a_tapo_plug_whose_name_turns_unreadable_is_told_so_at_reauth(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    tapo = await simulator.add_tapo_plug(alias="Kettle")
    assert tapo.host is not None
    entry = (await add_through_the_flow(hass, tapo.host, **LOGIN))["result"]
    await tapo.misreport({"nickname": "%%% not base64"})
    entry.async_start_reauth(hass)
    await hass.async_block_till_done()
    (flow,) = reauth_flows(hass)
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], LOGIN)
    assert result["errors"] == {"base": "bad_identity"}
    assert result["description_placeholders"]["host"] == tapo.host
