"""Tapo cameras, through python-kasa's SSL-AES transport and the simulator."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import TickingDateTimeFactory
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest

from custom_components.red_light_doctor.const import CONF_FAMILY
from simulator import Simulator
from simulator.smartdevice import (
    DEFAULT_CAMERA_PASSWORD,
    DEFAULT_USERNAME,
    SimulatedCamera,
)

from .conftest import advance, state_of
from .test_repairs import card
from .test_tapo import add_through_the_flow

POLL = timedelta(seconds=30)
CAMERA_LOGIN = {"username": DEFAULT_USERNAME, "password": DEFAULT_CAMERA_PASSWORD}


async def add_camera(hass: HomeAssistant, camera: SimulatedCamera) -> None:
    assert camera.host is not None
    result = await add_through_the_flow(hass, camera.host, **CAMERA_LOGIN)
    assert result["title"] == camera.alias
    assert result["data"][CONF_FAMILY] == "tapo_camera"


@pytest.fixture
async def camera(simulator: Simulator) -> SimulatedCamera:
    return await simulator.add_tapo_camera(alias="Front door", rssi=-61)


async def test_a_camera_is_added_and_read_in_one_round_trip(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, camera: SimulatedCamera
) -> None:
    await add_camera(hass, camera)
    assert state_of(hass, camera, "binary_sensor", "connectivity") == STATE_ON
    assert state_of(hass, camera, "sensor", "signal_strength") == "-61"
    entry = hass.config_entries.async_entries("red_light_doctor")[0]
    history = entry.runtime_data.history
    await advance(hass, freezer, POLL)
    requests, polls = camera.request_count, len(history.signal)
    for _ in range(5):
        await advance(hass, freezer, POLL)
    assert len(history.signal) - polls >= 4
    assert camera.request_count - requests == len(history.signal) - polls


async def test_a_dark_camera_gets_the_camera_steps(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    camera: SimulatedCamera,
    issue_registry: ir.IssueRegistry,
) -> None:
    await add_camera(hass, camera)
    await camera.power_off()
    for _ in range(5):
        await advance(hass, freezer, timedelta(minutes=2))
    issue = card(issue_registry)
    assert issue is not None
    assert issue.translation_key == "offline"
    steps = issue.translation_placeholders["steps"]
    assert steps.startswith("1. Check the camera's power")
    assert "only 2.4 GHz" in steps
    assert "remove the camera in the Tapo app and add it again" in steps


async def test_a_low_signal_level_without_rssi_is_weak_wifi(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    camera: SimulatedCamera,
    issue_registry: ir.IssueRegistry,
) -> None:
    await camera.set_rssi(None)
    await camera.set_signal_level(1)
    await add_camera(hass, camera)
    for _ in range(4):
        await advance(hass, freezer, POLL)
    issue = card(issue_registry)
    assert issue is not None
    assert issue.translation_key == "weak_wifi_level"
    assert issue.translation_placeholders["level"] == "1"

    await camera.set_signal_level(3)
    for _ in range(10):
        await advance(hass, freezer, POLL)
    assert card(issue_registry) is None


async def test_a_battery_camera_running_low_gets_a_card_that_clears(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    simulator: Simulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    garden = await simulator.add_tapo_camera(alias="Garden", battery=True)
    await add_camera(hass, garden)
    assert card(issue_registry) is None
    await garden.set_battery(12, low=True)
    await advance(hass, freezer, POLL)
    issue = card(issue_registry)
    assert issue is not None
    assert issue.translation_key == "battery_low"
    assert issue.translation_placeholders["battery"] == "12"
    assert issue.translation_placeholders["steps"].startswith("1. Charge the camera")

    await garden.set_battery(90, low=False)
    await advance(hass, freezer, POLL)
    assert card(issue_registry) is None
