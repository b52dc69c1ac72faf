"""Controls of the authenticated devices: API, parsing and errors."""

from __future__ import annotations

import pytest

from simulator import Simulator
from simulator.control import (
    ControlError,
    ControlServer,
    apply_action,
    format_device,
    parse_credentials,
    parse_methods,
    request,
)


def test_value_parsing() -> None:
    assert parse_credentials("alice@example.com:pa:ss") == (
        "alice@example.com",
        "pa:ss",
    )
    assert parse_credentials("only-a-password") == (None, "only-a-password")
    assert parse_credentials({"username": "bob", "password": "pw"}) == ("bob", "pw")
    with pytest.raises(ControlError):
        parse_credentials("bob:")
    assert parse_methods("get_a, get_b") == ["get_a", "get_b"]
    assert parse_methods("none") == []


async def test_smart_plug_actions(sim: Simulator) -> None:
    plug = await sim.add_tapo_plug(alias="Kettle")
    await apply_action(plug, "set_credentials", "alice@example.com:pw2")
    assert (plug.username, plug.password) == ("alice@example.com", "pw2")
    await apply_action(plug, "set_credentials", "pw3")
    assert (plug.username, plug.password) == ("alice@example.com", "pw3")
    await apply_action(plug, "reject_handshake")
    assert plug.handshake_rejected
    await apply_action(plug, "reject_handshake", "off")
    await apply_action(plug, "discovery_encryption")
    assert plug.discovery_encrypt_type == "TPAP"
    await apply_action(plug, "discovery_encryption", "none")
    assert plug.discovery_encrypt_type is None
    await apply_action(plug, "set_overheated")
    assert plug.overheated
    await apply_action(plug, "firmware_update", "1.5.0 Build 250101 Rel.1")
    assert plug.update_available
    assert plug.describe()["faults"]["firmware_update"] == "1.5.0 Build 250101 Rel.1"
    await apply_action(plug, "update_outcome", "fail")
    assert plug.update_outcome == "fail"
    with pytest.raises(ControlError, match="expected one of"):
        await apply_action(plug, "update_outcome", "maybe")
    await apply_action(plug, "firmware_update", "none")
    assert not plug.update_available
    await apply_action(plug, "set_rssi", "none")
    assert plug.describe()["rssi"] is None
    await apply_action(plug, "set_signal_level", "1")
    assert plug.signal_level == 1
    await apply_action(plug, "set_signal_level", "none")
    await apply_action(plug, "unsupported_methods", "get_led_info")
    assert plug.unsupported_methods == {"get_led_info"}
    await apply_action(plug, "unsupported_methods")
    assert not plug.unsupported_methods
    await apply_action(plug, "expire_sessions")
    await apply_action(plug, "set_relay", "off")
    assert not plug.relay_on
    with pytest.raises(ControlError, match="is not a Tapo camera"):
        await apply_action(plug, "set_battery", "10")


async def test_camera_actions(sim: Simulator) -> None:
    camera = await sim.add_tapo_camera(alias="Garden", battery=True)
    await apply_action(camera, "set_battery", "12")
    assert camera.battery_low
    await apply_action(camera, "battery_low", "off")
    assert not camera.battery_low
    await apply_action(camera, "battery_low", "auto")
    assert camera.battery_low
    await apply_action(camera, "set_charging", "on")
    assert camera.battery_charging
    assert camera.battery_low  # unchanged
    await apply_action(camera, "third_party", "off")
    assert not camera.third_party_compat
    await apply_action(camera, "block")
    assert camera.block_seconds_left == 1800
    assert camera.describe()["faults"]["blocked"] == 1800
    await apply_action(camera, "block", "none")
    assert camera.block_seconds_left == 0
    await apply_action(camera, "set_privacy", "on")
    await apply_action(camera, "set_led", "off")
    assert camera.privacy_mode
    assert not camera.led_on
    assert "privacy" in format_device(camera.describe())
    with pytest.raises(ControlError, match="is not a plug"):
        await apply_action(camera, "set_relay", "on")
    with pytest.raises(ControlError, match="is not a SMART plug"):
        await apply_action(camera, "set_overheated")


async def test_legacy_plug_refuses_account_actions(sim: Simulator) -> None:
    lamp = await sim.add_plug(alias="Lamp")
    with pytest.raises(ControlError, match="is not a device with an account"):
        await apply_action(lamp, "reject_handshake")
    with pytest.raises(ControlError, match="always reports"):
        await apply_action(lamp, "set_rssi", "none")


async def test_control_api_adds_each_kind(sim: Simulator) -> None:
    control = ControlServer(sim, port=0)
    await control.start()
    try:
        port = control.port
        added = await request(
            "POST", "/devices", port=port, body={"kind": "tapo_plug", "alias": "K"}
        )
        assert (added["kind"], added["model"]) == ("tapo_plug", "P110(EU)")
        assert added["http_port"] == 20080
        added = await request(
            "POST", "/devices", port=port, body={"kind": "kasa_smart_plug"}
        )
        assert added["model"] == "KP125M(US)"
        added = await request(
            "POST", "/devices", port=port, body={"kind": "battery_camera", "alias": "G"}
        )
        assert added["kind"] == "battery_camera"
        assert added["battery"]["percent"] == 85
        with pytest.raises(ControlError, match="unknown kind"):
            await request("POST", "/devices", port=port, body={"kind": "toaster"})
        with pytest.raises(ControlError, match="unknown tapo_camera options: emeter"):
            await request(
                "POST", "/devices", port=port, body={"kind": "tapo_camera", "emeter": 1}
            )
        answer = await request(
            "POST",
            "/devices/K/set_credentials",
            port=port,
            body={"value": {"username": "carol@example.com", "password": "x"}},
        )
        assert answer["device"]["username"] == "carol@example.com"
        answer = await request("POST", "/devices/G/block", port=port)
        assert answer["device"]["faults"]["blocked"] == 1800
        assert "blocked" in format_device(answer["device"])
    finally:
        await control.stop()
