"""Fixtures for the integration tests: Home Assistant, the simulator, time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from ipaddress import IPv4Address
from typing import Any
from unittest.mock import patch

# Imported before any test freezes time: importing it under freezegun fails on
# its datetime-typed models, and the diagnostics download imports it lazily.
import aiohasupervisor  # noqa: F401
import freezegun
from freezegun.api import TickingDateTimeFactory
from homeassistant.const import CONF_HOST, CONF_MAC
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import format_mac
from homeassistant.util import dt as dt_util
import kasa
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
import pytest_socket

# Imported at module level on purpose: the hass fixture later puts the harness's
# own testing_config first on sys.path, and a first import after that finds the
# harness's custom_components package instead of ours.
import custom_components.red_light_doctor  # noqa: F401
from custom_components.red_light_doctor.const import (
    CONF_MODEL,
    CONF_SOURCE_KIND,
    DOMAIN,
    SOURCE_KASA,
)
from simulator import SimulatedPlug, Simulator

LOOPBACK = [f"127.0.0.{number}" for number in range(1, 64)] + ["127.255.255.255"]
SCHEDULING_MARGIN = timedelta(seconds=10)
PROBE_MODULE = "custom_components.red_light_doctor.probe.kasa"


def pytest_report_header() -> str:
    """Say which python-kasa the run uses: the suite runs on two."""
    return f"python-kasa {kasa.__version__} from {kasa.__file__}"


@pytest.fixture
def freezer() -> Iterator[TickingDateTimeFactory]:
    """Return a clock that runs, and jumps ahead when a test says so.

    A stopped clock would also stop the event loop's, and with it every
    network timeout in python-kasa and in the simulator.
    """
    with freezegun.freeze_time(tick=True) as factory:
        yield factory


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load our integration."""


@pytest.fixture(autouse=True)
def fail_on_deprecated_use(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail a test in which Home Assistant reports use of a deprecated API.

    Home Assistant 2025.4 logs these for what later releases remove.
    """
    yield
    reports = [
        record.getMessage()
        for record in caplog.get_records("call")
        if "Detected that custom integration" in record.getMessage()
    ]
    assert not reports


@pytest.fixture(autouse=True)
def short_device_timeouts() -> Iterator[None]:
    """Wait one second, not five, for a silent simulated device."""
    with (
        patch(f"{PROBE_MODULE}.DEVICE_TIMEOUT", 1),
        patch(f"{PROBE_MODULE}.PROBE_TIMEOUT", 3),
        patch(f"{PROBE_MODULE}.DISCOVERY_TIMEOUT", 2),
        patch(f"{PROBE_MODULE}_spot.DEVICE_TIMEOUT", 1),
    ):
        yield


@pytest.fixture(autouse=True)
def loopback_discovery() -> Iterator[None]:
    """Broadcast discovery on the loopback network, where the simulator listens."""
    with patch(
        "homeassistant.components.network.async_get_ipv4_broadcast_addresses",
        return_value={IPv4Address("127.255.255.255")},
    ):
        yield


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    """Run simulated Kasa devices, each on its own loopback address."""
    pytest_socket.enable_socket()
    pytest_socket.socket_allow_hosts(LOOPBACK, allow_unix_socket=True)
    async with Simulator() as running:
        yield running


@pytest.fixture
async def plug(simulator: Simulator) -> SimulatedPlug:
    """Return a plain simulated plug."""
    return await simulator.add_plug(alias="Desk lamp")


def entry_for(plug: SimulatedPlug, **options: Any) -> MockConfigEntry:
    """Return a config entry that watches a simulated plug."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=plug.alias,
        unique_id=format_mac(plug.mac),
        data={
            CONF_SOURCE_KIND: SOURCE_KASA,
            CONF_HOST: plug.host,
            CONF_MAC: format_mac(plug.mac),
            CONF_MODEL: plug.model,
        },
        options=options,
    )


async def watch(
    hass: HomeAssistant, plug: SimulatedPlug, **options: Any
) -> MockConfigEntry:
    """Set up an entry for a simulated plug and return it."""
    entry = entry_for(plug, **options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def advance(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    delta: timedelta,
    *,
    automations_waiting: bool = False,
) -> None:
    """Move time on and let every poll that falls due run to its end."""
    freezer.tick(delta)
    # The next poll is scheduled from the end of the last one, which may have
    # spent seconds of real time on a silent device or a search; the margin
    # covers that (and the coordinator's own sub-second offset).
    async_fire_time_changed(hass, dt_util.utcnow() + SCHEDULING_MARGIN)
    if automations_waiting:
        await _polls_done(hass)
    else:
        # Scheduled polls run as background tasks, and talk to a real socket.
        await hass.async_block_till_done(wait_background_tasks=True)


async def _polls_done(hass: HomeAssistant) -> None:
    """Wait for the polls alone.

    An automation that waits for a trigger or a delay is a task Home Assistant
    tracks, so waiting for every task would wait for the automation's timer,
    which only the next advance fires.
    """
    await asyncio.sleep(0)
    while pending := [task for task in hass._background_tasks if not task.done()]:
        await asyncio.wait(pending)
    # Let what the polls' listeners started run up to their first wait.
    for _ in range(10):
        await asyncio.sleep(0)


def state_of(hass: HomeAssistant, plug: SimulatedPlug, platform: str, key: str) -> str:
    """Return the state of one of our entities for a simulated plug."""
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{format_mac(plug.mac)}_{key}"
    )
    assert entity_id is not None, f"no {platform} {key}"
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state
