"""A small JSON HTTP API to drive a running fleet, and its client.

Endpoints (all JSON):

- ``GET /devices``: every device's state.
- ``GET /devices/{key}``: one device (key: alias, MAC or address).
- ``POST /devices/{key}/{action}`` with optional body ``{"value": ...}``: apply
  a control (see :data:`ACTIONS`); answers the device's new state.
- ``POST /devices`` with a fleet-file entry: add a plug.
- ``DELETE /devices/{key}``: remove a device.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import json
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from .device import SimulatedPlug
from .fleet import Simulator

DEFAULT_CONTROL_HOST = "127.0.0.1"
DEFAULT_CONTROL_PORT = 9990

_TRUE = {"1", "on", "true", "yes", "y"}
_FALSE = {"0", "off", "false", "no", "n"}


class ControlError(Exception):
    """A control request was refused (unknown device, bad value, ...)."""


def parse_bool(value: Any) -> bool:
    """Parse on/off, true/false, yes/no, 1/0 (or a JSON boolean)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ControlError(f"expected on/off, got {value!r}")


def parse_seconds(value: Any) -> float | None:
    """Parse a delay in seconds; none/off/0 turns it off."""
    if value is None or (isinstance(value, str) and value.lower() in {"none", "off"}):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError) as err:
        raise ControlError(f"expected seconds, got {value!r}") from err
    return seconds or None


def _number(kind: type[int] | type[float]) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        try:
            return kind(value)
        except (TypeError, ValueError) as err:
            raise ControlError(f"expected a number, got {value!r}") from err

    return parse


@dataclass(frozen=True, slots=True)
class Action:
    """A control the API and the command line offer."""

    run: Callable[[SimulatedPlug, Any], Awaitable[Any]]
    parse: Callable[[Any], Any] | None = None
    """Value parser; None for controls without a value."""
    default: Any = None
    """Value used when none is given (None: a value is required)."""
    help: str = ""


ACTIONS: dict[str, Action] = {
    "power_off": Action(lambda d, _: d.power_off(), help="cut the power"),
    "power_on": Action(lambda d, _: d.power_on(), help="restore power (boots)"),
    "reboot": Action(lambda d, _: d.reboot(), help="power-cycle"),
    "blackhole": Action(
        lambda d, v: d.blackhole(v), parse_bool, True, "TCP accepted, never answered"
    ),
    "refuse": Action(lambda d, v: d.refuse(v), parse_bool, True, "TCP port closed"),
    "slow": Action(
        lambda d, v: d.slow(v), parse_seconds, None, "delay TCP replies (seconds)"
    ),
    "malformed": Action(
        lambda d, v: d.malformed(v), parse_bool, True, "garbage TCP replies"
    ),
    "set_rssi": Action(lambda d, v: d.set_rssi(v), _number(int), help="dBm"),
    "set_relay": Action(lambda d, v: d.set_relay(v), parse_bool, help="on/off"),
    "set_cloud": Action(lambda d, v: d.set_cloud(v), parse_bool, help="on/off"),
    "set_led": Action(lambda d, v: d.set_led(v), parse_bool, help="on/off"),
    "set_load": Action(lambda d, v: d.set_load(v), _number(float), help="watts"),
    "set_alias": Action(lambda d, v: d.set_alias(v), str, help="new name"),
    "move_to": Action(
        lambda d, v: d.move_to(v), str, "", "new address (default: next free)"
    ),
}
_OPTIONAL_VALUE = {"blackhole", "refuse", "slow", "malformed", "move_to"}


async def apply_action(device: SimulatedPlug, name: str, value: Any = None) -> Any:
    """Run control ``name`` on ``device`` with a raw (string or JSON) value."""
    action = ACTIONS.get(name)
    if action is None:
        raise ControlError(f"unknown action {name!r}; known: {', '.join(ACTIONS)}")
    if action.parse is None:
        return await action.run(device, None)
    if value is None or value == "":
        if name not in _OPTIONAL_VALUE:
            raise ControlError(f"{name} needs a value ({action.help})")
        if name == "move_to":
            return await action.run(device, None)
        value = action.default
    return await action.run(device, action.parse(value))


class ControlServer:
    """Serve the control API for a :class:`Simulator`."""

    def __init__(
        self,
        simulator: Simulator,
        *,
        host: str = DEFAULT_CONTROL_HOST,
        port: int = DEFAULT_CONTROL_PORT,
    ) -> None:
        self.simulator = simulator
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        """Return the aiohttp application."""
        app = web.Application()
        app.router.add_get("/devices", self._list)
        app.router.add_post("/devices", self._add)
        app.router.add_get("/devices/{key}", self._get)
        app.router.add_delete("/devices/{key}", self._delete)
        app.router.add_post("/devices/{key}/{action}", self._action)
        return app

    async def start(self) -> None:
        """Start listening."""
        runner = web.AppRunner(self.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        if self.port == 0 and runner.addresses:
            self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _device(self, request: web.Request) -> SimulatedPlug:
        key = request.match_info["key"]
        try:
            return self.simulator.get(key)
        except KeyError:
            raise web.HTTPNotFound(
                text=json.dumps({"error": f"no device {key!r}"}),
                content_type="application/json",
            ) from None

    async def _list(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"devices": [d.describe() for d in self.simulator.devices]}
        )

    async def _get(self, request: web.Request) -> web.Response:
        return web.json_response(self._device(request).describe())

    async def _add(self, request: web.Request) -> web.Response:
        try:
            spec = await request.json()
            if not isinstance(spec, dict):
                raise ControlError("expected a JSON object")
            device = await self.simulator.add_from_spec(spec)
        except (ControlError, ValueError, KeyError, OSError) as err:
            return web.json_response({"error": str(err)}, status=400)
        return web.json_response(device.describe())

    async def _delete(self, request: web.Request) -> web.Response:
        device = self._device(request)
        await self.simulator.remove(device)
        return web.json_response({"removed": device.alias})

    async def _action(self, request: web.Request) -> web.Response:
        device = self._device(request)
        value: Any = None
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                return web.json_response({"error": "body is not JSON"}, status=400)
            if isinstance(body, dict):
                value = body.get("value")
        try:
            result = await apply_action(device, request.match_info["action"], value)
        except (ControlError, ValueError, OSError) as err:
            return web.json_response({"error": str(err)}, status=400)
        return web.json_response({"result": result, "device": device.describe()})


async def request(
    method: str,
    path: str,
    *,
    port: int = DEFAULT_CONTROL_PORT,
    host: str = DEFAULT_CONTROL_HOST,
    body: Any = None,
) -> Any:
    """Call the control API; raise :class:`ControlError` on an error answer."""
    async with (
        ClientSession(timeout=ClientTimeout(total=30)) as session,
        session.request(method, f"http://{host}:{port}{path}", json=body) as resp,
    ):
        data = await resp.json(content_type=None)
        if resp.status >= 400:
            message = data.get("error") if isinstance(data, dict) else data
            raise ControlError(f"{resp.status}: {message}")
        return data


def format_device(info: dict[str, Any]) -> str:
    """Return one line describing a device (for the command line)."""
    faults = [
        name
        for name, value in info.get("faults", {}).items()
        if value not in (False, None)
    ]
    state = "on" if info.get("relay") else "off"
    if not info.get("powered", True):
        state = "UNPOWERED"
    extra = f"  faults: {', '.join(faults)}" if faults else ""
    return (
        f"{info['alias']:<20} {info['model']:<10} {info['host'] or '-':<15} "
        f"{info['mac']}  {state:<9} rssi {info.get('rssi')}{extra}"
    )
