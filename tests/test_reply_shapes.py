"""The acceptance rule of issue 17: a reply of any shape never raises out of a probe.

It becomes an answer, a PROTOCOL failure of that device, or a dropped
discovery reply. Read here without the network; the tests that send such
replies from the simulator are in test_hostile_replies.py.
"""

from __future__ import annotations

from collections.abc import Callable
import copy
from typing import Any

import pytest

from custom_components.red_light_doctor.observation import Failure, Observation
from custom_components.red_light_doctor.probe.kasa import (
    DiscoveryScreen,
    ProbeError,
    _camera_observation_from,
    _observation_from,
    _smart_observation_from,
)

SYSINFO = {"system": {"get_sysinfo": {"rssi": -50, "relay_state": 1}}}
SMART_INFO = {
    "multipleRequest": {
        "responses": [
            {"method": "get_device_info", "error_code": 0, "result": {"rssi": -50}}
        ]
    }
}
HOSTILE_REPLIES: list[Any] = [
    None,
    [],
    "system",
    {"system": []},
    {"system": {"get_sysinfo": "garbage"}},
    {"system": {"get_sysinfo": {"rssi": {"dbm": -50}, "on_time": "soon"}}},
    {"multipleRequest": {"responses": {"get_device_info": {}}}},
    {"multipleRequest": {"responses": [None, {"method": 5}, {"error_code": -1}]}},
    {"getDeviceInfo": {"device_info": ["basic_info"]}},
    SYSINFO,
    SMART_INFO,
]


@pytest.mark.parametrize("reply", HOSTILE_REPLIES)
@pytest.mark.parametrize(
    "read", [_observation_from, _smart_observation_from, _camera_observation_from]
)
def test_a_reply_of_any_shape_is_an_answer_or_a_protocol_failure(
    read: Callable[[Any, str], Observation], reply: Any
) -> None:
    assert failure_reading(read, reply) in (None, Failure.PROTOCOL)


def failure_reading(
    read: Callable[[Any, str], Observation], reply: Any
) -> Failure | None:
    """Return how reading a reply failed; None for an answer."""
    try:
        assert read(reply, "192.0.2.10").reachable
    except ProbeError as err:
        return err.failure
    return None


PLUG = {
    "mic_type": "IOT.SMARTPLUGSWITCH",
    "model": "HS100(US)",
    "mac": "50:C7:BF:00:00:02",
    "alias": "Desk lamp",
}
SMART = {
    "device_type": "SMART.TAPOPLUG",
    "device_model": "P110(EU)",
    "mac": "50-C7-BF-00-00-03",
}
SPOT = {"type": "IOT.IPCAMERA", "model": "EC60(US)", "mac": "74:FE:CE:00:00:04"}


def legacy(**sysinfo: Any) -> dict[str, Any]:
    return {"system": {"get_sysinfo": {**PLUG, **sysinfo}}}


def smart(**result: Any) -> dict[str, Any]:
    return {"error_code": 0, "result": {**SMART, **result}}


def kasa_spot(**system: Any) -> dict[str, Any]:
    return {"system": {"get_sysinfo": {"err_code": 0, "system": {**SPOT, **system}}}}


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (legacy(), "kept"),
        (legacy(mac="zz"), "dropped"),
        (legacy(mac=None, mic_mac="50C7BF000002"), "kept"),
        (legacy(alias=5, model=[], mac={"a": 1}), "dropped"),
        (legacy(mic_type=["IOT.SMARTPLUGSWITCH"]), "dropped"),
        (legacy(dev_name=7), "dropped"),
        ({"system": {"get_sysinfo": "garbage"}}, "dropped"),
        (smart(), "kept"),
        (smart(mac=12345), "dropped"),
        (smart(device_model=["P110"]), "dropped"),
        ({"result": None}, "dropped"),
        (kasa_spot(), "camera"),
        (kasa_spot(mac=12345, model=["EC60"]), "dropped"),
        (None, "left"),
        ([], "left"),
        ("system", "left"),
    ],
)
def test_a_discovery_reply_is_kept_or_dropped_whole(reply: Any, outcome: str) -> None:
    screen = DiscoveryScreen()
    host = "192.0.2.10"
    original = copy.deepcopy(reply)
    raw: Any = {"meta": {"ip": host, "port": 9999}, "discovery_response": reply}
    screen(raw)
    seen = (
        "camera"
        if host in screen.cameras
        else "dropped"
        if host in screen.dropped
        else "kept"
        if isinstance(reply, dict)
        else "left"
    )
    assert seen == outcome
    # python-kasa gives up on an emptied reply as unreadable.
    assert reply == ({} if outcome in ("camera", "dropped") else original)
