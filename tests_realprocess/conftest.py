"""Run the real thing: the device simulator and `hass`, each a process of its own.

Each fixture starts its process in a session of its own, waits (bounded) until
it answers, and stops it by its PID afterwards, whatever the test did: SIGTERM,
then SIGKILL if it has not exited within the time allowed. Their output goes
to files in the test's temporary folder; the end of each is printed at
teardown, which pytest shows when a test failed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from pathlib import Path
import re
import socket
import sys
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts" / "lib")]

from hass_api import HomeAssistant  # noqa: E402
import hass_config  # noqa: E402
from process import Process  # noqa: E402

from simulator.control import request  # noqa: E402

BIN = Path(sys.executable).parent
CONTROL_API = re.compile(r"control API: http://127\.0\.0\.1:(\d+)/devices")


def free_port() -> int:
    """Return a TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SimulatorControl:
    """The simulator's control API."""

    def __init__(self, port: int) -> None:
        """Talk to the control API on `port`."""
        self.port = port

    async def device(self, key: str) -> dict[str, Any]:
        """Return one device's state: alias, host, MAC, faults..."""
        return dict(await request("GET", f"/devices/{quote(key)}", port=self.port))

    async def act(self, key: str, action: str, value: Any = None) -> None:
        """Apply a control (power_off, set_rssi, ...) to a device."""
        body = None if value is None else {"value": value}
        path = f"/devices/{quote(key)}/{action}"
        await request("POST", path, port=self.port, body=body)


@pytest.fixture
def fleet() -> list[dict[str, Any]]:
    """Return the simulated devices, as a fleet file lists them."""
    return [{"alias": "Desk lamp"}]


@pytest.fixture
async def simulator(
    tmp_path: Path, fleet: list[dict[str, Any]]
) -> AsyncIterator[SimulatorControl]:
    """Run `python -m simulator serve` with the fleet; its control API."""
    fleet_file = tmp_path / "fleet.json"
    fleet_file.write_text(json.dumps({"devices": fleet}))
    process = Process(
        "the simulator",
        [
            sys.executable,
            "-m",
            "simulator",
            "serve",
            "--fleet",
            fleet_file,
            "--control-port",
            "0",
            "--no-broadcast",
        ],
        tmp_path / "simulator.log",
    )
    await process.start()
    try:

        async def control_port() -> int | None:
            found = CONTROL_API.search(process.output())
            return int(found[1]) if found else None

        port = await process.wait_until(
            control_port, within=30, what="control API from the simulator"
        )
        yield SimulatorControl(port)
    finally:
        await process.stop(grace=10)
        print(f"--- simulator output\n{process.output()}")


@pytest.fixture
async def hass(tmp_path: Path) -> AsyncIterator[HomeAssistant]:
    """Run `hass -c FOLDER --skip-pip` on a free port; a client for it."""
    missing = hass_config.missing_requirements(hass_config.TEMPLATE)
    if missing:
        pytest.fail(
            f"not installed: {', '.join(missing)}. scripts/test installs "
            "requirements_hass.txt, which must name them (.venv-hass)"
        )
    config = tmp_path / "config"
    port = free_port()
    hass_config.prepare(config, port)
    process = Process(
        "hass", [BIN / "hass", "-c", config, "--skip-pip"], tmp_path / "hass.out"
    )
    async with aiohttp.ClientSession() as session:
        client = HomeAssistant(f"http://127.0.0.1:{port}", session)
        await process.start()
        try:
            await process.wait_until(
                client.answers,
                within=120,
                what=f"answer from Home Assistant on {client.url}",
            )
            yield client
        finally:
            await process.stop(grace=30)
            log = config / "home-assistant.log"
            text = log.read_text(errors="replace") if log.exists() else ""
            print(f"--- home-assistant.log (end)\n{text[-6000:]}")
            print(f"--- hass output (end)\n{process.output(20)}")
    assert not loud_lines_about_us(text), "Home Assistant warned about us"


# Home Assistant says this of every custom integration it loads.
EVERY_CUSTOM_INTEGRATION = "which has not been tested by Home Assistant"


def loud_lines_about_us(log: str) -> list[str]:
    """Return the warnings and errors in a Home Assistant log that concern us."""
    return [
        line
        for line in log.splitlines()
        if (" WARNING " in line or " ERROR " in line or " CRITICAL " in line)
        and "red_light_doctor" in line
        and EVERY_CUSTOM_INTEGRATION not in line
    ]
