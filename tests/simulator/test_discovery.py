"""Broadcast and unicast discovery with python-kasa's Discover."""

from __future__ import annotations

from kasa import Discover
from kasa.exceptions import TimeoutError as KasaTimeoutError
import pytest

from simulator import BROADCAST_ADDRESS, Simulator

from .conftest import CLIENT_TIMEOUT


async def test_broadcast_finds_every_powered_device(sim: Simulator) -> None:
    assert sim.broadcast_available
    lamp = await sim.add_plug(alias="Lamp")
    heater = await sim.add_plug(alias="Heater", emeter=True)
    dark = await sim.add_plug(alias="Dark")
    mover = await sim.add_plug(alias="Mover", model="KP115", emeter=True)
    old_host = mover.host
    await dark.power_off()
    new_host = await mover.move_to()
    assert new_host != old_host

    found = await Discover.discover(
        target=BROADCAST_ADDRESS, discovery_timeout=1, timeout=CLIENT_TIMEOUT
    )
    try:
        # Other fleets (other test processes) may answer the broadcast too:
        # compare by MAC.
        by_mac = {dev.mac: host for host, dev in found.items()}
        assert by_mac[lamp.mac] == lamp.host
        assert by_mac[heater.mac] == heater.host
        assert by_mac[mover.mac] == new_host
        assert dark.mac not in by_mac
        assert found[new_host].alias == "Mover"
        assert found[heater.host].alias == "Heater"
        # python-kasa sends 3 packets (other processes may broadcast too).
        assert lamp.discovery_count >= 3
        assert heater.discovery_count >= 3
        assert dark.discovery_count == 0
    finally:
        for device in found.values():
            await device.disconnect()


async def test_two_fleets_share_the_broadcast_address() -> None:
    async with Simulator() as first, Simulator() as second:
        one = await first.add_plug(alias="One")
        two = await second.add_plug(alias="Two")
        assert one.host != two.host
        found = await Discover.discover(target=BROADCAST_ADDRESS, discovery_timeout=1)
        try:
            assert {one.host, two.host} <= set(found)
        finally:
            for device in found.values():
                await device.disconnect()


@pytest.mark.parametrize("emeter", [False, True])
async def test_discover_single_then_update_twice(sim: Simulator, emeter: bool) -> None:
    plug = await sim.add_plug(alias="Desk lamp", emeter=emeter)
    assert plug.host is not None
    dev = await Discover.discover_single(
        plug.host, discovery_timeout=1, timeout=CLIENT_TIMEOUT
    )
    assert dev is not None
    try:
        assert dev.alias == "Desk lamp"
        assert plug.discovery_count >= 1
        # The discovery reply stands in for the sysinfo query: no TCP yet, then
        # one round trip per update.
        assert plug.request_count == 0
        await dev.update()
        await dev.update()
        assert plug.request_count == 2
        assert dev.mac == plug.mac
        assert dev.has_emeter is emeter
    finally:
        await dev.disconnect()


async def test_discover_single_of_a_powered_off_device_times_out(
    sim: Simulator,
) -> None:
    plug = await sim.add_plug(alias="Dark")
    await plug.power_off()
    assert plug.host is not None
    with pytest.raises(KasaTimeoutError, match="Timed out getting discovery"):
        await Discover.discover_single(plug.host, discovery_timeout=1)
    await plug.power_on()
    dev = await Discover.discover_single(plug.host, discovery_timeout=1)
    assert dev is not None
    await dev.disconnect()
