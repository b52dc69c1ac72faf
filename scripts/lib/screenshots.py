"""Take the README's screenshots from the demo's Home Assistant, in Chromium.

    python scripts/lib/screenshots.py --url URL --auth AUTH.json --out FOLDER

Run by scripts/screenshots once the demo is up: waits for the demo's cards,
ignores the repair issues that are not ours (Home Assistant 2026.11 raises two
of its own on the demo), starts Debian's `chromium` headless with a fresh
profile, logs in by putting the demo user's tokens in `localStorage.hassTokens`
before the frontend's scripts run, and saves each shot `plan` lists as a PNG
of 256 colours. It drives Chromium over the DevTools protocol; no browser is
downloaded.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
from collections import Counter
from collections.abc import AsyncIterator
import contextlib
import ctypes
from dataclasses import dataclass
import io
import itertools
import json
import os
from pathlib import Path
import re
import shutil
import signal
import sys
import tempfile
import time
from typing import Any

import aiohttp
from demo import CAST
from hass_api import DOMAIN, Card, HomeAssistant, Tokens, wait_for
from PIL import Image
from process import Process

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)
DEVTOOLS = re.compile(r"DevTools listening on (ws://\S+)")
# The cards are list items: ha-list-item-button on 2026.11, ha-md-list-item on 2025.4.
CLICKABLE = (
    "ha-list-item-button, ha-md-list-item, ha-list-item, mwc-list-item, a, mwc-button, "
    "ha-button"
)
PR_SET_CHILD_SUBREAPER = 36  # prctl(2)
WIDTH = 1280
HEIGHT = 800

# Helpers the shots' conditions use: the Repairs page and its dialogs live in
# nested shadow roots, which document.querySelector does not enter.
FIND = """
(() => {
  const roots = [document];
  for (let i = 0; i < roots.length; i++) {
    for (const el of roots[i].querySelectorAll("*")) {
      if (el.shadowRoot) roots.push(el.shadowRoot);
    }
  }
  const all = (selector) => roots.flatMap((r) => [...r.querySelectorAll(selector)]);
  const shown = (el) => el.getClientRects().length > 0;
  const text = (el) => el.textContent || "";
  return {all, shown, text, roots};
})()
"""


@dataclass(frozen=True, slots=True)
class Shot:
    """One screenshot: where to go, what to click, what must be on screen."""

    name: str
    path: str
    shows: tuple[str, ...]  # texts that must be on screen, after the clicks
    clicks: tuple[str, ...] = ()  # texts to click, in turn (a list item, a button)
    alert: bool = False  # wait for an alert too (a fix flow's answer)
    height: int = HEIGHT


class DevTools:
    """One page of Chromium, over the DevTools protocol."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Talk to the page through `ws`."""
        self._ws = ws
        self._ids = itertools.count(1)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a method; return its result (events are not needed here)."""
        message_id = next(self._ids)
        await self._ws.send_json({"id": message_id, "method": method, "params": params})
        while True:
            reply = await self._ws.receive_json(timeout=60)
            if reply.get("id") == message_id:
                break
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    async def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page; return its (JSON) value."""
        result = await self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}...: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def shows(self, texts: tuple[str, ...], *, alert: bool = False) -> bool:
        """Return whether every text (and an alert, if asked) is on screen."""
        return bool(
            await self.evaluate(
                f"""(() => {{
                  const f = {FIND};
                  const missing = new Set({json.dumps(texts)});
                  for (const root of f.roots) {{
                    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
                    for (let n = walk.nextNode(); n; n = walk.nextNode()) {{
                      for (const t of missing) {{
                        if (!n.textContent.includes(t)) continue;
                        const range = document.createRange();
                        range.selectNodeContents(n);
                        if (range.getClientRects().length) missing.delete(t);
                      }}
                    }}
                  }}
                  const alerts = f.all("ha-alert").filter((el) => f.shown(el));
                  const alerted = alerts.length > 0 || !{json.dumps(alert)};
                  return missing.size === 0 && alerted;
                }})()"""
            )
        )

    async def click(self, text: str) -> None:
        """Click the list item, link or button showing `text`."""
        clicked = await self.evaluate(
            f"""(() => {{
              const f = {FIND};
              const t = {json.dumps(text)};
              const items = f.all({json.dumps(CLICKABLE)})
                .filter((el) => f.shown(el) && f.text(el).includes(t));
              if (!items.length) return false;
              items[items.length - 1].click();
              return true;
            }})()"""
        )
        if not clicked:
            raise RuntimeError(f"nothing to click showing {text!r}")

    async def screenshot(self, path: Path) -> None:
        """Save the viewport as a PNG of 256 colours."""
        data = await self.send("Page.captureScreenshot", format="png")
        image = Image.open(io.BytesIO(base64.b64decode(data["data"])))
        small = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
        small.save(path, optimize=True)


def reap_group(group: int, within: float = 10) -> None:
    """Stop what is left of a process group of ours and reap it.

    Chromium's helpers outlive its main process for a moment; as their
    subreaper (see `chromium`) this process is their parent then, and must
    collect them, or they stay behind as zombies where init does not reap.
    """
    deadline = time.monotonic() + within
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # none left
        if pid:
            continue
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        time.sleep(0.1)


@contextlib.asynccontextmanager
async def chromium(
    session: aiohttp.ClientSession, profile: Path
) -> AsyncIterator[DevTools]:
    """Run headless Chromium with a fresh profile; its first page."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise SystemExit("needs Debian's chromium: apt-get install chromium")
    # Chromium's helper processes, orphaned when it exits, become our children.
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    browser = Process(
        "chromium",
        [
            executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile / 'profile'}",
            f"--window-size={WIDTH},{HEIGHT}",
            "about:blank",
        ],
        profile / "chromium.log",
    )
    await browser.start()
    try:

        async def listening() -> str | None:
            found = DEVTOOLS.search(browser.output(None))
            return found[1] if found else None

        devtools = await browser.wait_until(listening, within=30, what="DevTools")
        port = re.search(r":(\d+)/", devtools)[1]  # type: ignore[index]
        async with session.get(f"http://127.0.0.1:{port}/json/list") as resp:
            pages = [t for t in await resp.json() if t["type"] == "page"]
        async with session.ws_connect(
            pages[0]["webSocketDebuggerUrl"], max_msg_size=0
        ) as ws:
            yield DevTools(ws)
    finally:
        await browser.stop(grace=10)
        reap_group(browser.pid)  # its session and group: start_new_session


async def log_in(page: DevTools, url: str, tokens: dict[str, Any]) -> None:
    """Make every page of `url` start logged in, in English, at a fixed size."""
    await page.send(
        "Emulation.setDeviceMetricsOverride",
        width=WIDTH,
        height=HEIGHT,
        deviceScaleFactor=1,
        mobile=False,
    )
    await page.send("Page.enable")
    await page.send(
        "Page.addScriptToEvaluateOnNewDocument",
        source=f"""if (location.origin === {json.dumps(url)}) {{
          localStorage.setItem("hassTokens", {json.dumps(json.dumps(tokens))});
          localStorage.setItem("selectedLanguage", '"en"');
        }}""",
    )


async def take(page: DevTools, url: str, shot: Shot, out: Path) -> None:
    """Go to the shot's page, click if asked, wait for its texts, save it."""
    await page.send(
        "Emulation.setDeviceMetricsOverride",
        width=WIDTH,
        height=shot.height,
        deviceScaleFactor=1,
        mobile=False,
    )
    await page.send("Page.navigate", url=f"{url}{shot.path}")
    for text in shot.clicks:
        await wait_for(
            lambda text=text: page.shows((text,)),
            within=60,
            what=f"{text!r} to click on {shot.path}",
        )
        await page.click(text)
    await wait_for(
        lambda: page.shows(shot.shows, alert=shot.alert),
        within=60,
        what=f"{shot.shows} on {shot.path}",
    )
    # Let animations (a dialog opening, ripples) settle before the picture.
    await page.evaluate("new Promise((r) => setTimeout(r, 1500))")
    path = out / f"{shot.name}.png"
    await page.screenshot(path)
    print(f"== {path} ({path.stat().st_size // 1024} KB)")


async def plan(hass: HomeAssistant) -> list[Shot]:
    """Return the shots, once every card of the storyline is up."""
    # Two devices go offline: count the cards of each kind, not the kinds.
    expected = Counter(actor.card for actor in CAST if actor.card)

    async with hass.websocket() as ws:

        async def all_cards() -> list[Card] | None:
            cards = await ws.cards()
            keys = Counter(card.translation_key for card in cards)
            return cards if expected <= keys else None

        cards = await wait_for(all_cards, within=240, what="cards", interval=2)
        issues = (await ws.command("repairs/list_issues"))["issues"]
        devices = await ws.command("config/device_registry/list")
        panels = await ws.command("get_panels")
    fixable = {
        i["issue_id"] for i in issues if i["domain"] == DOMAIN and i["is_fixable"]
    }
    offline = next(card for card in cards if card.translation_key.startswith("offline"))
    name = offline.placeholders["device"]
    device = next(d for d in devices if d["name"] == name)
    # A fixable card opens its fix flow, whose first step shows the same text.
    shots = [
        Shot("repairs", "/config/repairs", tuple(card.title for card in cards)),
        Shot(
            "card",
            "/config/repairs",
            (offline.title, "Try these, in this order"),
            clicks=(offline.title,),
            height=1100,
        ),
    ]
    # A fix flow at work: the steps were tried, Submit checks the device again.
    if fixed := next(
        (
            c
            for c in cards
            if c.issue_id in fixable and c.translation_key == "weak_wifi"
        ),
        None,
    ):
        shots.append(
            Shot(
                "fix-flow",
                "/config/repairs",
                (fixed.title,),
                clicks=(fixed.title, "Submit"),
                alert=True,
            )
        )
    shots.append(
        Shot(
            "device",
            f"/config/devices/device/{device['id']}",
            (name, "Diagnosis", "Signal strength"),
            height=1000,
        )
    )
    # The Home dashboard's Maintenance view (2026.x, not 2025.4): a tile per
    # problem binary sensor, named by its device; nine tiles fill 360 pixels.
    if "maintenance" in panels:
        shots.append(
            Shot(
                "maintenance",
                "/maintenance",
                tuple(actor.alias for actor in CAST),
                height=360,
            )
        )
    return shots


async def ignore_others(hass: HomeAssistant) -> list[str]:
    """Ignore the repair issues not about Red Light Doctor; return their ids.

    Home Assistant 2026.11 raises two of its own on the demo: its YAML HTTP
    settings are deprecated (http), and a Python venv is an unsupported
    installation method (homeassistant). Ignored, as a card's Ignore button
    does, they leave the Repairs page to ours; the page's menu still shows them.
    Home Assistant's card for one of our entries (a login to enter again)
    names us as its issue_domain and stays.
    """
    async with hass.websocket() as ws:
        issues = (await ws.command("repairs/list_issues"))["issues"]
        others = [
            issue
            for issue in issues
            if DOMAIN not in (issue["domain"], issue.get("issue_domain"))
            and not issue.get("ignored")
        ]
        for issue in others:
            await ws.command(
                "repairs/ignore_issue",
                domain=issue["domain"],
                issue_id=issue["issue_id"],
                ignore=True,
            )
    return [f"{issue['domain']}.{issue['issue_id']}" for issue in others]


async def run(args: argparse.Namespace) -> int:
    """Wait for the demo, then take every shot."""

    async def auth() -> dict[str, Any] | None:
        return json.loads(args.auth.read_text()) if args.auth.exists() else None

    async with aiohttp.ClientSession() as session:
        saved = await wait_for(auth, within=180, what=f"login in {args.auth}")
        hass = HomeAssistant(args.url, session)
        hass.tokens = Tokens(
            access_token=saved["access_token"],
            refresh_token=saved["refresh_token"],
            expires_in=saved["expires_in"],
            client_id=saved["clientId"],
            issued_at=saved["expires"] / 1000 - saved["expires_in"],
        )
        started = time.monotonic()
        shots = await plan(hass)
        print(f"== all cards up after {time.monotonic() - started:.0f} s; taking shots")
        if ignored := await ignore_others(hass):
            print(f"== ignored repair issues not about us: {', '.join(ignored)}")
        args.out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="rld-chromium-") as scratch:
            async with chromium(session, Path(scratch)) as page:
                await log_in(page, hass.url, saved)
                for shot in shots:
                    await take(page, hass.url, shot, args.out)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(prog="screenshots.py", description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--auth", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
