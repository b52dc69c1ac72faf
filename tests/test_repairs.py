"""The cards' fix flows, driven through the repairs HTTP API as the frontend does."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Any

from freezegun.api import TickingDateTimeFactory
from homeassistant.const import CONF_HOST, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.red_light_doctor.const import (
    CONF_GRACE_PERIOD,
    CONF_POLL_INTERVAL,
    CONF_POWER_SWITCH,
    CONF_WEAK_SIGNAL_DBM,
    DOMAIN,
)
from simulator import SimulatedPlug, Simulator

from .conftest import advance, state_of, watch

POLL = timedelta(seconds=30)
FEEDING_SWITCH = "switch.camera_plug"
FED_BY_SWITCH = {
    CONF_POLL_INTERVAL: 30,
    CONF_GRACE_PERIOD: 3,
    CONF_WEAK_SIGNAL_DBM: -70,
    CONF_POWER_SWITCH: FEEDING_SWITCH,
}


class RepairsClient:
    """Opens and steps through a card's fix flow over HTTP."""

    def __init__(self, hass: HomeAssistant, connect: ClientSessionGenerator) -> None:
        self.hass = hass
        self.connect = connect
        self.client: Any = None
        self.flow_id = ""

    async def open(self, issue_id: str) -> dict[str, Any]:
        # Connected on first use: the web server's routes freeze when a client
        # connects, and our integration's dependencies add routes at setup.
        self.client = self.client or await self.connect()
        response = await self.client.post(
            "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
        )
        assert response.status == HTTPStatus.OK
        result: dict[str, Any] = await response.json()
        self.flow_id = result["flow_id"]
        return result

    async def submit(self, **data: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/repairs/issues/fix/{self.flow_id}", json=data
        )
        assert response.status == HTTPStatus.OK
        result: dict[str, Any] = await response.json()
        return result

    async def through_progress(self, **data: Any) -> dict[str, Any]:
        """Choose a fix, let its work finish, and return the step after it."""
        result = await self.submit(**data)
        # Home Assistant moves a flow on by itself once its progress task ends;
        # the frontend then asks for the next step, as we do here.
        while result["type"] in ("progress", "progress_done"):
            await self.hass.async_block_till_done()
            result = await self.submit()
        return result


@pytest.fixture
async def repairs(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> RepairsClient:
    assert await async_setup_component(hass, "repairs", {})
    return RepairsClient(hass, hass_client)


def card(issue_registry: ir.IssueRegistry) -> ir.IssueEntry | None:
    issues = [i for (d, _), i in issue_registry.issues.items() if d == DOMAIN]
    assert len(issues) <= 1
    return issues[0] if issues else None


async def go_dark(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, plug: SimulatedPlug
) -> None:
    await plug.power_off()
    for _ in range(5):
        await advance(hass, freezer, timedelta(minutes=2))


async def test_check_again_keeps_the_card_until_the_device_answers(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
    repairs: RepairsClient,
) -> None:
    await watch(hass, plug)
    await go_dark(hass, freezer, plug)
    issue = card(issue_registry)
    assert issue is not None
    assert issue.is_fixable

    result = await repairs.open(issue.issue_id)
    assert result["type"] == "menu"
    assert result["menu_options"] == ["check_again", "find_device"]
    assert result["description_placeholders"]["steps"].startswith("1. Check the power")

    result = await repairs.submit(next_step_id="check_again")
    assert result["step_id"] == "check_again"
    result = await repairs.submit()
    assert result["errors"] == {"base": "still_offline"}
    minutes, unit = result["description_placeholders"]["last_seen_ago"].split()
    assert unit == "min"
    assert int(minutes) >= 9
    assert card(issue_registry) is not None

    await plug.power_on()
    result = await repairs.submit()
    assert result["type"] == "create_entry"
    assert card(issue_registry) is None
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_ON


async def test_a_card_without_fixes_goes_straight_to_checking_again(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    simulator: Simulator,
    issue_registry: ir.IssueRegistry,
    repairs: RepairsClient,
) -> None:
    plug = await simulator.add_plug(alias="Garage", rssi=-82)
    await watch(hass, plug)
    for _ in range(3):
        await advance(hass, freezer, POLL)
    issue = card(issue_registry)
    assert issue is not None
    result = await repairs.open(issue.issue_id)
    assert result["type"] == "form"
    assert result["step_id"] == "check_again"
    assert result["description_placeholders"]["signal"] == "-82"
    result = await repairs.submit()
    assert result["errors"] == {"base": "still_weak_wifi"}
    assert card(issue_registry) is not None


async def test_a_card_that_closed_meanwhile_says_so(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
    repairs: RepairsClient,
) -> None:
    entry = await watch(hass, plug)
    await go_dark(hass, freezer, plug)
    issue = card(issue_registry)
    assert issue is not None
    await hass.config_entries.async_unload(entry.entry_id)
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue.issue_id,
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key="offline",
        data=issue.data,
    )
    result = await repairs.open(issue.issue_id)
    assert result == {**result, "type": "abort", "reason": "not_loaded"}


async def test_a_moved_plug_is_followed_without_a_card(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    entry = await watch(hass, plug)
    new_host = await plug.move_to()
    for _ in range(3):
        await advance(hass, freezer, POLL)
    assert entry.data[CONF_HOST] == new_host
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_ON
    assert card(issue_registry) is None


async def test_a_plug_that_moved_while_dark_is_found_from_its_card(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
    repairs: RepairsClient,
) -> None:
    entry = await watch(hass, plug)
    old_host = plug.host
    await go_dark(hass, freezer, plug)
    issue = card(issue_registry)
    assert issue is not None

    result = await repairs.open(issue.issue_id)
    result = await repairs.through_progress(next_step_id="find_device")
    assert result["errors"] == {"base": "not_found"}
    assert entry.data[CONF_HOST] == old_host

    new_host = await plug.move_to()
    await plug.power_on()
    await repairs.open(issue.issue_id)
    result = await repairs.through_progress(next_step_id="find_device")
    assert result["type"] == "create_entry"
    assert entry.data[CONF_HOST] == new_host
    assert card(issue_registry) is None


async def test_an_address_that_keeps_changing_suggests_a_reservation(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    await watch(hass, plug)
    for _ in range(2):
        await plug.move_to()
        for _ in range(3):
            await advance(hass, freezer, POLL)
        await advance(hass, freezer, timedelta(minutes=10))
    issue = card(issue_registry)
    assert issue is not None
    assert issue.translation_key == "moving_address"
    assert issue.translation_placeholders["changes"] == "2"


@pytest.fixture
async def no_cloud_card(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> ir.IssueEntry:
    """The card of a plug that lost its cloud link: one that offers a restart."""
    await watch(hass, plug)
    await plug.set_cloud(False)
    for _ in range(8):
        await advance(hass, freezer, POLL)
    issue = card(issue_registry)
    assert issue is not None
    return issue


async def test_restart_reboots_the_plug_and_waits_for_it(
    hass: HomeAssistant,
    plug: SimulatedPlug,
    no_cloud_card: ir.IssueEntry,
    issue_registry: ir.IssueRegistry,
    repairs: RepairsClient,
) -> None:
    result = await repairs.open(no_cloud_card.issue_id)
    assert result["menu_options"] == ["check_again", "restart"]
    result = await repairs.through_progress(next_step_id="restart")
    assert {"system": {"reboot": {"delay": 1}}} in plug.requests
    assert state_of(hass, plug, "sensor", "reboots") == "1"
    assert state_of(hass, plug, "binary_sensor", "connectivity") == STATE_ON
    # The restart did not bring the cloud back: the card says so and stays.
    assert result["errors"] == {"base": "still_no_cloud"}
    assert card(issue_registry) is not None


async def test_a_restart_the_plug_does_not_take_leaves_the_card(
    plug: SimulatedPlug,
    no_cloud_card: ir.IssueEntry,
    issue_registry: ir.IssueRegistry,
    repairs: RepairsClient,
) -> None:
    await repairs.open(no_cloud_card.issue_id)
    await plug.refuse(True)
    result = await repairs.through_progress(next_step_id="restart")
    assert result["errors"] == {"base": "restart_failed"}
    assert card(issue_registry) is not None


@pytest.fixture
async def camera(hass: HomeAssistant, simulator: Simulator) -> SimulatedPlug:
    """A device fed by a smart plug that Home Assistant switches."""
    device = await simulator.add_plug(alias="Camera")

    async def turn_on(call: ServiceCall) -> None:
        await device.power_on()
        hass.states.async_set(FEEDING_SWITCH, STATE_ON)

    hass.services.async_register("switch", "turn_on", turn_on)
    hass.states.async_set(FEEDING_SWITCH, STATE_ON)
    return device


async def test_a_switched_off_feeding_plug_is_named_and_switched_back_on(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    camera: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
    repairs: RepairsClient,
) -> None:
    entry = await watch(hass, camera, **FED_BY_SWITCH)
    hass.states.async_set(FEEDING_SWITCH, STATE_OFF)
    await go_dark(hass, freezer, camera)
    issue = card(issue_registry)
    assert issue is not None
    assert issue.translation_key == "offline_power_switch_off"

    data_before = dict(entry.data)
    result = await repairs.open(issue.issue_id)
    assert result["menu_options"] == ["check_again", "turn_on_power_switch"]
    result = await repairs.through_progress(next_step_id="turn_on_power_switch")
    assert result["type"] == "create_entry"
    assert card(issue_registry) is None
    assert state_of(hass, camera, "binary_sensor", "connectivity") == STATE_ON
    assert dict(entry.data) == data_before


async def test_a_feeding_plug_that_will_not_switch_leaves_the_card(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    camera: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
    repairs: RepairsClient,
) -> None:
    await watch(hass, camera, **FED_BY_SWITCH)

    async def broken(call: ServiceCall) -> None:
        raise HomeAssistantError("the plug is unavailable")

    hass.services.async_register("switch", "turn_on", broken)
    hass.states.async_set(FEEDING_SWITCH, STATE_OFF)
    await go_dark(hass, freezer, camera)
    issue = card(issue_registry)
    assert issue is not None
    result = await repairs.open(issue.issue_id)
    result = await repairs.through_progress(next_step_id="turn_on_power_switch")
    assert result["errors"] == {"base": "switch_failed"}
    assert card(issue_registry) is not None


async def test_with_its_feeding_plug_on_the_card_looks_past_the_outlet(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    camera: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    await watch(hass, camera, **FED_BY_SWITCH)
    await go_dark(hass, freezer, camera)
    issue = card(issue_registry)
    assert issue is not None
    assert issue.translation_key == "offline_powered"
    assert issue.translation_placeholders["steps"].startswith(
        "1. The smart plug that powers it is on"
    )


async def test_an_ignored_card_stays_ignored_until_the_device_recovers(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    await watch(hass, plug)
    await go_dark(hass, freezer, plug)
    issue = card(issue_registry)
    assert issue is not None
    issue_registry.async_ignore(DOMAIN, issue.issue_id, True)
    await advance(hass, freezer, timedelta(minutes=5))
    still = card(issue_registry)
    assert still is not None
    assert still.dismissed_version is not None

    await plug.power_on()
    await advance(hass, freezer, timedelta(minutes=5))
    assert card(issue_registry) is None

    await go_dark(hass, freezer, plug)
    fresh = card(issue_registry)
    assert fresh is not None
    assert fresh.dismissed_version is None
