"""Devices that report nonsense about themselves, and counting what arrives."""

from __future__ import annotations

import asyncio
from typing import Any

from kasa import Discover
from kasa.discover import DiscoveredRaw
import pytest

from simulator import Simulator
from simulator.control import ControlError, apply_action
from simulator.httpserver import HttpEndpoint
from simulator.legacy import BROADCAST_ADDRESS

from .conftest import CLIENT_TIMEOUT, connect, smart_connect


async def raw_replies(host: str | None) -> dict[str, Any]:
    """Return the raw discovery replies a unicast discovery of a host gets."""
    assert host is not None
    replies: dict[str, Any] = {}

    def keep(raw: DiscoveredRaw) -> None:
        replies[raw["meta"]["ip"]] = dict(raw["discovery_response"])

    device = await Discover.discover_single(
        host, discovery_timeout=1, timeout=CLIENT_TIMEOUT, on_discovered_raw=keep
    )
    await device.disconnect()
    return replies


async def test_a_plug_misreports_its_system_info_everywhere(sim: Simulator) -> None:
    plug = await sim.add_plug(alias="Desk lamp")
    await plug.misreport({"mac": "zz", "on_time": -1})
    replies = await raw_replies(plug.host)
    sysinfo = replies[plug.host]["system"]["get_sysinfo"]
    assert (sysinfo["mac"], sysinfo["on_time"], sysinfo["alias"]) == (
        "zz",
        -1,
        "Desk lamp",
    )

    await plug.misreport(None)
    dev = await connect(plug.host)
    try:
        assert dev.mac == plug.mac
        assert plug.describe()["faults"]["misreport"] is None
    finally:
        await dev.disconnect()


async def test_a_kasa_spot_camera_misreports_its_discovery_reply(
    sim: Simulator,
) -> None:
    camera = await sim.add_kasa_spot_camera(alias="Porch")
    await camera.misreport({"mac": 12345, "model": ["EC60"]})
    found: list[dict[str, Any]] = []

    def keep(raw: DiscoveredRaw) -> None:
        if raw["meta"]["ip"] == camera.host:
            found.append(dict(raw["discovery_response"]))
            raw["discovery_response"].clear()

    await Discover.discover(
        target=BROADCAST_ADDRESS, discovery_timeout=1, on_discovered_raw=keep
    )
    system = found[0]["system"]["get_sysinfo"]["system"]
    assert (system["mac"], system["model"]) == (12345, ["EC60"])


async def test_a_klap_plug_misreports_its_device_info_and_discovery(
    sim: Simulator,
) -> None:
    tapo = await sim.add_tapo_plug(alias="Kettle")
    await tapo.misreport({"device_on": "0", "mac": "not a mac"})
    replies = await raw_replies(tapo.host)
    assert replies[tapo.host]["result"]["mac"] == "not a mac"

    dev = await smart_connect(tapo)
    try:
        assert dev.sys_info["device_on"] == "0"
    finally:
        await dev.disconnect()


async def test_a_request_is_counted_on_arrival_and_its_connection_on_close(
    sim: Simulator,
) -> None:
    tapo = await sim.add_tapo_plug(alias="Kettle")
    await tapo.slow(0.5)
    connecting = asyncio.ensure_future(smart_connect(tapo))
    await tapo.wait_for_received(1)
    assert (tapo.received_count, tapo.request_count) == (1, 0)
    device = await connecting
    assert tapo.received_count == tapo.request_count
    await device.disconnect()
    (endpoint,) = (e for e in tapo.endpoints if isinstance(e, HttpEndpoint))
    await asyncio.wait_for(endpoint.wait_closed(), timeout=5)
    assert endpoint.connection_count == 0


async def test_misreport_from_the_control_api(sim: Simulator) -> None:
    plug = await sim.add_plug(alias="Lamp")
    await apply_action(plug, "misreport", '{"relay_state": "0"}')
    assert plug.describe()["faults"]["misreport"] == {"relay_state": "0"}
    await apply_action(plug, "misreport", "none")
    assert plug.describe()["faults"]["misreport"] is None
    with pytest.raises(ControlError, match="JSON object"):
        await apply_action(plug, "misreport", "[1]")
