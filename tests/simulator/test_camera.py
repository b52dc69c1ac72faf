"""Tapo cameras (C200, C210, battery C460) over SSL-AES with python-kasa.

See the table "Faults on the authenticated devices" in simulator/README.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import ssl
import time
from typing import Any

from kasa import (
    AuthenticationError,
    Device,
    DeviceConfig,
    DeviceError,
    Discover,
    KasaException,
    UnsupportedDeviceError,
)
from kasa.exceptions import (
    SmartErrorCode,
    TimeoutError as KasaTimeoutError,
    _ConnectionError,
)
from kasa.transports.sslaestransport import SslAesTransport
import pytest
import pytest_asyncio

from simulator import SimulatedCamera, Simulator, SslAesEndpoint
from simulator.httpserver import STATIC_RSA_CIPHERS
from simulator.sslaes import (
    device_confirm,
    digest_password,
    password_hash,
    session_token,
    tapo_tag,
)

from .conftest import (
    NEW_CLIENT,
    credentials,
    only_new_client,
    only_old_client,
    smart_connect,
)

CONNECT = ["getDeviceInfo", "getAppComponentList", "getConnectionType"]
C200_MODULES = {
    "getBCDConfig",
    "getLedStatus",
    "getLensMaskConfig",
    "getDetectionConfig",
    "getTimezone",
    "getClockStatus",
}
NEW_CLIENT_EXTRA = {"getLastAlarmInfo", "getPresetConfig"}
"""Queries python-kasa 0.12.0 adds for a C200 (last alert, PTZ presets)."""


def methods(camera: SimulatedCamera, start: int = 0) -> list[list[str]]:
    """Return the methods of each multipleRequest the camera received."""
    found = []
    for request in list(camera.requests)[start:]:
        assert request["method"] == "multipleRequest"
        found.append([entry["method"] for entry in request["params"]["requests"]])
    return found


def feature(dev: Device, name: str) -> Any:
    return dev.features[name].value


def endpoint(camera: SimulatedCamera) -> SslAesEndpoint:
    return next(e for e in camera.endpoints if isinstance(e, SslAesEndpoint))


@pytest_asyncio.fixture
async def camera(sim: Simulator) -> SimulatedCamera:
    return await sim.add_tapo_camera(alias="Hallway", rssi=-65)


@pytest_asyncio.fixture
async def dev(camera: SimulatedCamera) -> AsyncIterator[Device]:
    device = await smart_connect(camera)
    yield device
    await device.disconnect()


# ------------------------------------------------------------------ protocol
def test_hashes_match_python_kasa() -> None:
    pwdhash = password_hash("secret")
    cnonce, nonce = "0011223344556677", "8899AABBCCDDEEFF"
    transport = SslAesTransport
    assert device_confirm(cnonce, nonce, pwdhash) == (
        transport.generate_confirm_hash(cnonce, nonce, pwdhash)
    )
    assert digest_password(cnonce, nonce, pwdhash) == (
        transport.generate_digest_password(cnonce, nonce, pwdhash)
    )
    for kind in ("lsk", "ivb"):
        assert session_token(kind, cnonce, nonce, pwdhash) == (
            transport.generate_encryption_token(kind, cnonce, nonce, pwdhash)
        )
    assert tapo_tag('{"a":1}', cnonce, pwdhash, 7) == (
        transport.generate_tag('{"a":1}', cnonce, pwdhash, 7)
    )


async def test_tls_suite_each_client_negotiates(
    camera: SimulatedCamera, dev: Device
) -> None:
    cipher = endpoint(camera).last_cipher
    assert cipher is not None
    name, version, _ = cipher
    assert version == "TLSv1.2"  # the cameras' maximum
    if NEW_CLIENT:
        assert name.startswith("ECDHE-RSA-")
    else:
        # 0.10.2 offers static-RSA suites only.
        assert name in STATIC_RSA_CIPHERS


def test_tls_context_refuses_tls13() -> None:
    from simulator.httpserver import server_ssl_context

    assert server_ssl_context().maximum_version is ssl.TLSVersion.TLSv1_2


# ------------------------------------------------------- discovery + update
@pytest.mark.parametrize(
    ("model", "battery"), [("C200", False), ("C210", False), ("C460", True)]
)
async def test_discover_single_then_update_twice(
    sim: Simulator, model: str, battery: bool
) -> None:
    camera = await sim.add_tapo_camera(
        alias="Porch", model=model, battery=battery, rssi=-65
    )
    assert camera.host is not None
    dev = await Discover.discover_single(
        camera.host, credentials=credentials(camera), discovery_timeout=1, timeout=1
    )
    assert dev is not None
    try:
        params = dev.config.connection_type
        assert params.device_family.value == "SMART.IPCAMERA"
        assert params.encryption_type.value == "AES"
        assert (params.https, params.login_version) == (True, 3)
        assert params.http_port == camera.http_port
        decrypted = dev._discovery_info["decrypted_data"]  # from encrypt_info
        assert decrypted["device_id"] == camera.device_id

        await dev.update()
        first = len(camera.requests)
        await dev.update()
        # The e-mail is refused, then "admin" logs in: one session.
        assert camera.login_attempts == 2
        assert camera.handshake_count == 1
        batches = methods(camera)
        assert batches[0] == CONNECT
        connect = {m for batch in batches[1:first] for m in batch}
        update = {m for batch in methods(camera, first) for m in batch}
        if model == "C200":
            expected = C200_MODULES | (NEW_CLIENT_EXTRA if NEW_CLIENT else set())
            assert connect == expected
            assert update == expected | {"getDeviceInfo", "getConnectionType"}
        assert dev.alias == "Porch"
        assert dev.model == model
        assert dev.mac == camera.mac
        assert dev.device_type is Device.Type.Camera
        assert dev.rssi == -65
        assert dev.is_on  # lens mask off
        assert feature(dev, "signal_level") == "2"
        assert dev.hw_info["sw_ver"] == camera.profile.sw_ver
        assert "cloud_connection" not in dev.features  # cameras have none
        if battery:
            assert feature(dev, "battery_level") == 85
            assert feature(dev, "battery_low") is False
            assert "battery_temperature" in dev.features
        else:
            assert "battery_level" not in dev.features
    finally:
        await dev.disconnect()


async def test_connect_with_the_stored_connection_parameters(
    camera: SimulatedCamera,
) -> None:
    assert camera.host is not None
    found = await Discover.discover_single(
        camera.host, credentials=credentials(camera), discovery_timeout=1, timeout=1
    )
    assert found is not None
    await found.update()
    stored = found.config.to_dict()
    stored.pop("credentials", None)
    hashed = found.credentials_hash
    await found.disconnect()

    config = DeviceConfig.from_dict(stored)
    config.credentials_hash = hashed
    dev = await Device.connect(config=config)
    try:
        assert dev.alias == "Hallway"
        await dev.update()
    finally:
        await dev.disconnect()


async def test_privacy_mode_is_the_state(camera: SimulatedCamera, dev: Device) -> None:
    await dev.set_state(False)
    assert camera.privacy_mode
    await dev.update()
    assert not dev.is_on
    await camera.set_privacy(False)
    await dev.update()
    assert dev.is_on


async def test_unsupported_methods_answer_minus_40106(
    camera: SimulatedCamera, dev: Device
) -> None:
    with pytest.raises(DeviceError) as err:
        await dev.protocol.query({"getNoSuchThing": {"system": {}}})
    assert err.value.error_code is SmartErrorCode.UNSUPPORTED_METHOD

    # An older firmware without these: python-kasa keeps updating.
    await camera.set_unsupported_methods(
        {"getLastAlarmInfo", "getPresetConfig", "getBCDConfig"}
    )
    await dev.update()
    await dev.update()
    assert dev.alias == "Hallway"


# ---------------------------------------------------------------- accounts
async def test_wrong_password(camera: SimulatedCamera) -> None:
    with pytest.raises(AuthenticationError, match="did not match our challenge"):
        await smart_connect(camera, password="wrong")
    assert camera.handshake_count == 0
    assert camera.login_attempts == 2  # e-mail, then admin; no retry


async def test_third_party_compatibility_off(camera: SimulatedCamera) -> None:
    await camera.set_third_party_compat(False)
    with pytest.raises(AuthenticationError, match="did not match our challenge"):
        await smart_connect(camera)
    await camera.set_third_party_compat(True)
    dev = await smart_connect(camera)
    await dev.disconnect()


async def test_device_blocked(camera: SimulatedCamera) -> None:
    await camera.block(1800)
    with pytest.raises(DeviceError, match="Device blocked for 1800 seconds") as err:
        await smart_connect(camera)
    assert err.value.error_code is SmartErrorCode.DEVICE_BLOCKED
    await camera.block(None)
    dev = await smart_connect(camera)
    await dev.disconnect()


async def test_handshake_rejected_with_403(camera: SimulatedCamera) -> None:
    await camera.reject_handshake()
    with pytest.raises(KasaException) as err:
        await smart_connect(camera)
    assert type(err.value) is KasaException
    assert str(err.value) == (
        f"{camera.host} responded with an unexpected status code 403 to handshake1"
    )


async def test_password_changed_while_connected(
    camera: SimulatedCamera, dev: Device
) -> None:
    await camera.set_credentials(password="new password")
    with pytest.raises(KasaException, match="getDeviceInfo not found"):
        await dev.update()
    fresh = await smart_connect(camera, password="new password")
    await fresh.disconnect()


@pytest.mark.parametrize("fault", ["reboot", "expire_sessions"])
async def test_lost_session_is_renewed(
    camera: SimulatedCamera, dev: Device, fault: str
) -> None:
    await getattr(camera, fault)()
    await dev.update()  # -40401, new login, retried
    assert camera.handshake_count == 2


async def test_unsupported_encryption_in_discovery(camera: SimulatedCamera) -> None:
    assert camera.host is not None
    await camera.set_discovery_encryption("TPAP")
    with pytest.raises(UnsupportedDeviceError, match="encrypt_type='TPAP'"):
        await Discover.discover_single(
            camera.host, credentials=credentials(camera), discovery_timeout=1
        )


# ----------------------------------------------------------------- reports
async def test_low_battery(sim: Simulator) -> None:
    camera = await sim.add_tapo_camera(alias="Garden", battery=True)
    dev = await smart_connect(camera)
    try:
        await camera.set_battery(12)
        await dev.update()
        assert feature(dev, "battery_level") == 12
        assert feature(dev, "battery_low") is True
        await camera.set_battery(60, low=True)  # the firmware's own flag
        await dev.update()
        assert feature(dev, "battery_level") == 60
        assert feature(dev, "battery_low") is True
    finally:
        await dev.disconnect()


@only_old_client
async def test_battery_firmware_without_details_breaks_old_client(
    sim: Simulator,
) -> None:
    camera = await sim.add_tapo_camera(alias="G", battery=True, battery_details=False)
    dev = await smart_connect(camera)
    try:
        # 0.10.2 adds the features anyway and reads the keys unconditionally.
        for name in ("battery_temperature", "battery_voltage", "battery_charging"):
            with pytest.raises(KeyError):
                feature(dev, name)
        assert feature(dev, "battery_level") == 85
    finally:
        await dev.disconnect()


@only_new_client
async def test_battery_firmware_without_details(sim: Simulator) -> None:
    camera = await sim.add_tapo_camera(alias="G", battery=True, battery_details=False)
    dev = await smart_connect(camera)
    try:
        assert "battery_temperature" not in dev.features
        assert "battery_voltage" not in dev.features
        assert feature(dev, "battery_charging") is False
    finally:
        await dev.disconnect()


@only_new_client
async def test_http_401_for_an_ended_session(
    camera: SimulatedCamera, dev: Device, caplog: pytest.LogCaptureFixture
) -> None:
    await camera.set_expired_session_reply("http_401")
    await camera.expire_sessions()
    await dev.update()  # 0.12.0 logs in again and retries
    assert camera.handshake_count == 2
    assert "401" not in "".join(
        r.getMessage() for r in caplog.records if r.levelname == "ERROR"
    )


@only_old_client
async def test_http_401_for_an_ended_session_old_client(
    camera: SimulatedCamera, dev: Device, caplog: pytest.LogCaptureFixture
) -> None:
    await camera.set_expired_session_reply("http_401")
    await camera.expire_sessions()
    # 0.10.2 treats 401 as an error: the batch fails (logged), then the
    # method-by-method fallback logs in again and succeeds.
    await dev.update()
    assert "unexpected status code 401 to passthrough" in caplog.text
    assert camera.handshake_count == 2


async def test_weak_signal_without_rssi(camera: SimulatedCamera, dev: Device) -> None:
    await camera.set_rssi(-79)
    await dev.update()
    assert dev.rssi == -79
    assert feature(dev, "signal_level") == "1"
    await camera.set_rssi(None)  # firmware reporting the level only
    await camera.set_signal_level(0)
    await dev.update()
    assert dev.rssi is None
    assert dev.modules["devicemodule"].signal_level == "0"  # type: ignore[attr-defined]
    fresh = await smart_connect(camera)
    try:
        # python-kasa adds the RSSI and signal level features only with an RSSI.
        assert "signal_level" not in fresh.features
        assert "rssi" not in fresh.features
    finally:
        await fresh.disconnect()


# ----------------------------------------------------------- network faults
async def test_no_answer_at_connect(camera: SimulatedCamera) -> None:
    await camera.power_off()
    started = time.monotonic()
    with pytest.raises(KasaException) as err:
        await smart_connect(camera)
    elapsed = time.monotonic() - started
    assert isinstance(err.value.__cause__, TimeoutError)
    if NEW_CLIENT:
        assert type(err.value) is KasaTimeoutError
        assert camera.dropped_count == 4
        assert 6 < elapsed < 10
    else:
        assert type(err.value) is KasaException
        assert camera.dropped_count == 1
        assert elapsed < 2


async def test_refused(camera: SimulatedCamera) -> None:
    await camera.refuse()
    with pytest.raises(_ConnectionError, match="Device connection error"):
        await smart_connect(camera)


async def test_malformed(camera: SimulatedCamera) -> None:
    await camera.malformed()
    with pytest.raises(KasaException, match="Unable to decrypt response") as err:
        await smart_connect(camera)
    assert isinstance(err.value.__cause__, ValueError)  # the JSON error
