"""The control API and the command line."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import re
import signal
import sys

from kasa import Discover
import pytest

from simulator import Simulator
from simulator.__main__ import load_fleet, parser
from simulator.control import (
    ControlError,
    ControlServer,
    apply_action,
    format_device,
    parse_bool,
    parse_seconds,
    request,
)

ROOT = Path(__file__).resolve().parents[2]


def test_value_parsing() -> None:
    assert parse_bool("on") is True
    assert parse_bool("OFF") is False
    assert parse_bool(1) is True
    with pytest.raises(ControlError):
        parse_bool("maybe")
    assert parse_seconds("none") is None
    assert parse_seconds("0") is None
    assert parse_seconds("2.5") == 2.5
    with pytest.raises(ControlError):
        parse_seconds("soon")


def test_command_line_arguments(tmp_path: Path) -> None:
    args = parser().parse_args(["ctl", "127.0.0.3", "set_rssi", "-80"])
    assert (args.device, args.action, args.value) == ("127.0.0.3", "set_rssi", "-80")
    assert parser().parse_args(["serve"]).control_port == 9990
    default = load_fleet(None)
    assert len(default) == 7
    assert [spec.get("kind", "legacy") for spec in default] == [
        "legacy",
        "legacy",
        "legacy",
        "tapo_plug",
        "kasa_smart_plug",
        "tapo_camera",
        "tapo_camera",
    ]
    assert any(spec.get("emeter") for spec in default)
    fleet = tmp_path / "fleet.json"
    fleet.write_text(json.dumps({"devices": [{"alias": "A", "model": "KP115"}]}))
    assert load_fleet(fleet) == [{"alias": "A", "model": "KP115"}]
    fleet.write_text("[1, 2]")
    with pytest.raises(ValueError, match="expected a list"):
        load_fleet(fleet)


async def test_apply_action(sim: Simulator) -> None:
    plug = await sim.add_plug(alias="Lamp")
    await apply_action(plug, "set_rssi", "-77")
    assert plug.rssi == -77
    await apply_action(plug, "blackhole")  # no value: on
    assert plug.describe()["faults"]["blackhole"] is True
    await apply_action(plug, "blackhole", "off")
    assert plug.describe()["faults"]["blackhole"] is False
    await apply_action(plug, "slow", "0.25")
    assert plug.describe()["faults"]["slow"] == 0.25
    await apply_action(plug, "slow")
    assert plug.describe()["faults"]["slow"] is None
    with pytest.raises(ControlError, match="needs a value"):
        await apply_action(plug, "set_relay")
    with pytest.raises(ControlError, match="unknown action"):
        await apply_action(plug, "explode")


async def test_control_api(sim: Simulator) -> None:
    lamp = await sim.add_plug(alias="Desk lamp")
    heater = await sim.add_plug(alias="Heater", emeter=True)
    control = ControlServer(sim, port=0)
    await control.start()
    try:
        port = control.port
        listed = await request("GET", "/devices", port=port)
        assert [d["alias"] for d in listed["devices"]] == ["Desk lamp", "Heater"]
        assert "HS110(EU)" in format_device(listed["devices"][1])

        answer = await request("POST", "/devices/Desk%20lamp/power_off", port=port)
        assert answer["device"]["powered"] is False
        assert not lamp.powered
        assert "UNPOWERED" in format_device(answer["device"])

        await request(
            "POST", f"/devices/{heater.host}/set_rssi", port=port, body={"value": -80}
        )
        assert heater.rssi == -80
        answer = await request(
            "POST", "/devices/heater/move_to", port=port, body={"value": "127.0.1.99"}
        )
        assert answer["result"] == "127.0.1.99"
        assert heater.host == "127.0.1.99"
        mac = heater.mac.lower()
        one = await request("GET", f"/devices/{mac}", port=port)
        assert one["alias"] == "Heater"

        with pytest.raises(ControlError, match="404"):
            await request("POST", "/devices/Nobody/power_off", port=port)
        with pytest.raises(ControlError, match="400"):
            await request(
                "POST", "/devices/Heater/set_rssi", port=port, body={"value": "x"}
            )

        added = await request(
            "POST", "/devices", port=port, body={"alias": "Extra", "model": "KP115"}
        )
        assert added["model"] == "KP115(US)"
        with pytest.raises(ControlError, match="unknown plug options"):
            await request("POST", "/devices", port=port, body={"colour": "red"})
        await request("DELETE", "/devices/Extra", port=port)
        assert len(sim) == 2
    finally:
        await control.stop()


async def _run(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_serve_ctl_and_list() -> None:
    serve = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "serve",
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
            line = await serve.stdout.readline()
            assert line, "serve exited early"
            lines.append(line.decode().strip())
        port_match = re.search(r":(\d+)/devices", lines[-1])
        assert port_match is not None
        port = port_match.group(1)
        devices = [line for line in lines if "50:C7:BF" in line]
        assert len(devices) == 7
        assert any("HS110(EU)" in line for line in devices)
        assert any("P110(EU)" in line for line in devices)
        assert any("C460(CA)" in line for line in devices)
        listed = await request("GET", "/devices", port=int(port))
        lamp_host = listed["devices"][0]["host"]

        code, out, _ = await _run("list", "--control-port", port)
        assert code == 0
        assert "Desk lamp" in out
        assert "Coffee maker" in out

        code, out, _ = await _run(
            "ctl", "Desk lamp", "set_rssi", "-80", "--control-port", port
        )
        assert code == 0
        assert "rssi -80" in out
        found = await Discover.discover_single(lamp_host, discovery_timeout=2)
        assert found is not None
        await found.update()
        assert found.rssi == -80
        await found.disconnect()

        assert any(line.endswith(":20002") for line in lines)
        code, out, _ = await _run(
            "ctl", "Kettle", "firmware_update", "1.5.0", "--control-port", port
        )
        assert code == 0
        assert "firmware_update" in out
        code, _, err = await _run(
            "ctl", "Kettle", "set_battery", "5", "--control-port", port
        )
        assert code == 1
        assert "is not a Tapo camera" in err

        code, out, _ = await _run(
            "ctl", "Desk lamp", "power_off", "--control-port", port
        )
        assert code == 0
        assert "UNPOWERED" in out
        code, _, err = await _run("ctl", "Nobody", "power_off", "--control-port", port)
        assert code == 1
        assert "404" in err
    finally:
        if serve.returncode is None:
            serve.send_signal(signal.SIGTERM)
        rest, _ = await serve.communicate()
    assert serve.returncode == 0
    assert "stopped" in rest.decode()
