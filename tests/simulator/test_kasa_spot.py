"""Kasa Spot cameras (IOT.IPCAMERA): legacy discovery and the HTTPS service port.

python-kasa refuses these cameras: on 0.10.2 its discovery raises a KeyError
inside ``datagram_received`` for the nested system info, on 0.12.0
``UnsupportedDeviceError``. The ``on_discovered_raw`` callback here keeps a
copy of the reply and empties python-kasa's dict, so that python-kasa raises
its own ``KasaException`` instead, the way the integration reads them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import copy
import json
from pathlib import Path
import re
import signal
import ssl
import sys
import time
from typing import Any

from kasa import Discover, KasaException
from kasa.exceptions import TimeoutError as KasaTimeoutError
import pytest
import pytest_asyncio

from simulator import (
    BROADCAST_ADDRESS,
    KASA_SPOT_SERVICE_PORT,
    KasaSpotApi,
    KasaSpotServiceEndpoint,
    SimulatedKasaSpotCamera,
    Simulator,
    find_kasa_spot_model,
)
from simulator.control import ControlError, apply_action, request
from simulator.discovery import build_packet

from .conftest import CLIENT_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
CONNECT_TIMEOUT = 0.5
"""How long a connection to a camera that should not answer is given."""
SYSINFO_KEYS = {
    "alias",
    "dev_name",
    "deviceId",
    "hwId",
    "hw_ver",
    "mac",
    "mic_mac",
    "model",
    "oemId",
    "rssi",
    "stream_version",
    "sw_ver",
    "type",
    "camera_switch",
    "led_status",
    "resolution",
    "status",
    "system_time",
    "updating",
    "last_activity_timestamp",
    "a_type",
    "bind_status",
    "is_cal",
    "c_opt",
    "f_list",
    "new_feature",
    "latitude",
    "longitude",
}


class RawReplies:
    """An ``on_discovered_raw`` callback keeping each reply by address."""

    def __init__(self) -> None:
        self.replies: dict[str, dict[str, Any]] = {}
        self.ports: dict[str, int] = {}

    def __call__(self, raw: Any) -> None:
        response = raw["discovery_response"]
        ip = raw["meta"]["ip"]
        self.replies[ip] = copy.deepcopy(response)
        self.ports[ip] = raw["meta"]["port"]
        # python-kasa cannot read a camera's reply (KeyError on 0.10.2,
        # UnsupportedDeviceError on 0.12.0); emptied, it raises KasaException.
        response.clear()

    def sysinfo(self, host: str | None) -> dict[str, Any]:
        """Return the nested system info of the reply from ``host``."""
        assert host is not None
        reply = self.replies[host]
        assert set(reply) == {"system"}
        assert set(reply["system"]) == {"get_sysinfo"}
        outer = reply["system"]["get_sysinfo"]
        assert outer["err_code"] == 0
        assert set(outer) == {"err_code", "system"}
        sysinfo: dict[str, Any] = outer["system"]
        return sysinfo


def no_verify() -> ssl.SSLContext:
    """Return a client TLS context that takes any certificate, as cameras need."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def open_tls(
    host: str | None, seconds: float = 2.0
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect to the service port and finish the TLS handshake."""
    assert host is not None
    async with asyncio.timeout(seconds):
        return await asyncio.open_connection(
            host, KASA_SPOT_SERVICE_PORT, ssl=no_verify()
        )


async def close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError, ssl.SSLError):
        await writer.wait_closed()


async def assert_tls_works(host: str | None) -> None:
    """Connect with TLS, send a request and get the camera's 401."""
    reader, writer = await open_tls(host)
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        assert ssl_object is not None
        assert ssl_object.version() == "TLSv1.2"
        writer.write(b"GET / HTTP/1.1\r\nHost: camera\r\n\r\n")
        async with asyncio.timeout(2):
            status = await reader.readline()
        assert status.startswith(b"HTTP/1.1 401 ")
    finally:
        await close(writer)


async def assert_connect_times_out(host: str | None) -> None:
    """A plain TCP connect (what the integration does) gets no answer."""
    assert host is not None
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(CONNECT_TIMEOUT):
            await asyncio.open_connection(host, KASA_SPOT_SERVICE_PORT)


async def discover(host: str | None) -> RawReplies:
    """Run ``discover_single`` on ``host``; expect python-kasa's KasaException."""
    assert host is not None
    raw = RawReplies()
    with pytest.raises(KasaException) as err:
        await Discover.discover_single(
            host,
            discovery_timeout=1,
            timeout=CLIENT_TIMEOUT,
            on_discovered_raw=raw,
        )
    assert not isinstance(err.value, KasaTimeoutError), err.value
    assert "get_sysinfo" in str(err.value)
    assert raw.ports[host] == 9999
    return raw


@pytest_asyncio.fixture
async def camera(sim: Simulator) -> SimulatedKasaSpotCamera:
    return await sim.add_kasa_spot_camera(alias="Porch", rssi=-61)


def endpoint(camera: SimulatedKasaSpotCamera) -> KasaSpotServiceEndpoint:
    return next(e for e in camera.endpoints if isinstance(e, KasaSpotServiceEndpoint))


# ------------------------------------------------------------------ discovery
async def test_discover_single_gets_the_nested_sysinfo(
    camera: SimulatedKasaSpotCamera,
) -> None:
    raw = await discover(camera.host)
    sysinfo = raw.sysinfo(camera.host)
    assert set(sysinfo) == SYSINFO_KEYS
    assert sysinfo["type"] == "IOT.IPCAMERA"
    assert sysinfo["model"] == "EC60(US)"
    assert sysinfo["alias"] == "Porch"
    assert sysinfo["rssi"] == -61
    assert sysinfo["mac"] == camera.mac
    assert camera.mac.startswith("74:FE:CE:")
    assert sysinfo["mic_mac"] == camera.mac.replace(":", "")
    assert sysinfo["dev_name"] == "Kasa Spot, 24/7 Recording"
    assert sysinfo["hw_ver"] == "4.0"
    assert sysinfo["sw_ver"] == "2.3.22 Build 20230731 rel.69808"
    assert sysinfo["stream_version"] == 2
    assert sysinfo["resolution"] == "720P"
    assert sysinfo["status"] == "configured"
    assert sysinfo["updating"] is False
    assert sysinfo["bind_status"] is True
    assert sysinfo["new_feature"] == [2, 3, 4, 5, 7, 9]
    assert abs(sysinfo["system_time"] - time.time()) < 60
    assert len(sysinfo["deviceId"]) == 40
    assert camera.discovery_count >= 1
    assert camera.request_count == 0  # nothing over TCP


async def test_broadcast_discovery_hears_the_camera(sim: Simulator) -> None:
    assert sim.broadcast_available
    porch = await sim.add_kasa_spot_camera(alias="Porch")
    yard = await sim.add_kasa_spot_camera(alias="Yard", model="KC410S", rssi=-72)
    dark = await sim.add_kasa_spot_camera(alias="Dark", model="KC400")
    lamp = await sim.add_plug(alias="Lamp")
    await dark.power_off()

    raw = RawReplies()
    found = await Discover.discover(
        target=BROADCAST_ADDRESS,
        discovery_timeout=1,
        timeout=CLIENT_TIMEOUT,
        on_discovered_raw=raw,
    )
    # Other fleets (other test processes) may answer too: compare by MAC.
    # Every reply was emptied, so python-kasa made no device of any of them.
    assert found == {}
    assert raw.sysinfo(porch.host)["mac"] == porch.mac
    yard_info = raw.sysinfo(yard.host)
    assert (yard_info["model"], yard_info["alias"]) == ("KC410S(US)", "Yard")
    assert yard_info["rssi"] == -72
    assert yard_info["dev_name"] == "Kasa Spot Pan Tilt 2K"
    assert dark.host not in raw.replies
    assert lamp.host in raw.replies  # a plug's flat reply, for contrast
    assert raw.replies[lamp.host]["system"]["get_sysinfo"]["mac"] == lamp.mac


async def test_discover_with_a_unicast_target(
    camera: SimulatedKasaSpotCamera,
) -> None:
    assert camera.host is not None
    raw = RawReplies()
    found = await Discover.discover(
        target=camera.host,
        discovery_timeout=1,
        timeout=CLIENT_TIMEOUT,
        on_discovered_raw=raw,
    )
    assert found == {}
    assert set(raw.replies) == {camera.host}
    assert raw.sysinfo(camera.host)["model"] == "EC60(US)"


async def test_no_tcp_9999_and_no_smart_discovery(
    sim: Simulator, camera: SimulatedKasaSpotCamera
) -> None:
    assert camera.host is not None
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(camera.host, 9999)

    received: list[tuple[str, int]] = []

    class Listener(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
            received.append((str(addr[0]), int(addr[1])))

    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        Listener, local_addr=("127.0.0.1", 0), allow_broadcast=True
    )
    try:
        probe = build_packet(b'{"params":{}}')
        transport.sendto(probe, (camera.host, sim.smart_port))
        transport.sendto(probe, (BROADCAST_ADDRESS, sim.smart_port))
        await asyncio.sleep(0.5)
    finally:
        transport.close()
    assert all(host != camera.host for host, _ in received)
    assert camera.discovery_count == 0


async def test_other_iot_requests_are_unknown(
    camera: SimulatedKasaSpotCamera,
) -> None:
    api = KasaSpotApi(camera)
    reply = api.handle(
        {"system": {"get_sysinfo": {}, "reboot": {}}, "emeter": {"get_realtime": {}}}
    )
    assert reply["system"]["get_sysinfo"]["system"]["alias"] == "Porch"
    assert reply["system"]["reboot"]["err_code"] == -2
    assert reply["emeter"]["err_code"] == -1
    assert api.handle([1])["err_code"] == -3


# ----------------------------------------------------------- service port
async def test_tls_connection_to_the_service_port(
    camera: SimulatedKasaSpotCamera,
) -> None:
    await assert_tls_works(camera.host)
    assert camera.handshake_count == 1
    assert camera.request_count == 1
    assert camera.requests[-1] == {"request": "GET / HTTP/1.1"}
    # A bare TCP connection (the integration's poll) is accepted as well.
    assert camera.host is not None
    _, writer = await asyncio.open_connection(camera.host, KASA_SPOT_SERVICE_PORT)
    writer.transport.abort()


async def test_power_off_closes_the_port_and_silences_discovery(
    camera: SimulatedKasaSpotCamera,
) -> None:
    reader, writer = await open_tls(camera.host)
    assert endpoint(camera).connection_count == 1
    await camera.power_off()
    assert endpoint(camera).connection_count == 0
    try:
        async with asyncio.timeout(2):
            assert await reader.read() == b""
    except (OSError, ssl.SSLError):
        pass  # reset rather than closed
    finally:
        await close(writer)

    await assert_connect_times_out(camera.host)
    with pytest.raises(TimeoutError):
        await open_tls(camera.host, seconds=CONNECT_TIMEOUT)
    assert camera.host is not None
    with pytest.raises(KasaTimeoutError, match="Timed out getting discovery"):
        await Discover.discover_single(camera.host, discovery_timeout=1)

    boot = camera.boot_time
    await camera.power_on()
    assert camera.boot_time >= boot
    await assert_tls_works(camera.host)
    await discover(camera.host)


async def test_blackhole_times_out_but_discovery_answers(
    camera: SimulatedKasaSpotCamera,
) -> None:
    await camera.blackhole()
    await assert_connect_times_out(camera.host)
    await discover(camera.host)
    await camera.blackhole(False)
    await assert_tls_works(camera.host)


async def test_refuse_gives_connection_refused(
    camera: SimulatedKasaSpotCamera,
) -> None:
    await camera.refuse()
    assert camera.host is not None
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(camera.host, KASA_SPOT_SERVICE_PORT)
    with pytest.raises(ConnectionRefusedError):
        await open_tls(camera.host)
    await discover(camera.host)  # the camera is still on the network
    await camera.refuse(False)
    await assert_tls_works(camera.host)


async def test_slow_delays_the_handshake(camera: SimulatedKasaSpotCamera) -> None:
    await camera.slow(0.4)
    assert camera.host is not None
    # The TCP connect itself is immediate; the TLS handshake waits.
    _, writer = await asyncio.open_connection(camera.host, KASA_SPOT_SERVICE_PORT)
    writer.transport.abort()
    with pytest.raises(TimeoutError):
        await open_tls(camera.host, seconds=0.2)
    started = time.monotonic()
    _, writer = await open_tls(camera.host)
    assert time.monotonic() - started >= 0.35
    await close(writer)
    await camera.slow(None)
    await assert_tls_works(camera.host)


async def test_reboot_drops_connections_and_answers_again(
    camera: SimulatedKasaSpotCamera,
) -> None:
    _, writer = await open_tls(camera.host)
    await camera.reboot()
    assert endpoint(camera).connection_count == 0
    await close(writer)
    await assert_tls_works(camera.host)
    await discover(camera.host)


async def test_move_to_changes_the_address(camera: SimulatedKasaSpotCamera) -> None:
    old_host, mac = camera.host, camera.mac
    new_host = await camera.move_to()
    assert new_host != old_host
    assert camera.host == new_host
    assert old_host is not None
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(old_host, KASA_SPOT_SERVICE_PORT)
    with pytest.raises(KasaTimeoutError):
        await Discover.discover_single(old_host, discovery_timeout=1)
    await assert_tls_works(new_host)
    raw = await discover(new_host)
    assert raw.sysinfo(new_host)["mac"] == mac


async def test_set_rssi_changes_the_discovery_reply(
    camera: SimulatedKasaSpotCamera,
) -> None:
    await camera.set_rssi(-83)
    assert (await discover(camera.host)).sysinfo(camera.host)["rssi"] == -83
    await apply_action(camera, "set_rssi", "-44")
    await apply_action(camera, "set_alias", "Front door")
    sysinfo = (await discover(camera.host)).sysinfo(camera.host)
    assert (sysinfo["rssi"], sysinfo["alias"]) == (-44, "Front door")


# ------------------------------------------------------------------- control
async def test_control_actions(camera: SimulatedKasaSpotCamera) -> None:
    await apply_action(camera, "power_off")
    assert camera.describe()["powered"] is False
    await apply_action(camera, "power_on")
    await apply_action(camera, "blackhole", "on")
    assert camera.describe()["faults"]["blackhole"] is True
    await apply_action(camera, "reboot")  # clears blackhole
    await apply_action(camera, "refuse")
    await apply_action(camera, "refuse", "off")
    await apply_action(camera, "slow", "0.1")
    assert camera.describe()["faults"]["slow"] == 0.1
    await apply_action(camera, "slow", "none")
    assert await apply_action(camera, "move_to") == camera.host
    with pytest.raises(ControlError, match="always reports its RSSI"):
        await apply_action(camera, "set_rssi", "none")
    refused = {
        "malformed": None,
        "set_relay": "on",
        "set_cloud": "off",
        "set_led": "off",
        "set_load": "10",
        "set_credentials": "x:y",
        "reject_handshake": None,
        "expire_sessions": None,
        "firmware_update": "9.9.9",
        "set_overheated": None,
        "set_battery": "5",
        "battery_low": None,
        "third_party": "off",
        "block": None,
        "set_privacy": "on",
    }
    for name, value in refused.items():
        with pytest.raises(ControlError, match="Porch is"):
            await apply_action(camera, name, value)
    info = camera.describe()
    assert info["kind"] == "kasa_spot_camera"
    assert info["service_port"] == KASA_SPOT_SERVICE_PORT
    assert info["powered"] is True
    assert not any(info["faults"].values())


async def test_fleet_entries_and_models(sim: Simulator) -> None:
    camera = await sim.add_from_spec(
        {"kind": "kasa_spot_camera", "alias": "Garage", "model": "KC400"}
    )
    assert isinstance(camera, SimulatedKasaSpotCamera)
    assert camera.model == "KC400(US)"
    assert sim.get("garage") is camera
    with pytest.raises(ValueError, match="unknown kasa_spot_camera options"):
        await sim.add_from_spec({"kind": "kasa_spot_camera", "battery": True})
    assert find_kasa_spot_model("KC410S").model == "KC410S(US)"
    assert find_kasa_spot_model("EC60").model == "EC60(US)"
    assert find_kasa_spot_model(None).model == "EC60(US)"
    with pytest.raises(KeyError, match="unknown Kasa Spot camera"):
        find_kasa_spot_model("C200")
    other = await sim.add_kasa_spot_camera(mac="74-fe-ce-12-34-56")
    assert other.mac == "74:FE:CE:12:34:56"
    assert other.alias.startswith("Kasa Spot ")


# --------------------------------------------------------------- command line
@pytest_asyncio.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[int, list[str]]]:
    """Run ``serve`` with one camera from a fleet file and ``--kasa-spot 1``."""
    fleet = tmp_path / "fleet.json"
    fleet.write_text(
        json.dumps([{"kind": "kasa_spot_camera", "alias": "Porch", "rssi": -66}])
    )
    serve = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "serve",
        "--fleet",
        str(fleet),
        "--kasa-spot",
        "1",
        "--control-port",
        "0",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert serve.stdout is not None
    try:
        lines: list[str] = []
        while not lines or not lines[-1].startswith("control API"):
            async with asyncio.timeout(30):
                line = await serve.stdout.readline()
            assert line, "serve exited early"
            lines.append(line.decode().strip())
        match = re.search(r":(\d+)/devices", lines[-1])
        assert match is not None
        yield int(match.group(1)), lines
    finally:
        if serve.returncode is None:
            serve.send_signal(signal.SIGTERM)
        rest, _ = await serve.communicate()
    assert serve.returncode == 0
    assert "stopped" in rest.decode()


async def test_serve_lists_kasa_spot_cameras(served: tuple[int, list[str]]) -> None:
    port, lines = served
    cameras = [line for line in lines if "EC60(US)" in line]
    assert len(cameras) == 2
    assert any(line.startswith("Porch") and "rssi -66" in line for line in cameras)
    assert any(line.startswith("Kasa Spot 1") for line in cameras)
    listed = await request("GET", "/devices", port=port)
    assert [d["kind"] for d in listed["devices"]] == ["kasa_spot_camera"] * 2
    porch = listed["devices"][0]
    assert porch["service_port"] == KASA_SPOT_SERVICE_PORT

    answer = await request("POST", "/devices/Porch/refuse", port=port)
    assert answer["device"]["faults"]["refuse"] is True
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(porch["host"], KASA_SPOT_SERVICE_PORT)
    with pytest.raises(ControlError, match="400: Porch is not a Tapo camera"):
        await request(
            "POST", "/devices/Porch/set_battery", port=port, body={"value": 5}
        )
    added = await request(
        "POST",
        "/devices",
        port=port,
        body={"kind": "kasa_spot_camera", "alias": "Shed", "model": "KC410S"},
    )
    assert added["model"] == "KC410S(US)"
    await assert_tls_works(added["host"])
