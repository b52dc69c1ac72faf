"""A small JSON HTTP API to drive a running fleet, and its client.

Endpoints (all JSON):

- ``GET /devices``: every device's state.
- ``GET /devices/{key}``: one device (key: alias, MAC or address).
- ``POST /devices/{key}/{action}`` with optional body ``{"value": ...}``: apply
  a control (see :data:`ACTIONS`); answers the device's new state.
- ``POST /devices`` with a fleet-file entry: add a device (``kind`` picks
  legacy, tapo_plug, kasa_smart_plug, tapo_camera, battery_camera or
  kasa_spot_camera).
- ``DELETE /devices/{key}``: remove a device.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import json
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from .device import SimulatedDevice, SimulatedPlug
from .fleet import Simulator
from .kasaspot import SimulatedKasaSpotCamera
from .smartdevice import (
    UPDATE_OUTCOMES,
    AuthenticatedDevice,
    ExpiryReply,
    SimulatedCamera,
    SmartPlug,
    UpdateOutcome,
)

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


def _is_none(value: Any) -> bool:
    return value is None or (
        isinstance(value, str) and value.strip().lower() in {"none", "off", "auto"}
    )


def _optional_int(value: Any) -> int | None:
    """Parse an integer; none/off/auto gives None."""
    if _is_none(value):
        return None
    parsed: int = _number(int)(value)
    return parsed


def _optional_bool(value: Any) -> bool | None:
    """Parse on/off; auto/none gives None."""
    if isinstance(value, str) and value.strip().lower() in {"auto", "none"}:
        return None
    return parse_bool(value)


def _optional_text(value: Any) -> str | None:
    """Return the text; none/off gives None."""
    return None if _is_none(value) else str(value)


def parse_credentials(value: Any) -> tuple[str | None, str]:
    """Parse ``USER:PASSWORD`` (or a password alone, or a JSON object)."""
    if isinstance(value, dict):
        username, password = value.get("username"), value.get("password")
    elif isinstance(value, str) and ":" in value:
        username, _, password = value.partition(":")
    else:
        username, password = None, value
    if not isinstance(password, str) or not password:
        raise ControlError("expected USER:PASSWORD or a password")
    if username is not None and not isinstance(username, str):
        raise ControlError("the user name must be text")
    return username or None, password


def parse_methods(value: Any) -> list[str]:
    """Parse a comma-separated list of method names (none: empty)."""
    if isinstance(value, list):
        return [str(item) for item in value]
    if _is_none(value):
        return []
    return [name.strip() for name in str(value).split(",") if name.strip()]


def parse_fields(value: Any) -> dict[str, Any] | None:
    """Parse a JSON object of system info fields (none: the true values)."""
    if _is_none(value):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as err:
            raise ControlError(f"expected a JSON object, got {value!r}") from err
    if not isinstance(value, dict):
        raise ControlError(f"expected a JSON object, got {value!r}")
    return value


def parse_expiry(value: Any) -> ExpiryReply:
    """Parse how a camera answers an ended session (error or http_401)."""
    text = str(value).strip().lower()
    if text == "error":
        return "error"
    if text in ("http_401", "401"):
        return "http_401"
    raise ControlError(f"expected error or http_401, got {value!r}")


def parse_outcome(value: Any) -> UpdateOutcome:
    """Parse a firmware install outcome (succeed, fail or reject)."""
    text = str(value).strip().lower()
    for outcome in UPDATE_OUTCOMES:
        if text == outcome:
            return outcome
    raise ControlError(f"expected one of {', '.join(UPDATE_OUTCOMES)}, got {value!r}")


def _need[T: SimulatedDevice](device: SimulatedDevice, kind: type[T]) -> T:
    """Return ``device`` if it is a ``kind``; ControlError otherwise."""
    if not isinstance(device, kind):
        what = {
            SimulatedPlug: "a plug",
            AuthenticatedDevice: "a device with an account (KLAP or camera)",
            SmartPlug: "a SMART plug",
            SimulatedCamera: "a Tapo camera",
        }.get(kind, kind.__name__)
        raise ControlError(f"{device.alias} is not {what}")
    return device


async def _set_led(device: SimulatedDevice, on: bool) -> None:
    if isinstance(device, SimulatedCamera):
        await device.set_led(on)
    else:
        await _need(device, SimulatedPlug).set_led(on)


async def _malformed(device: SimulatedDevice, on: bool) -> None:
    if isinstance(device, SimulatedKasaSpotCamera):
        raise ControlError(
            f"{device.alias} is a Kasa Spot camera: it sends no replies to garble"
        )
    await device.malformed(on)


async def _set_rssi(device: SimulatedDevice, dbm: int | None) -> None:
    if isinstance(device, AuthenticatedDevice):
        await device.set_rssi(dbm)
    elif dbm is None:
        raise ControlError(f"{device.alias} always reports its RSSI")
    else:
        await device.set_rssi(dbm)


async def _set_credentials(
    device: SimulatedDevice, value: tuple[str | None, str]
) -> None:
    username, password = value
    await _need(device, AuthenticatedDevice).set_credentials(username, password)


@dataclass(frozen=True, slots=True)
class Action:
    """A control the API and the command line offer."""

    run: Callable[[SimulatedDevice, Any], Awaitable[Any]]
    parse: Callable[[Any], Any] | None = None
    """Value parser; None for controls without a value."""
    default: Any = None
    """Value used when none is given (see ``optional``)."""
    help: str = ""
    optional: bool = False
    """The value may be left out (``default`` is used)."""


ACTIONS: dict[str, Action] = {
    # Every device.
    "power_off": Action(lambda d, _: d.power_off(), help="cut the power"),
    "power_on": Action(lambda d, _: d.power_on(), help="restore power (boots)"),
    "reboot": Action(lambda d, _: d.reboot(), help="power-cycle"),
    "blackhole": Action(
        lambda d, v: d.blackhole(v),
        parse_bool,
        True,
        "TCP accepted, never answered",
        optional=True,
    ),
    "refuse": Action(
        lambda d, v: d.refuse(v), parse_bool, True, "TCP port closed", optional=True
    ),
    "slow": Action(
        lambda d, v: d.slow(v),
        parse_seconds,
        None,
        "delay TCP replies (seconds)",
        optional=True,
    ),
    "malformed": Action(
        _malformed,
        parse_bool,
        True,
        "garbage replies (decrypt to non-JSON)",
        optional=True,
    ),
    "misreport": Action(
        lambda d, v: d.misreport(v),
        parse_fields,
        help='report these system info fields, e.g. {"mac": "zz"} (none: the truth)',
    ),
    "set_rssi": Action(_set_rssi, _optional_int, help="dBm (none: not reported)"),
    "set_alias": Action(lambda d, v: d.set_alias(v), str, help="new name"),
    "move_to": Action(
        lambda d, v: d.move_to(v),
        str,
        None,
        "new address (default: next free)",
        optional=True,
    ),
    # Plugs (legacy and SMART).
    "set_relay": Action(
        lambda d, v: _need(d, SimulatedPlug).set_relay(v), parse_bool, help="on/off"
    ),
    "set_cloud": Action(
        lambda d, v: _need(d, SimulatedPlug).set_cloud(v), parse_bool, help="on/off"
    ),
    "set_led": Action(_set_led, parse_bool, help="on/off"),
    "set_load": Action(
        lambda d, v: _need(d, SimulatedPlug).set_load(v),
        _number(float),
        help="watts",
    ),
    # Devices with an account (KLAP plugs, cameras).
    "set_credentials": Action(
        _set_credentials, parse_credentials, help="USER:PASSWORD or PASSWORD"
    ),
    "reject_handshake": Action(
        lambda d, v: _need(d, AuthenticatedDevice).reject_handshake(v),
        parse_bool,
        True,
        "HTTP 403 to the first login step",
        optional=True,
    ),
    "discovery_encryption": Action(
        lambda d, v: _need(d, AuthenticatedDevice).set_discovery_encryption(v),
        _optional_text,
        "TPAP",
        "encrypt_type discovery reports (none: the real one)",
        optional=True,
    ),
    "expire_sessions": Action(
        lambda d, _: _need(d, AuthenticatedDevice).expire_sessions(),
        help="end every login session",
    ),
    "set_signal_level": Action(
        lambda d, v: _need(d, AuthenticatedDevice).set_signal_level(v),
        _optional_int,
        help="level (none: from the RSSI)",
    ),
    "unsupported_methods": Action(
        lambda d, v: _need(d, AuthenticatedDevice).set_unsupported_methods(v),
        parse_methods,
        (),
        "answer METHOD[,METHOD...] as unknown (none: all answered)",
        optional=True,
    ),
    # SMART plugs.
    "set_overheated": Action(
        lambda d, v: _need(d, SmartPlug).set_overheated(v),
        parse_bool,
        True,
        "report overheating",
        optional=True,
    ),
    "firmware_update": Action(
        lambda d, v: _need(d, SmartPlug).set_firmware_update(v),
        _optional_text,
        help="offer firmware VERSION (none: up to date)",
    ),
    "update_outcome": Action(
        lambda d, v: _need(d, SmartPlug).set_update_outcome(v),
        parse_outcome,
        help="installing: succeed, fail or reject",
    ),
    # Cameras.
    "set_battery": Action(
        lambda d, v: _need(d, SimulatedCamera).set_battery(v),
        _number(int),
        help="battery percent",
    ),
    "battery_low": Action(
        lambda d, v: _need(d, SimulatedCamera).set_battery(low=v),
        _optional_bool,
        True,
        "low-battery flag (auto: below 20 %)",
        optional=True,
    ),
    "set_charging": Action(
        lambda d, v: _need(d, SimulatedCamera).set_battery(charging=v),
        parse_bool,
        help="battery charging on/off",
    ),
    "third_party": Action(
        lambda d, v: _need(d, SimulatedCamera).set_third_party_compat(v),
        parse_bool,
        help="third-party compatibility on/off",
    ),
    "block": Action(
        lambda d, v: _need(d, SimulatedCamera).block(v),
        parse_seconds,
        1800.0,
        "block logins for SECONDS (none: unblock)",
        optional=True,
    ),
    "expired_session_reply": Action(
        lambda d, v: _need(d, SimulatedCamera).set_expired_session_reply(v),
        parse_expiry,
        help="ended sessions get: error (-40401) or http_401",
    ),
    "set_privacy": Action(
        lambda d, v: _need(d, SimulatedCamera).set_privacy(v),
        parse_bool,
        help="lens mask on/off",
    ),
}


async def apply_action(device: SimulatedDevice, name: str, value: Any = None) -> Any:
    """Run control ``name`` on ``device`` with a raw (string or JSON) value."""
    action = ACTIONS.get(name)
    if action is None:
        raise ControlError(f"unknown action {name!r}; known: {', '.join(ACTIONS)}")
    if action.parse is None:
        return await action.run(device, None)
    if value is None or value == "":
        if not action.optional:
            raise ControlError(f"{name} needs a value ({action.help})")
        return await action.run(device, action.default)
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

    def _device(self, request: web.Request) -> SimulatedDevice:
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
    if "relay" in info:
        state = "on" if info["relay"] else "off"
    else:
        state = "privacy" if info.get("privacy_mode") else "on"
    if not info.get("powered", True):
        state = "UNPOWERED"
    extra = f"  faults: {', '.join(faults)}" if faults else ""
    return (
        f"{info['alias']:<20} {info['model']:<10} {info['host'] or '-':<15} "
        f"{info['mac']}  {state:<9} rssi {info.get('rssi')}{extra}"
    )
