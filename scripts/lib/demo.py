"""The demo's cast of simulated devices, its storyline of faults, and its player.

    python scripts/lib/demo.py fleet FLEET.json
    python scripts/lib/demo.py run --url URL --control-port PORT [--auth FILE]

`fleet` writes the simulator's fleet file. `run` sets Home Assistant up as a
new user would, through its own HTTP APIs (onboarding, then one config entry
per device through the config flow, then shorter options through the options
flow), prints the address and the login, plays the storyline on the
simulator's control API and reports each card as it opens and closes, until it
is stopped. --auth saves the login's tokens for scripts/screenshots.

A new device family joins by adding an Actor: its fleet-file entry (whatever
the simulator's `serve --fleet` accepts for it), what its config flow asks
besides the host (a login, say), and the faults to play.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
import json
from pathlib import Path
import sys
import time
from typing import Any
from urllib.parse import quote

import aiohttp
from hass_api import DOMAIN, Card, HomeAssistant, wait_for

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from simulator.control import request

NAME = "Demo"
USERNAME = "demo"
PASSWORD = "demo-demo"
# Poll every 10 s and allow 1 minute of silence, so that the storyline takes
# about two minutes instead of the quarter of an hour the defaults would take.
OPTIONS = {"poll_interval": 10, "grace_period": 1, "weak_signal_dbm": -70}
# The TP-Link account of the devices that need a login (Tapo, newer Kasa).
ACCOUNT = {"username": "demo@example.com", "password": "demo-Passw0rd"}
# What the onboarding sets up besides the user; none of it works offline.
ONBOARDING_EXTRAS = {"google_translate", "met", "radio_browser", "shopping_list"}


@dataclass(frozen=True, slots=True)
class Step:
    """A fault, applied `at` seconds after the devices were added."""

    at: float
    action: str  # a control of the simulator: python -m simulator ctl -h
    value: Any = None


@dataclass(frozen=True, slots=True)
class Actor:
    """A simulated device, what happens to it, and the card that follows."""

    device: Mapping[str, Any]  # its entry in the simulator's fleet file
    story: str
    steps: tuple[Step, ...] = ()
    card: str | None = None  # the card's translation key
    # What to enter in the config flow's forms besides the host, by step id.
    forms: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def alias(self) -> str:
        """Return the device's name."""
        return str(self.device["alias"])


CAST: tuple[Actor, ...] = (
    Actor(
        {"alias": "Desk lamp"},
        "is unplugged",
        (Step(0, "power_off"),),
        "offline",
    ),
    Actor(
        {"alias": "Garage plug", "model": "HS100v1", "rssi": -58},
        "loses its Wi-Fi signal, down to -82 dBm",
        (Step(0, "set_rssi", -82),),
        "weak_wifi",
    ),
    Actor(
        {"alias": "Aquarium pump"},
        "restarts by itself three times, 40 s apart",
        # A restart is told from the relay's on-time going back, so each comes
        # after more than 10 s of uptime.
        (Step(10, "reboot"), Step(50, "reboot"), Step(90, "reboot")),
        "unstable_power",
    ),
    Actor(
        {"alias": "Heater", "emeter": True, "model": "KP115"},
        "loses its TP-Link cloud connection",
        (Step(0, "set_cloud", "off"),),
        "no_cloud",
    ),
    Actor(
        {"kind": "tapo_plug", "alias": "Kettle", **ACCOUNT},
        "overheats",
        (Step(0, "set_overheated", "on"),),
        "overheated",
        forms={"credentials": ACCOUNT},
    ),
    Actor(
        {"kind": "kasa_smart_plug", "alias": "Porch light", **ACCOUNT},
        "turns the saved login away: the account's password changed",
        (Step(0, "set_credentials", f"{ACCOUNT['username']}:changed-Passw0rd"),),
        "login_refused",
        forms={"credentials": ACCOUNT},
    ),
    Actor(
        {"kind": "battery_camera", "alias": "Garden camera", **ACCOUNT},
        "runs its battery down to 9 %",
        (Step(0, "set_battery", 9),),
        "battery_low",
        forms={"credentials": ACCOUNT},
    ),
    Actor(
        {"kind": "kasa_spot_camera", "alias": "Nursery camera", "model": "KC400(US)"},
        "loses power: a Kasa Spot camera, checked only for an answer",
        (Step(20, "power_off"),),
        "offline",
    ),
    Actor({"alias": "Coffee maker", "emeter": True}, "stays healthy"),
)


def clock(started: float) -> str:
    """Return the time since `started` as m:ss."""
    seconds = int(time.monotonic() - started)
    return f"{seconds // 60}:{seconds % 60:02d}"


async def set_up(hass: HomeAssistant, control_port: int) -> dict[str, str]:
    """Onboard, add every device and shorten its options; return entry ids."""
    await wait_for(hass.answers, within=120, what="answer from Home Assistant")
    await hass.onboard(name=NAME, username=USERNAME, password=PASSWORD)
    # Or Home Assistant 2026.11 restarts itself five minutes from now.
    async with hass.websocket() as ws:
        if await ws.confirm_http_config():
            print("== confirmed Home Assistant's HTTP settings")
    entries = {}
    for actor in CAST:
        device = await request(
            "GET", f"/devices/{quote(actor.alias)}", port=control_port
        )
        answers = {
            "user": {"next_step_id": "network"},
            "network": {"host": device["host"]},
            **actor.forms,
        }
        entry = await hass.add_entry(answers)
        await hass.set_options(entry["entry_id"], OPTIONS)
        entries[actor.alias] = entry["entry_id"]
    # Options apply from the next poll on: poll now, so the next is 10 s away.
    await hass.call_service(DOMAIN, "check_now")
    await hass.remove_entries(ONBOARDING_EXTRAS)
    return entries


def banner(url: str, control_port: int) -> str:
    """Return what the user needs: the address, the login, the storyline."""
    width = max(len(actor.alias) for actor in CAST)
    cast = "\n".join(f"   {actor.alias:<{width}}  {actor.story}" for actor in CAST)
    ctl = ".venv/bin/python -m simulator ctl"
    if control_port != 9990:
        ctl += f" --control-port {control_port}"
    return f"""
======================================================================
 Home Assistant:  {url}
 Log in as:       {USERNAME} / {PASSWORD}
 The cards:       {url}/config/repairs (about two minutes from now)

 The storyline (each device is polled every 10 s, 1 minute of grace):
{cast}

 Play on, from the repository's folder: {ctl} "Desk lamp" power_on
 Ctrl-C stops Home Assistant, the simulator and the storyline.
======================================================================
""".rstrip()


async def play(control_port: int, started: float) -> None:
    """Apply each actor's faults at their time."""
    steps = sorted(
        ((step, actor) for actor in CAST for step in actor.steps),
        key=lambda pair: pair[0].at,
    )
    for step, actor in steps:
        await asyncio.sleep(max(0.0, started + step.at - time.monotonic()))
        body = None if step.value is None else {"value": step.value}
        path = f"/devices/{quote(actor.alias)}/{step.action}"
        await request("POST", path, port=control_port, body=body)
        value = "" if step.value is None else f" {step.value}"
        print(f"[{clock(started)}] {actor.alias}: {step.action}{value}")


async def report(hass: HomeAssistant, started: float) -> None:
    """Print each card as it opens and closes; say when all are up."""
    expected = [actor.card for actor in CAST if actor.card]
    shown: dict[str, Card] = {}
    all_up = False
    while True:
        try:
            async with hass.websocket() as ws:
                while True:
                    cards = {card.issue_id: card for card in await ws.cards()}
                    for issue_id in cards.keys() - shown.keys():
                        print(f"[{clock(started)}] card: {cards[issue_id].title}")
                    for issue_id in shown.keys() - cards.keys():
                        print(f"[{clock(started)}] closed: {shown[issue_id].title}")
                    shown = cards
                    keys = {card.translation_key for card in cards.values()}
                    if (
                        not all_up
                        and set(expected) <= keys
                        and len(cards) >= len(expected)
                    ):
                        all_up = True
                        print(
                            f"[{clock(started)}] all {len(expected)} cards are up: "
                            f"{hass.url}/config/repairs"
                        )
                    await asyncio.sleep(2)
        except (aiohttp.ClientError, TimeoutError) as err:
            # Home Assistant restarts, or the access token expired.
            print(f"[{clock(started)}] lost Home Assistant ({err}); reconnecting")
            await wait_for(hass.answers, within=300, what="Home Assistant")
            await hass.refresh()


async def run(args: argparse.Namespace) -> int:
    """Set up, tell the user, play the storyline and report the cards."""
    async with aiohttp.ClientSession() as session:
        hass = HomeAssistant(args.url, session)
        await set_up(hass, args.control_port)
        assert hass.tokens is not None
        if args.auth:
            args.auth.write_text(json.dumps(hass.tokens.for_frontend(hass.url)))
        print(banner(hass.url, args.control_port))
        started = time.monotonic()
        await asyncio.gather(play(args.control_port, started), report(hass, started))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(prog="demo.py", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_fleet = sub.add_parser("fleet", help="write the simulator's fleet file")
    p_fleet.add_argument("file", type=Path)
    p_run = sub.add_parser("run", help="set up Home Assistant, play the storyline")
    p_run.add_argument("--url", required=True)
    p_run.add_argument("--control-port", type=int, required=True)
    p_run.add_argument("--auth", type=Path, help="save the tokens here")
    args = parser.parse_args(argv)
    if args.command == "fleet":
        devices = [dict(actor.device) for actor in CAST]
        args.file.write_text(json.dumps({"devices": devices}, indent=2))
        return 0
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
