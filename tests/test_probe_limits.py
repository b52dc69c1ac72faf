"""What a probe does at its limits: odd hosts, slow devices, being closed mid-poll."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
import logging
import socket
from typing import Any
from unittest.mock import patch

from freezegun.api import TickingDateTimeFactory
from homeassistant.config_entries import ConfigEntryDisabler
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
import pytest_socket

from custom_components.red_light_doctor import const
from custom_components.red_light_doctor.const import DOMAIN
from custom_components.red_light_doctor.probe.kasa import KasaProbe, ProbeError
from simulator import Simulator
from simulator.httpserver import HttpEndpoint
from simulator.smartdevice import SmartPlug

from .conftest import LOOPBACK, PROBE_MODULE, advance, state_of
from .test_config_flow import start, submit
from .test_tapo import LOGIN, add_through_the_flow

POLL = timedelta(seconds=30)


@pytest.fixture
async def tapo(simulator: Simulator) -> SmartPlug:
    return await simulator.add_tapo_plug(alias="Kettle")


@pytest.fixture
def production_budget() -> Iterator[None]:
    """Give a poll the share of python-kasa's timeout it has outside the tests.

    The test fixtures shorten both, but not in the same proportion.
    """
    with patch(
        f"{PROBE_MODULE}.PROBE_TIMEOUT", const.PROBE_TIMEOUT / const.DEVICE_TIMEOUT
    ):
        yield


async def test_an_ipv6_host_is_checked_without_discovery_errors(
    hass: HomeAssistant, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    host = "2001:db8::10"  # for documentation: no route leads there
    pytest_socket.socket_allow_hosts([*LOOPBACK, host], allow_unix_socket=True)
    result = await start(hass)
    result = await submit(hass, result["flow_id"], host=host)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"]
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


UNKNOWN_NAME = "no-such-plug.invalid"


@pytest.fixture
def resolver() -> Iterator[None]:
    """Answer a lookup of UNKNOWN_NAME as a resolver does: no such name.

    The test harness refuses every lookup of a name, each release in its own
    way; this is what a home network's resolver says.
    """
    resolve = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == UNKNOWN_NAME:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(host, *args, **kwargs)

    with patch("socket.getaddrinfo", getaddrinfo):
        yield


async def test_a_host_name_that_resolves_to_nothing_is_not_called_a_non_kasa_device(
    hass: HomeAssistant, simulator: Simulator, resolver: None
) -> None:
    result = await start(hass)
    result = await submit(hass, result["flow_id"], host=UNKNOWN_NAME)
    assert result["errors"] == {"base": "cannot_connect"}


async def test_a_slow_klap_plug_answers_the_first_poll_of_a_new_session(
    hass: HomeAssistant, tapo: SmartPlug, production_budget: None
) -> None:
    assert tapo.host is not None
    result = await add_through_the_flow(hass, tapo.host, **LOGIN)
    entry = result["result"]
    # Each request takes three quarters of python-kasa's timeout (one second
    # here): a new session's two handshakes and its request together take
    # longer than a poll was given.
    await tapo.slow(0.75)
    handshakes = tapo.handshake_count
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert tapo.handshake_count == handshakes + 1
    assert state_of(hass, tapo, "binary_sensor", "connectivity") == STATE_ON


async def test_a_probe_sends_nothing_once_its_entry_is_unloaded(
    hass: HomeAssistant, tapo: SmartPlug
) -> None:
    assert tapo.host is not None
    result = await add_through_the_flow(hass, tapo.host, **LOGIN)
    entry = result["result"]
    probe: KasaProbe = entry.runtime_data.probe
    assert await hass.config_entries.async_unload(entry.entry_id)
    asked = tapo.received_count

    # What a fix flow or a late poll of the unloaded entry would ask.
    assert not (await probe.poll()).reachable
    with pytest.raises(ProbeError):
        await probe.restart()
    assert await probe.check_firmware() is None
    assert await probe.install_firmware() is False
    assert tapo.received_count == asked


async def klap_connections_closed(tapo: SmartPlug) -> None:
    (endpoint,) = (e for e in tapo.endpoints if isinstance(e, HttpEndpoint))
    await asyncio.wait_for(endpoint.wait_closed(), timeout=5)


async def test_disabling_a_plug_during_a_slow_check_leaves_the_plug_alone(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, tapo: SmartPlug
) -> None:
    assert tapo.host is not None
    result = await add_through_the_flow(hass, tapo.host, **LOGIN)
    entry = result["result"]
    await advance(hass, freezer, POLL)
    button = er.async_get(hass).async_get_entity_id(
        "button", DOMAIN, f"{entry.unique_id}_check_now"
    )
    await tapo.slow(0.5)
    asked = tapo.received_count
    check = hass.async_create_task(
        hass.services.async_call(
            "button", "press", {"entity_id": button}, blocking=True
        )
    )
    await tapo.wait_for_received(asked + 1)

    await hass.config_entries.async_set_disabled_by(
        entry.entry_id, ConfigEntryDisabler.USER
    )
    handshakes, asked = tapo.handshake_count, tapo.received_count
    await check
    await hass.async_block_till_done(wait_background_tasks=True)
    assert tapo.handshake_count == handshakes
    assert tapo.received_count == asked
    # And sees every connection closed, as a client that left closes them.
    await klap_connections_closed(tapo)
