"""python-kasa's real client against simulated plugs: connect, update, control."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from kasa import Device, KasaException, Module
import pytest

from simulator import Simulator

from .conftest import connect

PLAIN_UPDATE = {"system", "schedule", "anti_theft", "time", "cnCloud"}


def feature(dev: Device, name: str) -> Any:
    """Return a feature's value (typed Any: features hold many types)."""
    return dev.features[name].value


@pytest.mark.parametrize(
    ("model", "emeter", "short_model", "hw_ver"),
    [
        ("HS100", False, "HS100", "2.0"),
        ("HS100v1", False, "HS100", "1.0"),
        ("HS110", True, "HS110", "1.0"),
        ("KP115", True, "KP115", "1.0"),
    ],
)
async def test_connect_and_update_twice(
    sim: Simulator, model: str, emeter: bool, short_model: str, hw_ver: str
) -> None:
    plug = await sim.add_plug(
        alias="Desk lamp", model=model, emeter=emeter, rssi=-61, load_w=46.0
    )
    dev = await connect(plug.host)
    try:
        # connect = sysinfo alone, then the first full update: two round trips.
        assert plug.request_count == 2
        requests = list(plug.requests)
        assert requests[0] == {"system": {"get_sysinfo": {}}}
        expected = PLAIN_UPDATE | ({"emeter"} if emeter else set())
        assert set(requests[1]) == expected
        assert requests[1]["time"] == {"get_time": {}, "get_timezone": {}}

        for count in (3, 4):  # each routine poll is one round trip
            await dev.update()
            assert plug.request_count == count
            assert plug.requests[-1] == requests[1]

        assert dev.alias == "Desk lamp"
        assert dev.model == short_model
        assert dev.mac == plug.mac
        assert dev.rssi == -61
        assert dev.is_on
        assert dev.hw_info["hw_ver"] == hw_ver
        assert dev.device_type is Device.Type.Plug
        assert dev.features["cloud_connection"].value is True
        assert dev.features["led"].value is True
        assert dev.features["on_since"].value is not None
        assert dev.has_emeter is emeter
        if emeter:
            energy = dev.modules[Module.Energy]
            assert energy.current_consumption == pytest.approx(46.0)
            assert energy.voltage == pytest.approx(plug.profile.voltage)
            assert energy.current == pytest.approx(46.0 / plug.profile.voltage, 1e-3)
            assert energy.consumption_total is not None
            assert energy.consumption_today is not None
            assert energy.consumption_this_month is not None
        else:
            assert Module.Energy not in dev.modules
    finally:
        await dev.disconnect()


async def test_turn_off_and_on(sim: Simulator) -> None:
    plug = await sim.add_plug(alias="Fan")
    dev: Any = await connect(plug.host)
    try:
        await dev.turn_off()
        assert not plug.relay_on
        assert plug.on_time == 0
        await dev.update()
        assert not dev.is_on
        assert dev.features["on_since"].value is None
        await dev.turn_on()
        assert plug.describe()["relay"] is True
        await dev.update()
        assert dev.is_on
        assert plug.requests[-2] == {"system": {"set_relay_state": {"state": 1}}}
    finally:
        await dev.disconnect()


async def test_on_time_follows_the_frozen_clock(
    sim: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-11-02 10:00:00+00:00")
    plug = await sim.add_plug(alias="Heater", emeter=True, load_w=1200.0)
    dev = await connect(plug.host)
    try:
        assert dev.sys_info["on_time"] == 0
        freezer.tick(timedelta(seconds=100))
        await dev.update()
        assert dev.sys_info["on_time"] == 100
        assert dev.time.isoformat() == "2026-11-02T10:01:40+00:00"
        on_since: Any = dev.features["on_since"].value
        assert isinstance(on_since, datetime)
        assert on_since.isoformat() == "2026-11-02T10:00:00+00:00"
        energy = dev.modules[Module.Energy]
        assert energy.consumption_total == pytest.approx(1.2 * 100 / 3600, abs=1e-3)

        await dev.turn_off()
        freezer.tick(timedelta(minutes=10))
        await dev.turn_on()
        freezer.tick(timedelta(seconds=5))
        await dev.update()
        assert dev.sys_info["on_time"] == 5
    finally:
        await dev.disconnect()


async def test_alias_led_and_reboot_from_the_client() -> None:
    now = [1_800_000_000.0]
    clocked = Simulator(clock=lambda: now[0])
    async with clocked:
        plug = await clocked.add_plug(alias="Old name")
        dev = await connect(plug.host)
        try:
            await dev.set_alias("New name")
            assert clocked.get("New name") is plug
            await dev.modules[Module.Led].set_led(False)
            await dev.update()
            assert dev.alias == "New name"
            assert dev.modules[Module.Led].led is False

            await dev.turn_off()
            now[0] += 500
            await dev.turn_on()
            now[0] += 60
            await dev.update()
            assert dev.sys_info["on_time"] == 60
            await dev.reboot()  # replies, then reboots: connections dropped
            await plug.settle()
            assert not plug.endpoints[0].connections  # type: ignore[attr-defined]
            await dev.update()  # python-kasa reconnects (a retry)
            assert dev.sys_info["on_time"] == 0
            assert dev.is_on
        finally:
            await dev.disconnect()


async def test_unknown_modules_and_methods(sim: Simulator) -> None:
    plug = await sim.add_plug(alias="Lamp")
    dev = await connect(plug.host)
    try:
        reply = await dev.protocol.query(
            {"smartlife.iot.homekit": {"setup_info_get": {}}, "system": {"nope": {}}}
        )
        assert reply == {
            "smartlife.iot.homekit": {"err_code": -1, "err_msg": "module not support"},
            "system": {"nope": {"err_code": -2, "err_msg": "member not support"}},
        }
        with pytest.raises(KasaException, match="member not support"):
            await dev._query_helper("system", "nope")  # type: ignore[attr-defined]
        if hasattr(dev, "supports_module") and hasattr(Module, "IotHomeKit"):
            # python-kasa 0.12: an optional module probed with its own query.
            assert await dev.supports_module(Module.IotHomeKit) is False
        await dev.update()  # still fine afterwards
    finally:
        await dev.disconnect()


async def test_device_side_controls_show_in_the_client(sim: Simulator) -> None:
    plug = await sim.add_plug(alias="Lamp", emeter=True, model="KP115")
    dev: Any = await connect(plug.host)
    try:
        await plug.set_rssi(-82)
        await plug.set_cloud(False)
        await plug.set_relay(False)
        await dev.update()
        assert dev.rssi == -82
        assert feature(dev, "cloud_connection") is False
        assert not dev.is_on
        assert dev.modules[Module.Energy].current_consumption == 0
        await plug.set_cloud(True)
        await plug.set_relay(True)
        await plug.set_load(5.5)
        await dev.update()
        assert feature(dev, "cloud_connection") is True
        assert dev.modules[Module.Energy].current_consumption == pytest.approx(5.5)
    finally:
        await dev.disconnect()
