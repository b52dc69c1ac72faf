"""Everything a repair card knows, for automations: events, triggers, actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import TickingDateTimeFactory
from homeassistant.components import automation
from homeassistant.components.blueprint import models as blueprint_models
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.const import ATTR_DEVICE_ID, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_get_device_automation_capabilities,
    async_get_device_automations,
    async_mock_service,
)

from custom_components.red_light_doctor.compat import devices_with_connection
from custom_components.red_light_doctor.const import DOMAIN
from custom_components.red_light_doctor.events import EVENT_FINDING
from simulator import SimulatedPlug, Simulator

from .conftest import advance, watch

POLL = timedelta(seconds=30)
BLUEPRINTS = Path(__file__).parents[1] / "blueprints/automation/red_light_doctor"
EVENT_ENTITY = "event.desk_lamp_findings"


def device_of(hass: HomeAssistant, plug: SimulatedPlug) -> dr.DeviceEntry:
    (device,) = devices_with_connection(
        hass, (dr.CONNECTION_NETWORK_MAC, dr.format_mac(plug.mac))
    )
    return device


async def go_dark(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    **waiting: bool,
) -> None:
    """Power the plug off and wait until the offline card is open."""
    await plug.power_off()
    for _ in range(5):
        await advance(hass, freezer, timedelta(minutes=2), **waiting)


async def come_back(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    **waiting: bool,
) -> None:
    await plug.power_on()
    await advance(hass, freezer, timedelta(minutes=5), **waiting)


async def test_the_bus_event_carries_the_documented_payload(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, plug: SimulatedPlug
) -> None:
    entry = await watch(hass, plug)
    events = async_capture_events(hass, EVENT_FINDING)
    await go_dark(hass, freezer, plug)

    (detected,) = events
    assert detected.data == {
        "device_id": device_of(hass, plug).id,
        "entry_id": entry.entry_id,
        "state": "detected",
        "cause": "offline",
        "severity": "error",
        "summary": "Desk lamp is offline",
        "steps": detected.data["steps"],
        "evidence": {"offline_for": detected.data["evidence"]["offline_for"]},
        "since": detected.data["since"],
    }
    assert detected.data["steps"][0].startswith("Check the power")
    assert len(detected.data["steps"]) == 6

    await come_back(hass, freezer, plug)
    assert [event.data["state"] for event in events] == ["detected", "cleared"]
    assert events[1].data["cause"] == "offline"


async def test_the_event_entity_fires_offline_and_problem_events(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, plug: SimulatedPlug
) -> None:
    await watch(hass, plug)
    assert hass.states.get(EVENT_ENTITY).state == STATE_UNKNOWN
    changes = async_capture_events(hass, "state_changed")

    await go_dark(hass, freezer, plug)
    await come_back(hass, freezer, plug)

    fired = [
        change.data["new_state"].attributes
        for change in changes
        if change.data["entity_id"] == EVENT_ENTITY
    ]
    assert [attributes["event_type"] for attributes in fired] == [
        "went_offline",
        "problem_detected",
        "problem_cleared",
        "came_online",
    ]
    detected = fired[1]
    assert detected["cause"] == "offline"
    assert detected["severity"] == "error"
    assert detected["summary"] == "Desk lamp is offline"
    assert detected["first_step"].startswith("Check the power")
    assert "offline_for" in detected["evidence"]


async def test_device_triggers_are_offered_and_fire_through_an_automation(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, plug: SimulatedPlug
) -> None:
    await watch(hass, plug)
    device = device_of(hass, plug)
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, device.id
    )
    triggers = [trigger for trigger in triggers if trigger["domain"] == DOMAIN]
    assert {trigger["type"] for trigger in triggers} == {
        "problem_detected",
        "problem_cleared",
        "went_offline",
        "came_online",
    }
    problem = next(t for t in triggers if t["type"] == "problem_detected")
    capabilities = await async_get_device_automation_capabilities(
        hass, DeviceAutomationType.TRIGGER, problem
    )
    assert capabilities["extra_fields"][0]["name"] == "cause"

    calls = async_mock_service(hass, "test", "automation")

    def automation_for(trigger_type: str, **extra: str) -> dict[str, Any]:
        return {
            "alias": trigger_type,
            "triggers": [
                {
                    "trigger": "device",
                    "domain": DOMAIN,
                    "device_id": device.id,
                    "type": trigger_type,
                    **extra,
                }
            ],
            "actions": [
                {
                    "action": "test.automation",
                    "data": {"fired": trigger_type + "".join(extra.values())},
                }
            ],
        }

    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                automation_for("went_offline"),
                automation_for("came_online"),
                automation_for("problem_detected", cause="weak_wifi"),
                automation_for("problem_detected"),
                automation_for("problem_cleared", cause="offline"),
            ]
        },
    )
    await go_dark(hass, freezer, plug)
    assert sorted(call.data["fired"] for call in calls) == [
        "problem_detected",
        "went_offline",
    ]
    await come_back(hass, freezer, plug)
    await plug.set_rssi(-85)
    for _ in range(4):
        await advance(hass, freezer, POLL)
    assert sorted(call.data["fired"] for call in calls[2:]) == [
        "came_online",
        "problem_cleared" + "offline",
        "problem_detected",
        "problem_detected" + "weak_wifi",
    ]


async def test_a_device_of_another_integration_has_no_triggers(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    device = device_registry.async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "1")}
    )
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, device.id
    )
    assert [t for t in triggers if t["domain"] == DOMAIN] == []


async def test_diagnose_returns_the_findings_of_the_chosen_devices(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, simulator: Simulator
) -> None:
    lamp = await simulator.add_plug(alias="Desk lamp")
    fan = await simulator.add_plug(alias="Fan", rssi=-82)
    await watch(hass, lamp)
    fan_entry = await watch(hass, fan)
    for _ in range(3):
        await advance(hass, freezer, POLL)

    everything = await hass.services.async_call(
        DOMAIN, "diagnose", {}, blocking=True, return_response=True
    )
    assert [device["name"] for device in everything["devices"]] == ["Desk lamp", "Fan"]
    assert everything["devices"][0]["findings"] == []

    response = await hass.services.async_call(
        DOMAIN,
        "diagnose",
        {ATTR_DEVICE_ID: [device_of(hass, fan).id]},
        blocking=True,
        return_response=True,
    )
    (device,) = response["devices"]
    assert device["device_id"] == device_of(hass, fan).id
    assert device["entry_id"] == fan_entry.entry_id
    assert device["online"] is True
    (finding,) = device["findings"]
    assert finding["cause"] == "weak_wifi"
    assert finding["severity"] == "warning"
    assert finding["summary"] == "Fan has a weak Wi-Fi signal"
    assert finding["evidence"] == {"signal": "-82", "threshold": "-70"}
    assert finding["steps"][0].startswith("Bring the device and the router closer")


async def test_actions_refuse_targets_that_are_not_watched(
    hass: HomeAssistant, plug: SimulatedPlug, device_registry: dr.DeviceRegistry
) -> None:
    await watch(hass, plug)
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    stranger = device_registry.async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "1")}
    )
    for action, response in (("diagnose", True), ("check_now", False)):
        with pytest.raises(ServiceValidationError) as raised:
            await hass.services.async_call(
                DOMAIN,
                action,
                {ATTR_DEVICE_ID: [stranger.id]},
                blocking=True,
                return_response=response,
            )
        assert raised.value.translation_key == "no_watched_device"
        assert raised.value.translation_domain == DOMAIN


async def test_check_now_polls_at_once(
    hass: HomeAssistant, plug: SimulatedPlug
) -> None:
    await watch(hass, plug)
    before = plug.request_count
    await hass.services.async_call(
        DOMAIN, "check_now", {ATTR_DEVICE_ID: [device_of(hass, plug).id]}, blocking=True
    )
    assert plug.request_count == before + 1
    await hass.services.async_call(DOMAIN, "check_now", {}, blocking=True)
    assert plug.request_count == before + 2


@pytest.fixture
def blueprints_installed(hass: HomeAssistant, tmp_path: Path) -> None:
    """Install the shipped blueprints the way a user's import does."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints/automation/red_light_doctor")


@pytest.mark.parametrize("name", ["notify_on_problem.yaml", "power_cycle.yaml"])
def test_the_blueprints_are_valid(name: str) -> None:
    blueprint = blueprint_models.Blueprint(
        load_yaml_dict(BLUEPRINTS / name),
        expected_domain=automation.DOMAIN,
        schema=automation.config.AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.domain == automation.DOMAIN
    assert blueprint.inputs


async def test_the_notify_blueprint_sends_the_cause_and_first_step(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    blueprints_installed: None,
) -> None:
    await watch(hass, plug)
    notifications = async_mock_service(hass, "notify", "notify")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "use_blueprint": {
                    "path": "red_light_doctor/notify_on_problem.yaml",
                    "input": {"devices": [device_of(hass, plug).id]},
                }
            }
        },
    )
    await go_dark(hass, freezer, plug)
    (notification,) = notifications
    assert notification.data["title"] == "Desk lamp is offline"
    assert notification.data["message"].startswith("Check the power")

    await come_back(hass, freezer, plug)
    assert notifications[1].data["message"] == "Solved: this problem is gone."


@dataclass
class PowerCycleSetup:
    """A camera fed by a smart plug, and the power-cycle blueprint watching it."""

    camera: SimulatedPlug
    turned_off: list[ServiceCall]
    turned_on: list[ServiceCall]
    notifications: list[ServiceCall]


@pytest.fixture
async def power_cycle(
    hass: HomeAssistant, simulator: Simulator, blueprints_installed: None
) -> PowerCycleSetup:
    camera = await simulator.add_plug(alias="Camera")
    await watch(hass, camera)
    setup = PowerCycleSetup(
        camera,
        async_mock_service(hass, "switch", "turn_off"),
        async_mock_service(hass, "switch", "turn_on"),
        async_mock_service(hass, "notify", "notify"),
    )
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "use_blueprint": {
                    "path": "red_light_doctor/power_cycle.yaml",
                    "input": {
                        "watched_device": device_of(hass, camera).id,
                        "power_switch": "switch.camera_plug",
                        "offline_minutes": 10,
                        "off_seconds": 10,
                        "cooldown_hours": 6,
                    },
                }
            }
        },
    )
    return setup


WAITING = {"automations_waiting": True}


async def test_the_power_cycle_blueprint_switches_the_plug_off_and_on(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    power_cycle: PowerCycleSetup,
) -> None:
    setup = power_cycle
    await go_dark(hass, freezer, setup.camera, **WAITING)
    assert (setup.turned_off, setup.turned_on) == ([], [])
    await advance(hass, freezer, timedelta(minutes=10), **WAITING)
    assert (len(setup.turned_off), len(setup.turned_on)) == (1, 0)
    await advance(hass, freezer, timedelta(seconds=10), **WAITING)
    assert (len(setup.turned_off), len(setup.turned_on)) == (1, 1)
    assert setup.turned_on[0].data["entity_id"] == ["switch.camera_plug"]

    # The camera did not come back: the user is told, with the next step.
    for _ in range(3):
        await advance(hass, freezer, timedelta(minutes=5), **WAITING)
    (notification,) = setup.notifications
    assert "did not bring it back" in notification.data["message"]


async def test_a_power_cycle_that_helps_is_quiet_and_not_repeated_soon(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    power_cycle: PowerCycleSetup,
) -> None:
    setup = power_cycle
    await go_dark(hass, freezer, setup.camera, **WAITING)
    await advance(hass, freezer, timedelta(minutes=10), **WAITING)
    await advance(hass, freezer, timedelta(seconds=10), **WAITING)
    assert (len(setup.turned_off), len(setup.turned_on)) == (1, 1)
    await come_back(hass, freezer, setup.camera, **WAITING)
    for _ in range(3):
        await advance(hass, freezer, timedelta(minutes=5), **WAITING)
    assert setup.notifications == []

    # Dark again within the cooling-off period: left alone.
    await go_dark(hass, freezer, setup.camera, **WAITING)
    await advance(hass, freezer, timedelta(minutes=15), **WAITING)
    assert (len(setup.turned_off), len(setup.turned_on)) == (1, 1)
