"""Careless and hostile input: a clear error, and nothing changed."""

from __future__ import annotations

import base64
from datetime import timedelta
import math

from freezegun.api import TickingDateTimeFactory
from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigEntryDisabler
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.red_light_doctor.const import (
    CONF_CREDENTIALS_HASH,
    CONF_GRACE_PERIOD,
    CONF_POLL_INTERVAL,
    CONF_POWER_SWITCH,
    CONF_WEAK_SIGNAL_DBM,
    DOMAIN,
)
from custom_components.red_light_doctor.events import EVENT_FINDING
from simulator import SimulatedPlug, Simulator
from simulator.smartdevice import DEFAULT_CAMERA_PASSWORD, DEFAULT_USERNAME

from .conftest import advance, watch
from .foreign_devices import ForeignDevice, add_blink_camera, add_blink_sync_module
from .test_config_flow import start, submit
from .test_tapo import add_through_the_flow
from .test_watched_devices import watch_device

OPTIONS = {CONF_POLL_INTERVAL: 30, CONF_GRACE_PERIOD: 3, CONF_WEAK_SIGNAL_DBM: -70}


@pytest.fixture
async def blink_camera(hass: HomeAssistant) -> ForeignDevice:
    sync = await add_blink_sync_module(hass, "Home")
    return await add_blink_camera(hass, "Front door", sync)


async def test_a_broadcast_address_is_not_a_host(
    hass: HomeAssistant, plug: SimulatedPlug
) -> None:
    result = await start(hass)
    for address in ("255.255.255.255", "127.255.255.255", "0.0.0.0", "224.0.0.1"):
        result = await submit(hass, result["flow_id"], host=address)
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {CONF_HOST: "not_a_host"}
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_nan_in_the_options_is_an_error_not_a_crash(
    hass: HomeAssistant, plug: SimulatedPlug, blink_camera: ForeignDevice
) -> None:
    for entry in (await watch(hass, plug), await watch_device(hass, blink_camera)):
        numbers = {k: v for k, v in OPTIONS.items() if k != CONF_POLL_INTERVAL}
        if entry.data.get(CONF_HOST):
            numbers[CONF_POLL_INTERVAL] = 30
        before = dict(entry.options)
        for key in numbers:
            result = await hass.config_entries.options.async_init(entry.entry_id)
            result = await hass.config_entries.options.async_configure(
                result["flow_id"], {**numbers, key: math.nan}
            )
            assert result["type"] is FlowResultType.FORM
            assert result["errors"] == {key: "not_a_number"}
        assert dict(entry.options) == before


async def test_a_power_switch_named_by_its_registry_id_is_kept_by_its_entity_id(
    hass: HomeAssistant, plug: SimulatedPlug, entity_registry: er.EntityRegistry
) -> None:
    switch = entity_registry.async_get_or_create(
        "switch", "demo", "feeding-plug", suggested_object_id="camera_plug"
    )
    entry = await watch(hass, plug)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**OPTIONS, CONF_POWER_SWITCH: switch.id}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_POWER_SWITCH] == "switch.camera_plug"


async def test_reconfigure_of_a_watched_device_says_there_is_no_address(
    hass: HomeAssistant, blink_camera: ForeignDevice
) -> None:
    entry = await watch_device(hass, blink_camera)
    data = dict(entry.data)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "nothing_to_reconfigure"
    assert dict(entry.data) == data


async def test_reconfigure_towards_a_device_being_added_names_the_real_problem(
    hass: HomeAssistant, simulator: Simulator, plug: SimulatedPlug
) -> None:
    entry = await watch(hass, plug)
    tapo = await simulator.add_tapo_plug(alias="Kettle")
    # Someone is adding the Tapo plug and has not typed its login yet.
    adding = await start(hass)
    adding = await submit(hass, adding["flow_id"], host=tapo.host)
    assert adding["step_id"] == "credentials"

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    result = await submit(hass, result["flow_id"], host=tapo.host)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"
    assert entry.data[CONF_HOST] == plug.host


async def test_diagnostics_of_a_disabled_entry_are_its_settings(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, plug: SimulatedPlug
) -> None:
    entry = await watch(hass, plug)
    await hass.config_entries.async_set_disabled_by(
        entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["entry"]["state"] == "not_loaded"
    assert diagnostics["entry"]["data"][CONF_HOST] == "**REDACTED**"
    assert "findings" not in diagnostics


async def test_a_refused_password_is_not_handed_back_to_the_form(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    tapo = await simulator.add_tapo_plug(alias="Kettle")
    result = await start(hass)
    result = await submit(hass, result["flow_id"], host=tapo.host)
    assert result["step_id"] == "credentials"
    result = await submit(
        hass, result["flow_id"], username="me@example.com", password="wrong-secret"
    )
    assert result["errors"] == {"base": "invalid_auth"}
    suggested = {
        str(key): (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }
    assert suggested == {CONF_USERNAME: "me@example.com", CONF_PASSWORD: None}


async def test_a_tapo_cameras_password_stays_out_of_logs_events_and_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: TickingDateTimeFactory,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    camera = await simulator.add_tapo_camera(alias="Front door")
    events: list[Event] = []
    hass.bus.async_listen(EVENT_FINDING, events.append)
    assert camera.host is not None
    await add_through_the_flow(
        hass, camera.host, username=DEFAULT_USERNAME, password=DEFAULT_CAMERA_PASSWORD
    )
    (entry,) = hass.config_entries.async_entries(DOMAIN)
    # What the README says: the camera's login is kept as it was typed.
    stored = base64.b64decode(entry.data[CONF_CREDENTIALS_HASH]).decode()
    assert DEFAULT_CAMERA_PASSWORD in stored

    await camera.power_off()
    for _ in range(5):
        await advance(hass, freezer, timedelta(minutes=2))
    assert events
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    for text in (caplog.text, repr(events), repr(diagnostics)):
        assert DEFAULT_CAMERA_PASSWORD not in text
        assert DEFAULT_USERNAME not in text
        assert entry.data[CONF_CREDENTIALS_HASH] not in text
