"""KLAP plugs (Tapo P110/P100, Kasa KP125M) with python-kasa's real client.

See the table "Faults on the authenticated devices" in simulator/README.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import time
from typing import Any

from kasa import (
    AuthenticationError,
    Credentials,
    Device,
    DeviceConfig,
    DeviceError,
    Discover,
    KasaException,
    Module,
    UnsupportedDeviceError,
)
from kasa.exceptions import (
    SmartErrorCode,
    TimeoutError as KasaTimeoutError,
    _ConnectionError,
)
from kasa.transports.klaptransport import (
    KlapEncryptionSession,
    KlapTransport,
    KlapTransportV2,
)
import orjson
import pytest
import pytest_asyncio

from simulator import KlapEndpoint, Simulator, SmartPlug
from simulator.klap import KlapSession, auth_hash, client_proof, server_proof

from .conftest import NEW_CLIENT, credentials, smart_config, smart_connect

P110_CONNECT = [
    ["component_nego", "get_device_info", "get_connect_cloud_state"],
    [
        "get_device_time",
        "get_auto_off_config",
        "get_energy_usage",
        "get_current_power",
        "get_emeter_data",
    ],
    [
        "get_emeter_vgain_igain",
        "get_auto_update_info",
        "get_led_info",
        "get_protection_power",
        "get_max_power",
    ],
]
P110_UPDATE = [
    [
        "get_device_time",
        "get_auto_off_config",
        "get_device_info",
        "get_device_usage",
        "get_energy_usage",
    ],
    [
        "get_current_power",
        "get_emeter_data",
        "get_emeter_vgain_igain",
        "get_protection_power",
        "get_max_power",
    ],
]
P100_CONNECT = [
    ["component_nego", "get_device_info", "get_connect_cloud_state"],
    ["get_device_time", "get_auto_off_config", "get_auto_update_info", "get_led_info"],
]
P100_UPDATE = [
    ["get_device_time", "get_auto_off_config", "get_device_info", "get_device_usage"]
]


def batches(device: SmartPlug, start: int = 0) -> list[list[str]]:
    """Return the methods of each multipleRequest the device received."""
    found = []
    for request in list(device.requests)[start:]:
        assert request["method"] == "multipleRequest"
        found.append([entry["method"] for entry in request["params"]["requests"]])
    return found


def feature(dev: Device, name: str) -> Any:
    return dev.features[name].value


@pytest_asyncio.fixture
async def plug(sim: Simulator) -> SmartPlug:
    return await sim.add_tapo_plug(alias="Kettle", rssi=-45, load_w=1200.0)


@pytest_asyncio.fixture
async def dev(plug: SmartPlug) -> AsyncIterator[Device]:
    device = await smart_connect(plug)
    yield device
    await device.disconnect()


# ------------------------------------------------------------------ protocol
def test_hashes_match_python_kasa() -> None:
    creds = Credentials("user@example.com", "secret")
    assert auth_hash("user@example.com", "secret") == (
        KlapTransportV2.generate_auth_hash(creds)
    )
    assert auth_hash("user@example.com", "secret", 1) == (
        KlapTransport.generate_auth_hash(creds)
    )
    local, remote, auth = b"L" * 16, b"R" * 16, auth_hash("u", "p")
    for version, transport in ((1, KlapTransport), (2, KlapTransportV2)):
        assert server_proof(local, remote, auth, version) == (  # type: ignore[arg-type]
            transport.handshake1_seed_auth_hash(local, remote, auth)
        )
        assert client_proof(local, remote, auth, version) == (  # type: ignore[arg-type]
            transport.handshake2_seed_auth_hash(local, remote, auth)
        )


def test_session_interoperates_with_python_kasa() -> None:
    local, remote, auth = b"l" * 16, b"r" * 16, auth_hash("u", "p")
    client = KlapEncryptionSession(local, remote, auth)
    server = KlapSession(local, remote, auth)
    for text in ('{"method": "get_device_info"}', "x" * 100):
        message, seq = client.encrypt(text)
        assert server.decrypt(message, seq) == text.encode()
        assert client.decrypt(server.encrypt(b'{"ok": true}', seq)) == '{"ok": true}'
    with pytest.raises(ValueError, match="signature"):
        server.decrypt(message, seq + 1)


# ------------------------------------------------------- discovery + update
@pytest.mark.parametrize(
    ("model", "family", "connect", "update"),
    [
        ("P110", "SMART.TAPOPLUG", P110_CONNECT, P110_UPDATE),
        ("P100", "SMART.TAPOPLUG", P100_CONNECT, P100_UPDATE),
        ("KP125M", "SMART.KASAPLUG", None, None),
    ],
)
async def test_discover_single_then_update_twice(
    sim: Simulator,
    model: str,
    family: str,
    connect: list[list[str]] | None,
    update: list[list[str]] | None,
) -> None:
    plug = await sim.add_tapo_plug(alias="Kettle", model=model, rssi=-58)
    assert plug.host is not None
    dev = await Discover.discover_single(
        plug.host, credentials=credentials(plug), discovery_timeout=1, timeout=1
    )
    assert dev is not None
    try:
        assert plug.discovery_count >= 1
        assert plug.request_count == 0  # nothing over HTTP yet
        params = dev.config.connection_type
        assert params.device_family.value == family
        assert params.encryption_type.value == "KLAP"
        assert (params.login_version, params.https) == (2, False)
        assert params.http_port == plug.http_port
        assert dev.mac == plug.mac

        await dev.update()
        first = len(plug.requests)
        await dev.update()
        assert plug.handshake_count == 1  # one session for everything
        if connect is not None and update is not None:
            assert batches(plug)[:first] == connect
            assert batches(plug, first) == update
        assert dev.alias == "Kettle"
        assert dev.model == model
        assert dev.device_type is Device.Type.Plug
        assert dev.rssi == -58
        assert feature(dev, "signal_level") == 2
        assert dev.is_on
        assert dev.hw_info["sw_ver"] == plug.fw_ver
        assert dev.device_info.firmware_version == plug.fw_ver.split(" ")[0]
        assert feature(dev, "overheated") is False
        assert feature(dev, "cloud_connection") is True
        assert dev.has_emeter is (model != "P100")
        if dev.has_emeter:
            assert dev.modules[Module.Energy].current_consumption == 60.0
        if model == "KP125M":
            assert dev.sys_info["overheat_status"] == "normal"
            assert dev.device_info.brand == "kasa"
    finally:
        await dev.disconnect()


async def test_connect_with_the_stored_connection_parameters(plug: SmartPlug) -> None:
    assert plug.host is not None
    found = await Discover.discover_single(
        plug.host, credentials=credentials(plug), discovery_timeout=1, timeout=1
    )
    assert found is not None
    await found.update()
    stored = found.config.to_dict()
    stored.pop("credentials", None)  # an integration keeps the hash only
    hashed = found.credentials_hash
    await found.disconnect()

    config = DeviceConfig.from_dict(stored)
    config.credentials_hash = hashed
    dev = await Device.connect(config=config)
    try:
        assert dev.alias == "Kettle"
        assert plug.handshake_count == 2
        await dev.update()
    finally:
        await dev.disconnect()


async def test_switch_and_rename(plug: SmartPlug, dev: Device) -> None:
    await dev.turn_off()
    assert not plug.relay_on
    await dev.update()
    assert not dev.is_on
    await dev.set_alias("Tea kettle")
    assert plug.alias == "Tea kettle"
    await dev.turn_on()
    await dev.update()
    assert dev.is_on
    assert dev.alias == "Tea kettle"


async def test_unknown_methods_answer_minus_1002(plug: SmartPlug, dev: Device) -> None:
    with pytest.raises(DeviceError) as err:
        await dev.protocol.query("get_no_such_thing")
    assert err.value.error_code is SmartErrorCode.UNKNOWN_METHOD_ERROR

    await plug.set_unsupported_methods({"get_emeter_vgain_igain"})
    await dev.update()  # tolerated: the energy module reports an error
    energy = dev.modules[Module.Energy]
    assert energy._last_update_error is not None
    await plug.set_unsupported_methods(())
    energy._last_update_time = None  # after an error: retried in 30 s
    await dev.update()
    assert energy._last_update_error is None


# ---------------------------------------------------------------- accounts
async def test_wrong_password(plug: SmartPlug) -> None:
    with pytest.raises(AuthenticationError, match="did not match our challenge"):
        await smart_connect(plug, password="wrong")
    assert plug.handshake_count == 0
    assert plug.request_count == 1  # handshake1 only: no retry


async def test_password_changed_while_connected(plug: SmartPlug, dev: Device) -> None:
    await plug.set_credentials(password="new password")
    # An established device queries module by module, then gives up.
    with pytest.raises(KasaException, match="get_device_info not found"):
        await dev.update()
    with pytest.raises(AuthenticationError, match="did not match our challenge"):
        await smart_connect(plug, password="simulated-Passw0rd")
    fresh = await smart_connect(plug, password="new password")
    await fresh.disconnect()


async def test_handshake_rejected_with_403(plug: SmartPlug) -> None:
    await plug.reject_handshake()
    with pytest.raises(KasaException) as err:
        await smart_connect(plug)
    assert type(err.value) is KasaException
    assert str(err.value) == f"Device {plug.host} responded with 403 to handshake1"
    assert plug.request_count == 1  # not retried
    await plug.reject_handshake(False)
    dev = await smart_connect(plug)
    await dev.disconnect()


async def test_reboot_asked_by_the_client(plug: SmartPlug, dev: Device) -> None:
    booted = plug.boot_time
    await dev.reboot()  # answered first, then the plug reboots
    await plug.settle()
    assert plug.boot_time >= booted
    assert plug.handshake_count == 1
    await dev.update()
    assert plug.handshake_count == 2


@pytest.mark.parametrize("fault", ["reboot", "expire_sessions"])
async def test_lost_session_is_renewed(
    plug: SmartPlug, dev: Device, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    await getattr(plug, fault)()
    await dev.update()  # 403 to the request, new handshake, retried
    assert plug.handshake_count == 2
    assert "Response status is 403" in caplog.text


# -------------------------------------------------------------- discovery
async def test_unsupported_encryption_in_discovery(plug: SmartPlug) -> None:
    assert plug.host is not None
    await plug.set_discovery_encryption("TPAP")
    with pytest.raises(UnsupportedDeviceError, match="encrypt_type='TPAP'") as err:
        await Discover.discover_single(
            plug.host, credentials=credentials(plug), discovery_timeout=1
        )
    assert err.value.discovery_result is not None
    scheme = err.value.discovery_result["mgt_encrypt_schm"]
    assert scheme["encrypt_type"] == "TPAP"


# ----------------------------------------------------------------- reports
@pytest.mark.parametrize("model", ["P110", "KP125M"])
async def test_overheated(sim: Simulator, model: str) -> None:
    plug = await sim.add_tapo_plug(alias="Heater", model=model)
    dev = await smart_connect(plug)
    try:
        assert feature(dev, "overheated") is False
        await plug.set_overheated()
        await dev.update()
        assert feature(dev, "overheated") is True
        if model == "KP125M":
            assert dev.sys_info["overheat_status"] == "overheated"
        else:
            assert dev.sys_info["overheated"] is True
    finally:
        await dev.disconnect()


async def test_firmware_update_available(plug: SmartPlug, dev: Device) -> None:
    firmware = dev.modules[Module.Firmware]
    assert firmware.update_available is None  # not checked yet
    info = await firmware.check_latest_firmware()
    assert info is not None
    assert firmware.update_available is False
    assert plug.requests[-1]["method"] == "get_latest_fw"  # never in update()

    await plug.set_firmware_update("1.4.0 Build 250101 Rel.101010")
    info = await firmware.check_latest_firmware()
    assert info is not None
    assert firmware.update_available is True
    assert firmware.latest_firmware == "1.4.0 Build 250101 Rel.101010"
    assert info.release_notes

    await plug.set_cloud(False)
    await dev.update()
    assert await firmware.check_latest_firmware() is None  # cloud error, logged
    assert firmware.update_available is None


@pytest.mark.parametrize("outcome", ["succeed", "fail", "reject"])
async def test_firmware_install(plug: SmartPlug, dev: Device, outcome: str) -> None:
    old = plug.fw_ver
    new = "1.4.0 Build 250101 Rel.101010"
    await plug.set_firmware_update(new, outcome=outcome)  # type: ignore[arg-type]
    firmware = dev.modules[Module.Firmware]
    await firmware.check_latest_firmware()
    if outcome == "reject":
        with pytest.raises(DeviceError) as err:
            await firmware.update()
        assert err.value.error_code is SmartErrorCode.FIRMWARE_ERROR
        assert plug.fw_ver == old
        return
    state = await asyncio.wait_for(firmware.update(), 20)
    await plug.settle()
    if outcome == "fail":
        assert state["status"] < 0  # python-kasa logs it and returns the state
        assert plug.fw_ver == old
        assert plug.update_available
        return
    assert state["status"] == 0
    assert plug.fw_ver == new
    await dev.update()
    assert dev.hw_info["sw_ver"] == new
    await firmware.check_latest_firmware()
    assert firmware.update_available is False


async def test_cloud_disconnected(plug: SmartPlug, dev: Device) -> None:
    await plug.set_cloud(False)
    dev.modules[Module.Cloud]._last_update_time = None  # polled once a minute
    await dev.update()
    assert feature(dev, "cloud_connection") is False
    assert not dev.is_cloud_connected


async def test_weak_signal(plug: SmartPlug, dev: Device) -> None:
    await plug.set_rssi(-82)
    await dev.update()
    assert dev.rssi == -82
    assert feature(dev, "signal_level") == 0
    await plug.set_rssi(None)  # firmware without rssi: only the level
    await plug.set_signal_level(1)
    await dev.update()
    assert dev.rssi is None
    assert feature(dev, "signal_level") == 1


# ----------------------------------------------------------- network faults
@pytest.mark.parametrize("fault", ["power_off", "blackhole"])
async def test_no_answer_at_connect(plug: SmartPlug, fault: str) -> None:
    await getattr(plug, fault)()
    started = time.monotonic()
    with pytest.raises(KasaException) as err:
        await smart_connect(plug)
    elapsed = time.monotonic() - started
    assert isinstance(err.value.__cause__, TimeoutError)
    if NEW_CLIENT:
        assert type(err.value) is KasaTimeoutError
        assert plug.dropped_count == 4  # 4 tries, 1 s apart
        assert 6 < elapsed < 10
    else:
        assert type(err.value) is KasaException
        assert "Unable to query the device" in str(err.value)
        assert plug.dropped_count == 1
        assert elapsed < 2
    assert plug.host is not None
    if fault == "power_off":
        with pytest.raises(KasaTimeoutError, match="Timed out getting discovery"):
            await Discover.discover_single(plug.host, discovery_timeout=1)
    else:
        assert await Discover.discover_single(plug.host, discovery_timeout=1)


async def test_power_off_closes_kept_alive_connections(
    plug: SmartPlug, dev: Device
) -> None:
    klap = next(e for e in plug.endpoints if isinstance(e, KlapEndpoint))
    assert klap.connection_count == 1  # aiohttp keeps the connection open
    await dev.turn_off()
    await plug.power_off()
    assert klap.connection_count == 0
    await plug.power_on()  # boots: relay to its power-on state, no sessions
    await dev.update()
    assert plug.handshake_count == 2
    assert dev.is_on
    assert dev.sys_info["on_time"] <= 2  # the retry waited 1 s


async def test_refused(plug: SmartPlug) -> None:
    await plug.refuse()
    with pytest.raises(_ConnectionError, match="Device connection error"):
        await smart_connect(plug)
    await plug.refuse(False)
    dev = await smart_connect(plug)
    await dev.disconnect()


async def test_malformed_reply_escapes_as_json_error(plug: SmartPlug) -> None:
    await plug.malformed()
    # The reply decrypts; its JSON does not parse. python-kasa lets the
    # orjson error through unwrapped (not a KasaException).
    with pytest.raises(orjson.JSONDecodeError):
        await smart_connect(plug)


async def test_slow_but_in_time(plug: SmartPlug) -> None:
    await plug.slow(0.3)
    dev = await smart_connect(plug)
    await dev.disconnect()


async def test_move_to_another_address(sim: Simulator) -> None:
    plug = await sim.add_tapo_plug(alias="Lamp", model="P100")  # few queries
    dev = await smart_connect(plug)
    old_host = plug.host
    new_host = await plug.move_to()
    assert new_host != old_host
    try:
        with pytest.raises(KasaException, match="get_device_info not found"):
            await dev.update()  # connection refused at the old address
    finally:
        await dev.disconnect()
    found = await Discover.discover_single(
        new_host, credentials=credentials(plug), discovery_timeout=1, timeout=1
    )
    assert found is not None
    await found.update()
    assert found.mac == plug.mac
    await found.disconnect()


async def test_config_helper_matches_discovery(plug: SmartPlug) -> None:
    assert plug.host is not None
    found = await Discover.discover_single(plug.host, discovery_timeout=1)
    assert found is not None
    assert found.config.connection_type == smart_config(plug).connection_type
