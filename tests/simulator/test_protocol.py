"""The XOR cipher and the IOT command set, without a network."""

from __future__ import annotations

import json

from kasa.transports.xortransport import XorEncryption
import pytest

from simulator import SimulatedPlug, find_model
from simulator.iot import IotApi
from simulator.legacy import MALFORMED_PAYLOAD, encode_frame, xor_decrypt, xor_encrypt


def make_plug(model: str = "HS100", **kwargs: object) -> SimulatedPlug:
    now = [1_800_000_000.0]
    return SimulatedPlug(
        alias="Lamp",
        mac="50-c7-bf-01-02-03",
        profile=find_model(model, emeter=False),
        clock=lambda: now[0],
        **kwargs,  # type: ignore[arg-type]
    )


def test_cipher_matches_python_kasa() -> None:
    text = json.dumps({"system": {"get_sysinfo": {}}, "ünïcode": "✓"})
    frame = encode_frame(text.encode())
    assert frame == XorEncryption.encrypt(text)
    assert XorEncryption.decrypt(frame[4:]) == text
    assert xor_decrypt(xor_encrypt(text.encode())) == text.encode()


def test_malformed_payload_is_text_but_not_json() -> None:
    decoded = XorEncryption.decrypt(xor_encrypt(MALFORMED_PAYLOAD))
    with pytest.raises(json.JSONDecodeError):
        json.loads(decoded)


def test_merged_request_gets_merged_reply_with_firmware_errors() -> None:
    api = IotApi(make_plug())
    reply = api.handle(
        {
            "system": {"get_sysinfo": {}, "no_such_method": {}},
            "emeter": {"get_realtime": {}},
            "smartlife.iot.common.emeter": {"get_realtime": {}},
            "time": {"get_time": None, "get_timezone": {}},
        }
    )
    assert set(reply) == {"system", "emeter", "smartlife.iot.common.emeter", "time"}
    assert reply["system"]["get_sysinfo"]["alias"] == "Lamp"
    assert reply["system"]["get_sysinfo"]["mac"] == "50:C7:BF:01:02:03"
    assert reply["system"]["no_such_method"] == {
        "err_code": -2,
        "err_msg": "member not support",
    }
    # HS100 has no energy meter: the module itself is unknown.
    assert reply["emeter"] == {"err_code": -1, "err_msg": "module not support"}
    assert reply["smartlife.iot.common.emeter"]["err_code"] == -1
    assert reply["time"]["get_timezone"]["index"] == 38
    assert reply["time"]["get_time"]["err_code"] == 0


def test_invalid_arguments() -> None:
    api = IotApi(make_plug())
    reply = api.handle(
        {"system": {"set_relay_state": {}}, "schedule": {"get_daystat": {"year": 1}}}
    )
    assert reply["system"]["set_relay_state"]["err_code"] == -3
    assert reply["schedule"]["get_daystat"]["err_code"] == -3
    assert api.handle(["not", "a", "dict"])["err_code"] == -3


@pytest.mark.parametrize(
    ("model", "type_key", "feature"),
    [
        ("HS100", "type", "TIM"),
        ("HS100v1", "type", "TIM"),
        ("HS110", "type", "TIM:ENE"),
        ("KP115", "mic_type", "TIM:ENE"),
    ],
)
def test_sysinfo_fields(model: str, type_key: str, feature: str) -> None:
    info = IotApi(make_plug(model)).sysinfo()
    for key in (
        "alias", "model", "mac", "rssi", "on_time", "relay_state", "led_off",
        "feature", "sw_ver", "hw_ver", "deviceId", "hwId", "oemId", "updating",
    ):  # fmt: skip
        assert key in info
    assert info[type_key] == "IOT.SMARTPLUGSWITCH"
    assert info["feature"] == feature
    assert len(info["deviceId"]) == 40


def test_on_time_and_relay_follow_the_clock() -> None:
    now = [1_800_000_000.0]
    plug = SimulatedPlug(
        alias="Lamp",
        mac="50:C7:BF:01:02:03",
        profile=find_model("HS110", emeter=True),
        clock=lambda: now[0],
        load_w=1000.0,
    )
    api = IotApi(plug)
    now[0] += 90
    assert api.sysinfo()["on_time"] == 90
    api.handle({"system": {"set_relay_state": {"state": 0}}})
    assert api.sysinfo()["on_time"] == 0
    assert api.sysinfo()["relay_state"] == 0
    now[0] += 3600  # off: no energy
    api.handle({"system": {"set_relay_state": {"state": 1}}})
    now[0] += 36
    assert api.sysinfo()["on_time"] == 36
    realtime = api.get_realtime({})
    assert realtime["power"] == 1000.0
    assert realtime["voltage"] == 230.0
    assert realtime["current"] == pytest.approx(1000 / 230, abs=1e-6)
    # 90 s + 36 s at 1 kW = 35 Wh
    assert realtime["total"] == 0.035


def test_milli_units_and_stats() -> None:
    now = [1_800_000_000.0]  # 2027-01-15 08:00 UTC
    plug = SimulatedPlug(
        alias="Mini",
        mac="50:C7:BF:01:02:04",
        profile=find_model("KP115", emeter=True),
        clock=lambda: now[0],
        load_w=1000.0,
    )
    api = IotApi(plug)
    now[0] += 2 * 3600
    realtime = api.get_realtime({})
    assert realtime == {
        "voltage_mv": 120000,
        "current_ma": 8333,
        "power_mw": 1000000,
        "total_wh": 2000,
        "err_code": 0,
    }
    day = api.handle({"emeter": {"get_daystat": {"year": 2027, "month": 1}}})
    assert day["emeter"]["get_daystat"]["day_list"] == [
        {"year": 2027, "month": 1, "day": 15, "energy_wh": 2000}
    ]
    usage = api.handle({"schedule": {"get_monthstat": {"year": 2027}}})
    assert usage["schedule"]["get_monthstat"]["month_list"] == [
        {"year": 2027, "month": 1, "time": 120}
    ]
    # A day boundary splits the statistics.
    now[0] += 16 * 3600 + 1800  # to 02:30 next day
    days = api.get_emeter_daystat({"year": 2027, "month": 1})["day_list"]
    assert [(d["day"], d["energy_wh"]) for d in days] == [(15, 16000), (16, 2500)]
