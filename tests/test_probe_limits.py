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
from homeassistant.config_entries import ConfigEntry, ConfigEntryDisabler
from homeassistant.const import CONF_HOST, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events
import pytest_socket

from custom_components.red_light_doctor import const
from custom_components.red_light_doctor.const import DOMAIN
from custom_components.red_light_doctor.events import EVENT_FINDING
from custom_components.red_light_doctor.probe.kasa import KasaProbe, ProbeError
from simulator import SimulatedPlug, Simulator
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
# A name asked while the network's resolver cannot answer (no DNS server).
UNANSWERED_NAME = "dns-down.lan"


@pytest.fixture
def resolver() -> Iterator[dict[str, str]]:
    """Answer lookups of names as a home network's resolver does.

    The names a test adds resolve to their address; UNKNOWN_NAME is no name
    at all, UNANSWERED_NAME finds the resolver unable to answer. The test
    harness refuses every lookup of a name, each release in its own way.
    """
    known: dict[str, str] = {}
    resolve = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == UNKNOWN_NAME:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if host == UNANSWERED_NAME:
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure")
        return resolve(known.get(host, host), *args, **kwargs)

    with patch("socket.getaddrinfo", getaddrinfo):
        yield known


async def test_a_host_name_that_resolves_to_nothing_is_called_unknown(
    hass: HomeAssistant, simulator: Simulator, resolver: dict[str, str]
) -> None:
    result = await start(hass)
    result = await submit(hass, result["flow_id"], host=UNKNOWN_NAME)
    assert result["errors"] == {CONF_HOST: "unknown_host"}
    assert result["description_placeholders"]["host"] == UNKNOWN_NAME


async def test_a_host_name_is_not_called_unknown_while_the_resolver_is_down(
    hass: HomeAssistant, simulator: Simulator, resolver: dict[str, str]
) -> None:
    result = await start(hass)
    result = await submit(hass, result["flow_id"], host=UNANSWERED_NAME)
    assert result["errors"] == {"base": "cannot_connect"}


async def test_a_plug_is_added_by_a_host_name_the_network_knows(
    hass: HomeAssistant, plug: SimulatedPlug, resolver: dict[str, str]
) -> None:
    resolver["desk-lamp.lan"] = plug.host
    result = await start(hass)
    result = await submit(hass, result["flow_id"], host="desk-lamp.lan")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_HOST] == "desk-lamp.lan"


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


async def disable_during_a_slow_check(
    hass: HomeAssistant, entry: ConfigEntry, tapo: SmartPlug
) -> asyncio.Task[Any]:
    """Press Check now on a slow plug and disable its entry while it waits.

    Returns the press, still running.
    """
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
    return check


async def test_disabling_a_plug_during_a_slow_check_leaves_the_plug_alone(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, tapo: SmartPlug
) -> None:
    assert tapo.host is not None
    result = await add_through_the_flow(hass, tapo.host, **LOGIN)
    await advance(hass, freezer, POLL)

    check = await disable_during_a_slow_check(hass, result["result"], tapo)
    handshakes, asked = tapo.handshake_count, tapo.received_count
    await check
    await hass.async_block_till_done(wait_background_tasks=True)
    assert tapo.handshake_count == handshakes
    assert tapo.received_count == asked
    # And sees every connection closed, as a client that left closes them.
    await klap_connections_closed(tapo)


async def test_a_check_cut_short_by_disabling_is_not_taken_for_silence(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    tapo: SmartPlug,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert tapo.host is not None
    result = await add_through_the_flow(hass, tapo.host, **LOGIN)
    await advance(hass, freezer, POLL)
    findings = async_capture_events(hass, EVENT_FINDING)
    caplog.clear()

    await (await disable_during_a_slow_check(hass, result["result"], tapo))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not [r for r in caplog.records if "stopped answering" in r.getMessage()]
    assert findings == []


async def test_a_check_cut_short_by_disabling_does_not_search_the_network(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, tapo: SmartPlug
) -> None:
    assert tapo.host is not None
    result = await add_through_the_flow(hass, tapo.host, **LOGIN)
    # One silent poll: the next silent one searches the network for the plug.
    await tapo.blackhole(True)
    await advance(hass, freezer, POLL)
    assert result["result"].runtime_data.history.consecutive_failures == 1
    await tapo.blackhole(False)
    searched = tapo.discovery_count

    await (await disable_during_a_slow_check(hass, result["result"], tapo))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert tapo.discovery_count == searched
