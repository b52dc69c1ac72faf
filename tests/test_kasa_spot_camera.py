"""Kasa Spot cameras: found by discovery, watched through their service port."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import TickingDateTimeFactory
from homeassistant.const import CONF_DEVICE, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.device_registry import format_mac
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.red_light_doctor.const import CONF_FAMILY, CONF_MODEL
from custom_components.red_light_doctor.probe.kasa_spot import kasa_spot_sysinfo
from simulator import Simulator
from simulator.kasaspot import SimulatedKasaSpotCamera

from .conftest import advance, state_of
from .test_config_flow import start
from .test_repairs import RepairsClient, card
from .test_tapo import add_through_the_flow


@pytest.fixture
async def spot(simulator: Simulator) -> SimulatedKasaSpotCamera:
    return await simulator.add_kasa_spot_camera(alias="Nursery", model="KC400(US)")


async def test_a_kasa_spot_camera_is_found_by_discovery(
    hass: HomeAssistant, spot: SimulatedKasaSpotCamera
) -> None:
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": ""}
    )
    assert result["step_id"] == "pick_device"
    mac = format_mac(spot.mac)
    choices = result["data_schema"].schema[CONF_DEVICE].container
    assert choices[mac] == f"Nursery (KC400, {spot.host})"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: mac}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Nursery"
    assert result["data"][CONF_FAMILY] == "kasa_camera"
    assert result["data"][CONF_MODEL] == "KC400"
    assert state_of(hass, spot, "binary_sensor", "connectivity") == STATE_ON


async def test_a_kasa_spot_camera_shows_only_what_can_be_seen(
    hass: HomeAssistant, spot: SimulatedKasaSpotCamera
) -> None:
    assert spot.host is not None
    result = await add_through_the_flow(hass, spot.host)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_FAMILY] == "kasa_camera"

    registry = er.async_get(hass)
    keys = {
        entry.unique_id.removeprefix(f"{format_mac(spot.mac)}_")
        for entry in er.async_entries_for_config_entry(
            registry, result["result"].entry_id
        )
    }
    # Without a login nothing reports a signal, a relay or an uptime.
    assert "signal_strength" not in keys
    assert "power" not in keys
    assert "reboots" not in keys
    assert {"connectivity", "response_time", "diagnosis", "last_seen"} <= keys


async def test_a_dark_kasa_spot_camera_gets_the_kasa_spot_steps(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: TickingDateTimeFactory,
    spot: SimulatedKasaSpotCamera,
    issue_registry: ir.IssueRegistry,
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    assert spot.host is not None
    await add_through_the_flow(hass, spot.host)
    await spot.power_off()
    for _ in range(5):
        await advance(hass, freezer, timedelta(minutes=2))
    issue = card(issue_registry)
    assert issue is not None
    assert issue.translation_key == "offline"
    assert state_of(hass, spot, "binary_sensor", "connectivity") == STATE_OFF
    steps = issue.translation_placeholders["steps"]
    assert steps.startswith("1. Look at the camera's status light")
    assert "2.4 GHz" in steps
    assert "reset the camera" in steps

    # Nothing on the camera can be switched without a login: no restart offer.
    repairs = RepairsClient(hass, hass_client)
    result = await repairs.open(issue.issue_id)
    assert result["menu_options"] == ["check_again", "find_device"]

    await spot.power_on()
    await advance(hass, freezer, timedelta(minutes=5))
    assert card(issue_registry) is None
    assert state_of(hass, spot, "binary_sensor", "connectivity") == STATE_ON


async def test_a_kasa_spot_camera_turning_connections_away_gets_the_address_steps(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    spot: SimulatedKasaSpotCamera,
    issue_registry: ir.IssueRegistry,
) -> None:
    assert spot.host is not None
    await add_through_the_flow(hass, spot.host)
    await spot.refuse()
    for _ in range(5):
        await advance(hass, freezer, timedelta(minutes=2))
    issue = card(issue_registry)
    assert issue is not None
    assert issue.translation_placeholders["steps"].startswith(
        "1. Check in the router which device now holds this address"
    )


@pytest.mark.parametrize(
    "reply",
    [
        {},
        {"system": {"get_sysinfo": "garbage"}},
        {"system": {"get_sysinfo": {"system": {"type": "IOT.SMARTPLUGSWITCH"}}}},
        {"system": {"get_sysinfo": {"system": {"type": "IOT.IPCAMERA", "mac": ""}}}},
    ],
)
def test_a_discovery_reply_that_is_not_a_whole_kasa_spot_camera_is_ignored(
    reply: dict[str, Any],
) -> None:
    assert kasa_spot_sysinfo(reply) is None
