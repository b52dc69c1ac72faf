"""Plugs that need a TP-Link login (Tapo, newer Kasa), through python-kasa's KLAP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from freezegun.api import TickingDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import CONF_DEVICE, CONF_PASSWORD, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.device_registry import format_mac
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.red_light_doctor.const import (
    CONF_CONNECTION,
    CONF_CREDENTIALS_HASH,
    DOMAIN,
)
from simulator import Simulator
from simulator.smartdevice import DEFAULT_PASSWORD, DEFAULT_USERNAME, SmartPlug

from .conftest import advance, state_of
from .test_config_flow import start
from .test_repairs import RepairsClient, card

POLL = timedelta(seconds=30)
LOGIN = {"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD}


@pytest.fixture
async def tapo(simulator: Simulator) -> SmartPlug:
    return await simulator.add_tapo_plug(alias="Kettle")


async def add_through_the_flow(
    hass: HomeAssistant, host: str, **login: str
) -> dict[str, Any]:
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": host}
    )
    if login:
        assert result["step_id"] == "credentials"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], login
        )
    await hass.async_block_till_done(wait_background_tasks=True)
    return result


async def test_a_tapo_plug_is_added_with_a_login_that_is_not_stored(
    hass: HomeAssistant, simulator: Simulator, tapo: SmartPlug
) -> None:
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": ""}
    )
    assert result["step_id"] == "pick_device"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: format_mac(tapo.mac)}
    )
    assert result["step_id"] == "credentials"
    assert result["description_placeholders"]["model"] == "P110"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**LOGIN, CONF_PASSWORD: "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert hass.config_entries.async_entries(DOMAIN) == []

    result = await hass.config_entries.flow.async_configure(result["flow_id"], LOGIN)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Kettle"
    data = result["data"]
    assert data[CONF_CREDENTIALS_HASH]
    assert DEFAULT_PASSWORD not in str(data)
    assert DEFAULT_USERNAME not in str(data)
    assert data[CONF_CONNECTION]["connection_type"]["encryption_type"] == "KLAP"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, tapo, "binary_sensor", "connectivity") == STATE_ON
    assert state_of(hass, tapo, "sensor", "signal_strength") == str(tapo.rssi)

    # The next plug of the same account is added without typing the login.
    second = await simulator.add_tapo_plug(alias="Lamp")
    assert second.host is not None
    result = await add_through_the_flow(hass, second.host)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Lamp"


async def test_an_unsupported_login_protocol_is_named_in_the_flow(
    hass: HomeAssistant, tapo: SmartPlug
) -> None:
    assert tapo.host is not None
    await tapo.set_discovery_encryption("TPAP")
    result = await add_through_the_flow(hass, tapo.host)
    assert result["errors"] == {"base": "unsupported_login"}


@pytest.mark.parametrize("after_a_timeout", [False, True])
async def test_a_routine_poll_of_a_tapo_plug_is_one_round_trip(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    tapo: SmartPlug,
    after_a_timeout: bool,
) -> None:
    assert tapo.host is not None
    result = await add_through_the_flow(hass, tapo.host, **LOGIN)
    history = result["result"].runtime_data.history
    if after_a_timeout:
        # python-kasa 0.12.0 stops batching a device's methods after this.
        await tapo.blackhole(True)
        await advance(hass, freezer, POLL)
        assert history.consecutive_failures == 1
        await tapo.blackhole(False)
    # Counted from the next poll on: the one after a timeout logs in again.
    await advance(hass, freezer, POLL)
    requests, polls = tapo.request_count, len(history.signal)
    for _ in range(5):
        await advance(hass, freezer, POLL)
    # Counted against the polls recorded, whatever a loaded machine's timing.
    assert len(history.signal) - polls >= 4
    assert tapo.request_count - requests == len(history.signal) - polls


async def test_a_changed_password_gets_a_login_card_fixed_from_the_card(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: TickingDateTimeFactory,
    tapo: SmartPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    assert tapo.host is not None
    await add_through_the_flow(hass, tapo.host, **LOGIN)
    await tapo.set_credentials(password="a new password")
    for _ in range(5):
        await advance(hass, freezer, timedelta(minutes=2))
    issue = card(issue_registry)
    assert issue is not None
    assert issue.translation_key == "login_refused"
    assert issue.severity is ir.IssueSeverity.ERROR
    assert "Third-Party Compatibility" in issue.translation_placeholders["steps"]

    repairs = RepairsClient(hass, hass_client)
    result = await repairs.open(issue.issue_id)
    assert "new_credentials" in result["menu_options"]
    result = await repairs.submit(next_step_id="new_credentials")
    result = await repairs.submit(**{**LOGIN, CONF_PASSWORD: "still wrong"})
    assert result["errors"] == {"base": "invalid_auth"}
    assert card(issue_registry) is not None

    result = await repairs.submit(**{**LOGIN, CONF_PASSWORD: "a new password"})
    assert result["type"] == "create_entry"
    assert card(issue_registry) is None
    assert state_of(hass, tapo, "binary_sensor", "connectivity") == STATE_ON
    # The login prompt Home Assistant showed meanwhile has nothing left to ask.
    await hass.async_block_till_done()
    assert reauth_flows(hass) == []


def reauth_flows(hass: HomeAssistant) -> list[Any]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


async def test_a_changed_password_is_asked_for_again_by_home_assistant(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    tapo: SmartPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    assert tapo.host is not None
    result = await add_through_the_flow(hass, tapo.host, **LOGIN)
    entry = result["result"]
    saved_hash = entry.data[CONF_CREDENTIALS_HASH]
    await tapo.set_credentials(password="a new password")
    for _ in range(5):
        await advance(hass, freezer, timedelta(minutes=2))
    assert card(issue_registry) is not None
    (flow,) = reauth_flows(hass)
    assert flow["step_id"] == "reauth_confirm"
    assert flow["context"]["title_placeholders"] == {"name": "Kettle"}

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {**LOGIN, CONF_PASSWORD: "still wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert entry.data[CONF_CREDENTIALS_HASH] == saved_hash

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {**LOGIN, CONF_PASSWORD: "a new password"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.data[CONF_CREDENTIALS_HASH] != saved_hash
    assert card(issue_registry) is None
    assert state_of(hass, tapo, "binary_sensor", "connectivity") == STATE_ON


async def reject_the_handshake(tapo: SmartPlug, changed: bool) -> None:
    await tapo.reject_handshake(changed)
    if changed:
        await tapo.expire_sessions()


async def move_to_an_unsupported_login(tapo: SmartPlug, changed: bool) -> None:
    # The old login port is gone, and discovery names the new login.
    await tapo.set_discovery_encryption("TPAP" if changed else None)
    await tapo.refuse(changed)


@pytest.mark.parametrize(
    "firmware_change", [reject_the_handshake, move_to_an_unsupported_login]
)
async def test_a_changed_login_protocol_gets_its_card(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    tapo: SmartPlug,
    issue_registry: ir.IssueRegistry,
    firmware_change: Callable[[SmartPlug, bool], Awaitable[None]],
) -> None:
    assert tapo.host is not None
    await add_through_the_flow(hass, tapo.host, **LOGIN)
    await firmware_change(tapo, True)
    for _ in range(5):
        await advance(hass, freezer, timedelta(minutes=2))
    issue = card(issue_registry)
    assert issue is not None
    assert issue.translation_key == "login_protocol_changed"
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders["steps"].startswith(
        "1. In the Tapo app, open Me → Tapo Lab"
    )

    await firmware_change(tapo, False)
    await advance(hass, freezer, timedelta(minutes=5))
    assert card(issue_registry) is None


async def test_an_overheated_plug_gets_a_card_that_clears(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    tapo: SmartPlug,
    issue_registry: ir.IssueRegistry,
) -> None:
    assert tapo.host is not None
    await add_through_the_flow(hass, tapo.host, **LOGIN)
    await tapo.set_overheated(True)
    await advance(hass, freezer, POLL)
    issue = card(issue_registry)
    assert issue is not None
    assert issue.translation_key == "overheated"
    assert issue.severity is ir.IssueSeverity.ERROR

    await tapo.set_overheated(False)
    await advance(hass, freezer, POLL)
    assert card(issue_registry) is None


NEW_FIRMWARE = "1.4.0 Build 240101 Rel.100000"


@pytest.fixture
async def firmware_card(
    hass: HomeAssistant, tapo: SmartPlug, issue_registry: ir.IssueRegistry
) -> ir.IssueEntry:
    """The card of a Tapo plug whose cloud offers newer firmware."""
    assert await async_setup_component(hass, "repairs", {})
    await tapo.set_firmware_update(NEW_FIRMWARE)
    assert tapo.host is not None
    await add_through_the_flow(hass, tapo.host, **LOGIN)
    issue = card(issue_registry)
    assert issue is not None
    return issue


async def test_newer_firmware_is_installed_from_the_card(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    tapo: SmartPlug,
    firmware_card: ir.IssueEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    issue = firmware_card
    assert issue.translation_key == "firmware_update"
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders["latest"] == NEW_FIRMWARE
    assert issue.translation_placeholders["firmware"] == tapo.fw_ver

    # A failed install says so and leaves the card.
    await tapo.set_update_outcome("fail")
    repairs = RepairsClient(hass, hass_client)
    result = await repairs.open(issue.issue_id)
    assert "install_firmware" in result["menu_options"]
    result = await repairs.through_progress(next_step_id="install_firmware")
    assert result["errors"] == {"base": "firmware_failed"}
    assert card(issue_registry) is not None

    await tapo.set_update_outcome("succeed")
    await repairs.open(issue.issue_id)
    result = await repairs.through_progress(next_step_id="install_firmware")
    assert result["type"] == "create_entry"
    assert tapo.fw_ver.startswith("1.4.0")
    assert card(issue_registry) is None


async def test_firmware_is_not_installed_on_a_dark_device(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: TickingDateTimeFactory,
    tapo: SmartPlug,
    firmware_card: ir.IssueEntry,
) -> None:
    repairs = RepairsClient(hass, hass_client)
    await repairs.open(firmware_card.issue_id)
    await tapo.power_off()
    await advance(hass, freezer, POLL)
    result = await repairs.through_progress(next_step_id="install_firmware")
    assert result["errors"] == {"base": "device_offline"}
    assert tapo.fw_ver != NEW_FIRMWARE
