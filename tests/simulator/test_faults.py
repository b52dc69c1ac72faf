"""Each fault as python-kasa reports it (see the table in simulator/README.md)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from kasa import Device, Discover, KasaException
from kasa.exceptions import TimeoutError as KasaTimeoutError, _RetryableError
import pytest
import pytest_asyncio

from simulator import SimulatedPlug, Simulator

from .conftest import connect


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest_asyncio.fixture
async def clocked(clock: Clock) -> AsyncIterator[Simulator]:
    async with Simulator(clock=clock) as simulator:
        yield simulator


@pytest_asyncio.fixture
async def plug(clocked: Simulator) -> SimulatedPlug:
    return await clocked.add_plug(alias="Desk lamp")


@pytest_asyncio.fixture
async def dev(plug: SimulatedPlug) -> AsyncIterator[Device]:
    device = await connect(plug.host)
    yield device
    await device.disconnect()


def open_connections(plug: SimulatedPlug) -> int:
    return len(plug.endpoints[0].connections)  # type: ignore[attr-defined]


async def test_power_off_and_on(plug: SimulatedPlug, dev: Device, clock: Clock) -> None:
    await dev.turn_off()
    clock.now += 600
    assert open_connections(plug) == 1  # python-kasa keeps its connection open
    await plug.power_off()
    assert open_connections(plug) == 0

    with pytest.raises(KasaTimeoutError) as err:
        await dev.update()
    assert type(err.value.__cause__) is TimeoutError  # the builtin one
    assert plug.dropped_count >= 1
    assert plug.host is not None
    with pytest.raises(KasaTimeoutError, match="Timed out getting discovery"):
        await Discover.discover_single(plug.host, discovery_timeout=1)

    clock.now += 60
    await plug.power_on()  # a boot: relay to its power-on state, on_time anew
    clock.now += 7
    await dev.update()
    assert dev.is_on
    assert dev.sys_info["on_time"] == 7


async def test_power_on_state_is_configurable(clocked: Simulator) -> None:
    plug = await clocked.add_plug(alias="Stays off", power_on_relay=False)
    assert plug.describe()["relay"] is True
    await plug.power_off()
    await plug.power_on()
    assert plug.describe()["relay"] is False
    assert plug.on_time == 0


async def test_connect_to_a_powered_off_device_times_out(plug: SimulatedPlug) -> None:
    await plug.power_off()
    with pytest.raises(KasaTimeoutError) as err:
        await connect(plug.host)
    assert type(err.value.__cause__) is TimeoutError


async def test_blackhole(plug: SimulatedPlug, dev: Device) -> None:
    await plug.blackhole(True)
    with pytest.raises(KasaTimeoutError) as err:
        await dev.update()
    assert type(err.value.__cause__) is TimeoutError
    assert plug.host is not None
    # Hung firmware still answers discovery.
    assert await Discover.discover_single(plug.host, discovery_timeout=1)
    await plug.blackhole(False)
    await dev.update()
    assert dev.is_on


async def test_refuse(plug: SimulatedPlug, dev: Device) -> None:
    await plug.refuse(True)
    assert open_connections(plug) == 0
    with pytest.raises(KasaException) as err:
        await dev.update()
    assert type(err.value) is KasaException
    assert isinstance(err.value.__cause__, ConnectionRefusedError)
    with pytest.raises(KasaException) as err:
        await dev.turn_on()
    assert type(err.value.__cause__) is KasaException  # "Communication error"
    assert isinstance(err.value.__cause__.__cause__, ConnectionRefusedError)
    assert plug.host is not None
    found = await Discover.discover_single(plug.host, discovery_timeout=1)
    assert found is not None
    await found.disconnect()
    await plug.refuse(False)
    await dev.update()


async def test_malformed(plug: SimulatedPlug, dev: Device) -> None:
    await plug.malformed(True)
    answered = plug.request_count
    with pytest.raises(_RetryableError) as err:
        await dev.update()
    assert isinstance(err.value.__cause__, ValueError)  # a JSONDecodeError
    assert plug.request_count == answered + 4  # python-kasa tried 4 times
    await plug.malformed(False)
    await dev.update()


async def test_slow(plug: SimulatedPlug, dev: Device) -> None:
    loop = asyncio.get_running_loop()
    await plug.slow(0.3)
    started = loop.time()
    await dev.update()
    assert loop.time() - started >= 0.3
    await plug.slow(1.5)  # longer than the client's 1 s timeout
    with pytest.raises(KasaTimeoutError) as err:
        await dev.protocol.query({"system": {"get_sysinfo": {}}}, retry_count=0)
    assert type(err.value.__cause__) is TimeoutError
    await plug.slow(None)
    await dev.update()
    await plug.settle()


async def test_reboot(plug: SimulatedPlug, dev: Device, clock: Clock) -> None:
    await dev.turn_off()
    clock.now += 300
    await plug.reboot()
    assert open_connections(plug) == 0
    clock.now += 3
    await dev.update()  # python-kasa reconnects by itself
    assert dev.is_on
    assert dev.sys_info["on_time"] == 3


async def test_move_to(clocked: Simulator, plug: SimulatedPlug, dev: Device) -> None:
    old_host = plug.host
    assert old_host is not None
    new_host = await plug.move_to("127.0.1.77")
    assert plug.host == new_host == "127.0.1.77"
    assert clocked.get(plug.mac) is plug
    assert clocked.get("127.0.1.77") is plug
    with pytest.raises(KasaException) as err:
        await dev.update()
    assert isinstance(err.value.__cause__, ConnectionRefusedError)
    with pytest.raises(KasaTimeoutError):
        await Discover.discover_single(old_host, discovery_timeout=1)

    moved = await connect(new_host)
    try:
        assert moved.mac == plug.mac
        assert moved.alias == "Desk lamp"
    finally:
        await moved.disconnect()
    found = await Discover.discover_single(new_host, discovery_timeout=1)
    assert found is not None
    assert found.mac == plug.mac
    await found.disconnect()


async def test_move_to_a_taken_address_fails_cleanly(clocked: Simulator) -> None:
    first = await clocked.add_plug(alias="First")
    second = await clocked.add_plug(alias="Second")
    assert first.host is not None
    with pytest.raises(OSError, match="in use"):
        await second.move_to(first.host)
    dev = await connect(second.host)  # still serving at its address
    await dev.disconnect()


async def test_one_poll_is_one_round_trip(plug: SimulatedPlug, dev: Device) -> None:
    before = plug.request_count
    await dev.update()
    assert plug.request_count == before + 1
    await plug.wait_for_requests(before + 1)
