"""Drive a running Home Assistant through its own HTTP and websocket APIs.

Onboarding (the first user and its tokens), config and options flows,
services, and the repair cards as the Repairs page shows them. Shared by
scripts/demo, scripts/screenshots and tests_realprocess/.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
import itertools
import re
import time
from types import TracebackType
from typing import Any, Self

import aiohttp

DOMAIN = "red_light_doctor"
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)
PLACEHOLDER = re.compile(r"\{(\w+)\}")


class HassError(Exception):
    """Home Assistant refused a request."""

    def __init__(self, message: str, code: str | None = None) -> None:
        """Say what was refused; `code` is the websocket API's error code."""
        super().__init__(message)
        self.code = code


async def wait_for[T](
    check: Callable[[], Awaitable[T | None]],
    *,
    within: float,
    what: str,
    interval: float = 1.0,
) -> T:
    """Call `check` until it returns something, for `within` seconds at most."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if result := await check():
            return result
        if loop.time() >= deadline:
            raise TimeoutError(f"no {what} within {within:.0f} s")
        await asyncio.sleep(interval)


@dataclass(frozen=True, slots=True)
class Tokens:
    """What /auth/token issued, and to which client."""

    access_token: str
    refresh_token: str
    expires_in: int
    client_id: str
    issued_at: float = field(default_factory=time.time)

    def for_frontend(self, url: str) -> dict[str, Any]:
        """Return the frontend's `localStorage.hassTokens` for these tokens."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "expires": int((self.issued_at + self.expires_in) * 1000),
            "hassUrl": url,
            "clientId": self.client_id,
        }


@dataclass(frozen=True, slots=True)
class Card:
    """A repair issue of ours, with the title and text the Repairs page shows."""

    issue_id: str
    translation_key: str
    severity: str
    title: str
    description: str
    placeholders: dict[str, str]


class HomeAssistant:
    """A client for one Home Assistant at `url` (http://host:port)."""

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        """Talk to `url` through `session`; log in with `onboard`."""
        self.url = url.rstrip("/")
        self.session = session
        self.tokens: Tokens | None = None

    @property
    def client_id(self) -> str:
        """Return the client id the frontend at this address uses."""
        return f"{self.url}/"

    async def answers(self) -> bool:
        """Return whether the HTTP server is up (onboarding or not)."""
        try:
            async with self.session.get(
                f"{self.url}/api/onboarding", timeout=aiohttp.ClientTimeout(total=5)
            ) as resp:
                return resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def request(
        self, method: str, path: str, body: Any = None, *, auth: bool = True
    ) -> Any:
        """Send a JSON request and return the JSON answer."""
        headers = {}
        if auth:
            assert self.tokens is not None, "log in first"
            headers["Authorization"] = f"Bearer {self.tokens.access_token}"
        async with self.session.request(
            method,
            f"{self.url}{path}",
            json=body,
            headers=headers,
            timeout=REQUEST_TIMEOUT,
        ) as resp:
            text = await resp.text()
            if resp.status >= 400:
                raise HassError(f"{method} {path}: {resp.status} {text}")
            return await resp.json(content_type=None) if text else None

    async def onboard(
        self,
        *,
        name: str,
        username: str,
        password: str,
        language: str = "en",
        country: str = "US",
    ) -> Tokens:
        """Create the owner, log in as it and finish the onboarding.

        Like the onboarding pages, set the country before the core config step
        is done (without one, Home Assistant raises a repair issue about it).
        """
        created = await self.request(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": self.client_id,
                "name": name,
                "username": username,
                "password": password,
                "language": language,
            },
            auth=False,
        )
        token = await self._token(
            grant_type="authorization_code", code=created["auth_code"]
        )
        self.tokens = Tokens(
            access_token=token["access_token"],
            refresh_token=token["refresh_token"],
            expires_in=int(token["expires_in"]),
            client_id=self.client_id,
        )
        async with self.websocket() as ws:
            await ws.command("config/core/update", country=country)
        await self.request("POST", "/api/onboarding/core_config", {})
        await self.request("POST", "/api/onboarding/analytics", {})
        await self.request(
            "POST",
            "/api/onboarding/integration",
            {
                "client_id": self.client_id,
                "redirect_uri": f"{self.url}/?auth_callback=1",
            },
        )
        return self.tokens

    async def refresh(self) -> None:
        """Get a new access token for the refresh token."""
        assert self.tokens is not None, "log in first"
        token = await self._token(
            grant_type="refresh_token", refresh_token=self.tokens.refresh_token
        )
        self.tokens = replace(
            self.tokens,
            access_token=token["access_token"],
            expires_in=int(token["expires_in"]),
            issued_at=time.time(),
        )

    async def _token(self, **form: str) -> dict[str, Any]:
        async with self.session.post(
            f"{self.url}/auth/token",
            data={**form, "client_id": self.client_id},
            timeout=REQUEST_TIMEOUT,
        ) as resp:
            if resp.status >= 400:
                raise HassError(f"/auth/token: {resp.status} {await resp.text()}")
            token: dict[str, Any] = await resp.json()
            return token

    async def _flow(
        self,
        kind: str,
        start: dict[str, Any],
        answers: Mapping[str, Mapping[str, Any]],
    ) -> Any:
        """Run a flow, answering each form by its step id; return the entry."""
        base = f"/api/config/config_entries/{kind}"
        result = await self.request("POST", base, start)
        answered = set()
        while result.get("type") in ("form", "menu"):
            step = result["step_id"]
            if step in answered or step not in answers:
                raise HassError(f"{kind} {start}: form {step!r}: {result}")
            answered.add(step)
            path = f"{base}/{result['flow_id']}"
            result = await self.request("POST", path, dict(answers[step]))
        if result.get("type") != "create_entry":
            raise HassError(f"{kind} {start}: {result}")
        return result

    async def add_entry(
        self, answers: Mapping[str, Mapping[str, Any]]
    ) -> dict[str, Any]:
        """Add one of our entries through the config flow; return the entry.

        `answers` holds what to enter in each form the flow shows, by step id:
        {"user": {"next_step_id": "network"}, "network": {"host": ...}}, and
        for a device that needs a login,
        {"credentials": {"username": ..., "password": ...}} too.
        """
        result = await self._flow(
            "flow", {"handler": DOMAIN, "show_advanced_options": False}, answers
        )
        entry: dict[str, Any] = result["result"]
        return entry

    async def set_options(self, entry_id: str, options: dict[str, Any]) -> None:
        """Change an entry's options through its options flow."""
        await self._flow("options/flow", {"handler": entry_id}, {"init": options})

    async def call_service(
        self, domain: str, service: str, data: dict[str, Any] | None = None
    ) -> Any:
        """Call a service and wait for it."""
        return await self.request(
            "POST", f"/api/services/{domain}/{service}", data or {}
        )

    async def remove_entries(self, domains: set[str]) -> list[str]:
        """Delete the config entries of these integrations; return their titles."""
        entries = await self.request("GET", "/api/config/config_entries/entry")
        removed = []
        for entry in entries:
            if entry["domain"] in domains:
                path = f"/api/config/config_entries/entry/{entry['entry_id']}"
                await self.request("DELETE", path)
                removed.append(entry["title"])
        return removed

    def websocket(self) -> WebSocket:
        """Return an authenticated websocket connection (async with)."""
        assert self.tokens is not None, "log in first"
        return WebSocket(self.session, self.url, self.tokens.access_token)


class WebSocket:
    """Home Assistant's websocket API: `async with`, then `command`."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        """Connect on entering."""
        self._session = session
        self._url = url.replace("http", "ws", 1) + "/api/websocket"
        self._token = token
        self._ids = itertools.count(1)
        self._ws: aiohttp.ClientWebSocketResponse | None = None

    async def __aenter__(self) -> Self:
        """Connect and authenticate."""
        self._ws = await self._session.ws_connect(
            self._url, timeout=aiohttp.ClientWSTimeout(ws_close=30)
        )
        await self._ws.receive_json(timeout=30)  # auth_required
        await self._ws.send_json({"type": "auth", "access_token": self._token})
        reply = await self._ws.receive_json(timeout=30)
        if reply.get("type") != "auth_ok":
            raise HassError(f"websocket: {reply}")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close."""
        if self._ws is not None:
            await self._ws.close()

    async def command(self, kind: str, **payload: Any) -> Any:
        """Send a command; return its result."""
        assert self._ws is not None
        message_id = next(self._ids)
        await self._ws.send_json({"id": message_id, "type": kind, **payload})
        while True:
            reply = await self._ws.receive_json(timeout=60)
            if reply.get("id") == message_id and reply.get("type") == "result":
                break
        if not reply.get("success"):
            error = reply.get("error") or {}
            raise HassError(f"{kind}: {error}", error.get("code"))
        return reply.get("result")

    async def confirm_http_config(self) -> bool:
        """Confirm the HTTP settings that Home Assistant is trying out.

        Since 2026.11 Home Assistant moves the YAML `http:` settings into
        its storage on the first start, as a pending configuration that it
        reverts, restarting itself, unless an admin confirms it within five
        minutes (`http/config/promote`, as the HTTP settings page does).
        Return whether there was one to confirm; older releases, which have
        no such command, have none.
        """
        try:
            config = await self.command("http/config")
        except HassError as err:
            if err.code == "unknown_command":
                return False
            raise
        pending = config.get("pending")
        if pending is None or pending.get("error") is not None:
            return False
        await self.command("http/config/promote")
        return True

    async def cards(self, language: str = "en") -> list[Card]:
        """Return our active repair issues, with their translated texts."""
        issues = (await self.command("repairs/list_issues"))["issues"]
        ours = [
            issue
            for issue in issues
            if issue["domain"] == DOMAIN and not issue.get("ignored")
        ]
        if not ours:
            return []
        texts = (
            await self.command(
                "frontend/get_translations",
                language=language,
                category="issues",
                integration=[DOMAIN],
            )
        )["resources"]
        cards = []
        for issue in ours:
            prefix = f"component.{DOMAIN}.issues.{issue['translation_key']}"
            values = issue.get("translation_placeholders") or {}

            def fill(text: str, values: dict[str, str] = values) -> str:
                return PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)

            cards.append(
                Card(
                    issue_id=issue["issue_id"],
                    translation_key=issue["translation_key"],
                    severity=issue["severity"],
                    title=fill(texts[f"{prefix}.title"]),
                    description=fill(texts[f"{prefix}.description"]),
                    placeholders=values,
                )
            )
        return cards
