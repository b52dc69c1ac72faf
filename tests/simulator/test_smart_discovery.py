"""SMART discovery (UDP 20002): broadcast and unicast, with python-kasa."""

from __future__ import annotations

import base64
import errno
import json

from kasa import Discover, UnsupportedDeviceError
from kasa.discover import _AesDiscoveryQuery
from kasa.smart import SmartDevice
from kasa.smartcam import SmartCamDevice
from kasa.transports.aestransport import AesEncyptionSession
import pytest

from simulator import BROADCAST_ADDRESS, Simulator
from simulator.discovery import (
    HEADER_SIZE,
    build_packet,
    client_public_key,
    discovery_result,
    parse_query,
)

from .conftest import CLIENT_TIMEOUT, credentials


def test_query_and_reply_packets() -> None:
    query = bytes(_AesDiscoveryQuery.generate_query())
    parsed = parse_query(query)
    assert parsed is not None
    key = client_public_key(parsed)
    assert key is not None
    assert parse_query(b"\x02" + bytes(15)) == {}
    assert parse_query(b"\x01" + bytes(15)) is None
    assert parse_query(b"short") is None

    packet = build_packet(b'{"error_code":0}')
    assert len(packet) == HEADER_SIZE + 16
    assert json.loads(packet[HEADER_SIZE:]) == {"error_code": 0}


async def test_encrypt_info_decrypts_with_the_clients_key(sim: Simulator) -> None:
    camera = await sim.add_tapo_camera(alias="Hall")
    query = parse_query(bytes(_AesDiscoveryQuery.generate_query()))
    assert query is not None
    result = discovery_result(camera, client_public_key(query))
    info = result["encrypt_info"]
    assert _AesDiscoveryQuery.keypair is not None
    key_iv = _AesDiscoveryQuery.keypair.decrypt_discovery_key(
        base64.b64decode(info["key"])
    )
    plain = AesEncyptionSession(key_iv[:16], key_iv[16:]).decrypt(info["data"])
    assert json.loads(plain)["http_port"] == camera.http_port
    # Without the client's key the scheme names the encryption instead.
    assert discovery_result(camera)["mgt_encrypt_schm"]["encrypt_type"] == "AES"


async def test_broadcast_finds_every_kind(sim: Simulator) -> None:
    assert sim.smart_broadcast_available
    legacy = await sim.add_plug(alias="Lamp")
    tapo = await sim.add_tapo_plug(alias="Kettle")
    kasa = await sim.add_kasa_smart_plug(alias="Aquarium")
    camera = await sim.add_tapo_camera(alias="Hall")
    battery = await sim.add_tapo_camera(alias="Garden", battery=True)
    dark = await sim.add_tapo_plug(alias="Dark")
    odd = await sim.add_tapo_plug(alias="Odd")
    await dark.power_off()
    await odd.set_discovery_encryption("TPAP")

    unsupported: list[UnsupportedDeviceError] = []

    async def on_unsupported(err: UnsupportedDeviceError) -> None:
        unsupported.append(err)

    found = await Discover.discover(
        target=BROADCAST_ADDRESS,
        discovery_timeout=1,
        timeout=CLIENT_TIMEOUT,
        credentials=credentials(tapo),
        on_unsupported=on_unsupported,
    )
    try:
        # Other fleets (other test processes) may answer too: compare by MAC.
        by_mac = {dev.mac: dev for dev in found.values()}
        assert by_mac[legacy.mac].host == legacy.host
        for smart in (tapo, kasa):
            assert isinstance(by_mac[smart.mac], SmartDevice)
            assert by_mac[smart.mac].host == smart.host
        for cam in (camera, battery):
            assert isinstance(by_mac[cam.mac], SmartCamDevice)
        assert dark.mac not in by_mac
        assert odd.mac not in by_mac
        assert odd.host in {err.host for err in unsupported}
        assert dark.discovery_count == 0
        assert tapo.discovery_count >= 3  # python-kasa sends 3 probes

        plug = by_mac[tapo.mac]
        await plug.update()  # the credentials passed to discover
        assert plug.alias == "Kettle"
    finally:
        for device in found.values():
            await device.disconnect()


async def test_unicast_reaches_only_the_device(sim: Simulator) -> None:
    tapo = await sim.add_tapo_plug(alias="Kettle")
    assert tapo.host is not None
    dev = await Discover.discover_single(tapo.host, discovery_timeout=1)
    assert isinstance(dev, SmartDevice)
    assert dev.mac == tapo.mac
    assert dev.alias is None  # SMART discovery has no name
    assert tapo.request_count == 0
    await dev.disconnect()


async def test_a_smart_device_keeps_its_address_for_itself(sim: Simulator) -> None:
    tapo = await sim.add_tapo_plug(alias="Kettle")
    # The SMART device holds UDP 9999 too: no legacy plug (of any fleet) can
    # share its address and answer discovery for it.
    with pytest.raises(OSError, match="in use") as err:
        await sim.add_plug(alias="Squatter", host=tapo.host)
    assert err.value.errno == errno.EADDRINUSE
    assert len(sim) == 1
    other = await sim.add_plug(alias="Neighbour")
    assert other.host != tapo.host
