"""Command line: ``python -m simulator serve|ctl|list``.

- ``serve [--fleet FILE.json] [--kasa-spot N] [--control-port 9990]``: start
  a fleet (by default three legacy plugs, one with an energy meter, a Tapo
  P110, a Kasa KP125M, a Tapo C200 camera and a battery C460 camera; then N
  Kasa Spot EC60 cameras) and the control API; print each device; stop
  cleanly on Ctrl-C or SIGTERM.
- ``ctl DEVICE ACTION [VALUE]``: apply a control to a device of a running
  fleet, for example ``ctl "Desk lamp" power_off``, ``ctl 127.0.0.3 set_rssi
  -80``, ``ctl "Desk lamp" move_to 127.0.0.9``, ``ctl Kettle set_credentials
  NEWPASSWORD`` or ``ctl "Hallway camera" block 600``.
- ``list``: show the devices of a running fleet.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from pathlib import Path
import signal
import sys
from typing import Any
from urllib.parse import quote

from .control import (
    ACTIONS,
    DEFAULT_CONTROL_HOST,
    DEFAULT_CONTROL_PORT,
    ControlError,
    ControlServer,
    format_device,
    request,
)
from .fleet import DEFAULT_FLEET, Simulator
from .legacy import BROADCAST_ADDRESS


def kasa_spot_specs(count: int) -> list[dict[str, Any]]:
    """Return fleet entries for ``count`` Kasa Spot cameras (``--kasa-spot``)."""
    return [
        {"kind": "kasa_spot_camera", "alias": f"Kasa Spot {n}"}
        for n in range(1, count + 1)
    ]


def load_fleet(path: Path | None) -> list[dict[str, Any]]:
    """Read a fleet file: a JSON list of plugs, or ``{"devices": [...]}``."""
    if path is None:
        return [dict(spec) for spec in DEFAULT_FLEET]
    data = json.loads(path.read_text())
    if isinstance(data, dict):
        data = data.get("devices")
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise ValueError(f"{path}: expected a list of device objects")
    return data


async def serve(args: argparse.Namespace) -> int:
    """Run a fleet until interrupted."""
    specs = load_fleet(args.fleet) + kasa_spot_specs(args.kasa_spot)
    broadcast = None if args.no_broadcast else args.broadcast
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with Simulator(broadcast_address=broadcast) as sim:
        for spec in specs:
            await sim.add_from_spec(spec)
        control = ControlServer(sim, host=args.control_host, port=args.control_port)
        await control.start()
        try:
            for device in sim.devices:
                print(format_device(device.describe()))
            if broadcast:
                for port, available in (
                    (sim.port, sim.broadcast_available),
                    (sim.smart_port, sim.smart_broadcast_available),
                ):
                    if available:
                        print(f"broadcast discovery: {broadcast}:{port}")
                    else:
                        where = f"{broadcast}:{port}"
                        print(f"warning: broadcast discovery on {where} unavailable")
            print(f"control API: http://{control.host}:{control.port}/devices")
            sys.stdout.flush()
            await stop.wait()
        finally:
            await control.stop()
    print("stopped")
    return 0


async def ctl(args: argparse.Namespace) -> int:
    """Apply one control to a device of a running fleet."""
    path = f"/devices/{quote(args.device, safe='')}/{quote(args.action, safe='')}"
    body = {"value": args.value} if args.value is not None else None
    data = await request(
        "POST", path, port=args.control_port, host=args.control_host, body=body
    )
    if data.get("result") is not None:
        print(data["result"])
    print(format_device(data["device"]))
    return 0


async def list_devices(args: argparse.Namespace) -> int:
    """Print the devices of a running fleet."""
    data = await request(
        "GET", "/devices", port=args.control_port, host=args.control_host
    )
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        for device in data["devices"]:
            print(format_device(device))
    return 0


def _count(text: str) -> int:
    """Parse a count of devices (0 or more)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a count, got {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    top = argparse.ArgumentParser(
        prog="python -m simulator", description="Simulated TP-Link Kasa devices."
    )
    top.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = top.add_subparsers(dest="command", required=True)

    def control_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--control-port", type=int, default=DEFAULT_CONTROL_PORT)
        p.add_argument("--control-host", default=DEFAULT_CONTROL_HOST)

    p_serve = sub.add_parser("serve", help="start a fleet and the control API")
    p_serve.add_argument("--fleet", type=Path, help="fleet JSON file")
    p_serve.add_argument(
        "--kasa-spot",
        type=_count,
        default=0,
        metavar="N",
        help="add N Kasa Spot cameras (EC60, HTTPS 10443) to the fleet",
    )
    p_serve.add_argument("--broadcast", default=BROADCAST_ADDRESS)
    p_serve.add_argument("--no-broadcast", action="store_true")
    control_options(p_serve)

    actions = ", ".join(f"{name} ({a.help})" for name, a in ACTIONS.items())
    p_ctl = sub.add_parser(
        "ctl", help="apply a control to a device", epilog=f"actions: {actions}"
    )
    p_ctl.add_argument("device", help="alias, MAC or address")
    p_ctl.add_argument("action", choices=sorted(ACTIONS))
    p_ctl.add_argument("value", nargs="?")
    control_options(p_ctl)

    p_list = sub.add_parser("list", help="show the devices of a running fleet")
    p_list.add_argument("--json", action="store_true")
    control_options(p_list)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    command = {"serve": serve, "ctl": ctl, "list": list_devices}[args.command]
    try:
        return asyncio.run(command(args))
    except ControlError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
