"""State and fault controls of a simulated device, independent of any protocol.

A device owns one or more :class:`Endpoint` objects (protocol servers such as
the legacy XOR server on port 9999). Endpoints read the device state to decide
how to behave; the fault controls change that state and then tell every
endpoint to apply it, so that each control has taken full effect when its
coroutine returns (no timers involved).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
import calendar
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
import errno
import hashlib
import logging
import time
from typing import Any, Literal

from .models import ModelProfile

_LOGGER = logging.getLogger(__name__)

Clock = Callable[[], float]
TcpMode = Literal["answer", "silent", "closed"]
HostAllocator = Callable[["SimulatedDevice"], Iterable[str]]
ADDRESS_TAKEN = frozenset({errno.EADDRINUSE, errno.EADDRNOTAVAIL})


def system_clock() -> float:
    """Return the wall clock: ``time.time()``, or freezegun's frozen time.

    ``time.time`` is looked up on every call, so a test that freezes or moves
    time with freezegun moves the devices' clock too. freezegun hands the real
    time to callers that have a module of its ignore list (for example
    ``asyncio``) a few frames up the stack; a device's clock must not depend on
    who asks, so the frozen time is read directly while freezegun is active.
    """
    now = time.time
    if getattr(now, "__module__", None) == "freezegun.api":
        frozen = _freezegun_time()
        if frozen is not None:
            return frozen
    return now()


def _freezegun_time() -> float | None:
    try:
        from freezegun.api import get_current_time
    except ImportError:  # pragma: no cover - time.time came from freezegun
        return None
    try:
        current = get_current_time()
    except IndexError:  # not frozen any more
        return None
    return calendar.timegm(current.timetuple()) + current.microsecond / 1_000_000


def normalize_mac(mac: str) -> str:
    """Return a MAC address as upper-case, colon-separated hex."""
    digits = "".join(ch for ch in mac if ch not in ":-.").upper()
    if len(digits) != 12 or any(ch not in "0123456789ABCDEF" for ch in digits):
        raise ValueError(f"invalid MAC address {mac!r}")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


Waiters = list[tuple[int, asyncio.Future[None]]]


def _wake(waiters: Waiters, count: int) -> Waiters:
    """Wake the waiters whose count is reached; return the others."""
    still_waiting = []
    for target, waiter in waiters:
        if count >= target:
            if not waiter.done():
                waiter.set_result(None)
        else:
            still_waiting.append((target, waiter))
    return still_waiting


async def _wait(waiters: Waiters, count: int) -> None:
    """Wait until a count reaches ``count`` (woken by :func:`_wake`)."""
    waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    waiters.append((count, waiter))
    await waiter


class Endpoint(ABC):
    """One protocol server of a device (for example legacy XOR on port 9999)."""

    name: str = "endpoint"

    @abstractmethod
    async def bind(self, host: str) -> None:
        """Serve at ``host``.

        Raises ``OSError`` without side effects when the address is taken. When
        already serving elsewhere, the old address is released after the new
        one is bound and its connections are closed.
        """

    @abstractmethod
    async def close(self) -> None:
        """Stop serving and close every connection."""

    @abstractmethod
    async def apply_state(self) -> None:
        """Open or close listeners to match the device's current state."""

    @abstractmethod
    async def drop_connections(self, *, desynced_only: bool = False) -> None:
        """Close open connections and wait until they are closed.

        With ``desynced_only``, close only connections on which a request went
        unanswered (their client is waiting for a reply that will never come).
        """

    def forget_sessions(self) -> None:  # noqa: B027 - optional hook
        """Forget authenticated sessions (the device booted or expired them)."""


@dataclass(slots=True)
class DayStat:
    """Relay-on time and energy accumulated during one device-local day."""

    on_seconds: float = 0.0
    energy_wh: float = 0.0


class SimulatedDevice:
    """Power, network faults and bookkeeping shared by every simulated device."""

    kind: str = "legacy"
    """What the control API reports: legacy, tapo_plug, kasa_smart_plug, ..."""
    mac_oui: str = "50:C7:BF"
    """First three octets of the MAC a fleet derives from the address."""

    def __init__(
        self,
        *,
        alias: str,
        mac: str,
        profile: ModelProfile,
        rssi: int = -50,
        clock: Clock | None = None,
    ) -> None:
        self.alias = alias
        self.mac = normalize_mac(mac)
        self.profile = profile
        self.rssi = rssi
        self.clock: Clock = clock or system_clock
        self.host: str | None = None
        self.endpoints: list[Endpoint] = []
        self.host_allocator: HostAllocator | None = None

        self.powered = True
        self.blackholed = False
        self.refusing = False
        self.slow_seconds: float | None = None
        self.malformed_replies = False
        self.misreported: dict[str, Any] = {}
        """Fields the device's system info reports instead of the true ones."""

        self.boot_time = self.clock()
        self.request_count = 0
        """TCP requests answered (a garbage reply of ``malformed`` counts too)."""
        self.discovery_count = 0
        """UDP datagrams answered (broadcast or unicast discovery)."""
        self.dropped_count = 0
        """TCP requests received but never answered (powered off / blackhole)."""
        self.received_count = 0
        """TCP requests received, answered or not (counted before any delay)."""
        self.requests: deque[Any] = deque(maxlen=200)
        """The last TCP requests received, decoded (newest last)."""

        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._request_waiters: Waiters = []
        self._arrival_waiters: Waiters = []

    # ------------------------------------------------------------------ identity
    @property
    def device_id(self) -> str:
        """Return the 40 hex digit device id derived from the MAC."""
        return (
            hashlib.sha1(self.mac.encode(), usedforsecurity=False)
            .hexdigest()[:40]
            .upper()
        )

    @property
    def model(self) -> str:
        """Return the model string, for example ``HS110(EU)``."""
        return self.profile.model

    @property
    def tcp_mode(self) -> TcpMode:
        """Return how the TCP port behaves right now.

        ``closed``: connection refused; ``silent``: accepted, never answered;
        ``answer``: normal operation.
        """
        if not self.powered or self.blackholed:
            return "silent"
        if self.refusing:
            return "closed"
        return "answer"

    @property
    def answers_discovery(self) -> bool:
        """Return True when the device answers UDP discovery."""
        return self.powered

    def describe(self) -> dict[str, Any]:
        """Return a JSON-ready summary of the device for the control API."""
        return {
            "alias": self.alias,
            "kind": self.kind,
            "model": self.model,
            "hw_ver": self.profile.hw_ver,
            "host": self.host,
            "mac": self.mac,
            "powered": self.powered,
            "rssi": self.rssi,
            "faults": {
                "blackhole": self.blackholed,
                "refuse": self.refusing,
                "slow": self.slow_seconds,
                "malformed": self.malformed_replies,
                "misreport": dict(self.misreported) or None,
            },
            "request_count": self.request_count,
            "discovery_count": self.discovery_count,
        }

    # ---------------------------------------------------------------- lifecycle
    async def start(self, host: str) -> None:
        """Bind every endpoint at ``host``; raise ``OSError`` if it is taken."""
        async with self._lock:
            await self._bind_all(host)

    async def stop(self) -> None:
        """Close every endpoint and cancel background work."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for endpoint in self.endpoints:
            await endpoint.close()
        for _, waiter in [*self._request_waiters, *self._arrival_waiters]:
            if not waiter.done():
                waiter.cancel()
        self._request_waiters.clear()
        self._arrival_waiters.clear()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` as a task that :meth:`stop` cancels."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def settle(self) -> None:
        """Wait until background work has finished.

        That is a reboot asked for over the network, or delayed replies.
        """
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _apply(self, *, drop: bool = False, desynced: bool = False) -> None:
        for endpoint in self.endpoints:
            if drop or desynced:
                await endpoint.drop_connections(desynced_only=not drop)
            await endpoint.apply_state()

    # ------------------------------------------------------------ bookkeeping
    def record_request(self, request: Any) -> None:
        """Remember a decoded TCP request (called by endpoints)."""
        self.requests.append(request)

    def count_reply(self) -> None:
        """Count one answered TCP request (called by endpoints)."""
        self.request_count += 1
        self._request_waiters = _wake(self._request_waiters, self.request_count)

    def count_arrival(self) -> None:
        """Count one TCP request as it arrives (called by endpoints)."""
        self.received_count += 1
        self._arrival_waiters = _wake(self._arrival_waiters, self.received_count)

    async def wait_for_requests(self, count: int) -> None:
        """Wait until :attr:`request_count` reaches ``count``."""
        if self.request_count < count:
            await _wait(self._request_waiters, count)

    async def wait_for_received(self, count: int) -> None:
        """Wait until :attr:`received_count` reaches ``count``.

        Unlike :meth:`wait_for_requests`, this returns while the reply to the
        last request may still be on its way (``slow``), or never come.
        """
        if self.received_count < count:
            await _wait(self._arrival_waiters, count)

    # ------------------------------------------------------------------- faults
    def _boot(self) -> None:
        """Reset what a (re)boot resets; subclasses extend this."""
        self.boot_time = self.clock()
        self.blackholed = False
        for endpoint in self.endpoints:
            endpoint.forget_sessions()

    async def power_off(self) -> None:
        """Cut the power: drop connections, go silent on TCP, stop discovery."""
        async with self._lock:
            self._before_power_change()
            self.powered = False
            await self._apply(drop=True)

    async def power_on(self) -> None:
        """Restore power: the device boots (no-op when already powered)."""
        async with self._lock:
            if self.powered:
                return
            self.powered = True
            self._boot()
            # Connections accepted while the device was off were never seen by
            # the booted firmware.
            await self._apply(drop=True)

    async def reboot(self) -> None:
        """Power-cycle: drop connections, boot, answer again right away."""
        async with self._lock:
            self._before_power_change()
            self.powered = True
            self._boot()
            await self._apply(drop=True)

    async def blackhole(self, on: bool = True) -> None:
        """Hang the firmware: TCP is accepted but never answered."""
        async with self._lock:
            self.blackholed = on
            await self._apply(desynced=not on)

    async def refuse(self, on: bool = True) -> None:
        """Close the TCP port (connection refused); discovery still answers."""
        async with self._lock:
            self.refusing = on
            await self._apply(drop=on)

    async def slow(self, seconds: float | None) -> None:
        """Delay every TCP reply by ``seconds`` (None or 0 turns it off)."""
        async with self._lock:
            self.slow_seconds = seconds if seconds else None

    async def malformed(self, on: bool = True) -> None:
        """Answer TCP requests with bytes that decrypt to non-JSON."""
        async with self._lock:
            self.malformed_replies = on

    async def misreport(self, fields: dict[str, Any] | None) -> None:
        """Report ``fields`` in the system info in place of the true values.

        Whatever their shape (``{"mac": "zz"}``, ``{"on_time": -1}``), in
        every reply that says who the device is: a legacy plug's get_sysinfo
        (TCP and discovery), a Kasa Spot camera's discovery reply, a KLAP
        plug's get_device_info, the UDP 20002 discovery result of plugs and
        cameras (each with its own field names). None or ``{}``: the truth
        again.
        """
        async with self._lock:
            self.misreported = dict(fields or {})

    def reported(self, info: dict[str, Any]) -> dict[str, Any]:
        """Return system info as the device reports it, misreported fields and all."""
        return {**info, **self.misreported}

    async def set_rssi(self, dbm: int) -> None:
        """Change the reported WiFi signal strength."""
        self.rssi = int(dbm)

    async def set_alias(self, alias: str) -> None:
        """Rename the device."""
        self.alias = alias

    async def move_to(self, new_host: str | None = None) -> str:
        """Move to another address (same MAC); return the new address.

        The old address stops answering at once and its connections are closed.
        Without ``new_host`` the fleet's allocator picks a free address.
        """
        async with self._lock:
            if new_host is not None:
                candidates: Iterable[str] = [new_host]
            elif self.host_allocator is not None:
                candidates = self.host_allocator(self)
            else:
                raise ValueError("no new_host given and no allocator")
            for candidate in candidates:
                try:
                    await self._bind_all(candidate)
                except OSError as err:
                    if new_host is not None or err.errno not in ADDRESS_TAKEN:
                        raise
                    continue
                return candidate
            raise OSError(errno.EADDRNOTAVAIL, "no free address to move to")

    async def _bind_all(self, host: str) -> None:
        """Bind every endpoint at ``host``, all or nothing."""
        moved: list[Endpoint] = []
        old_host = self.host
        try:
            for endpoint in self.endpoints:
                await endpoint.bind(host)
                moved.append(endpoint)
        except BaseException:
            for endpoint in moved:
                if old_host is not None:
                    await endpoint.bind(old_host)
                else:
                    await endpoint.close()
            raise
        self.host = host

    def _before_power_change(self) -> None:
        """Run before the power state changes (subclasses account energy)."""

    # -------------------------------------------------------------- utilities
    def now(self) -> float:
        """Return the device clock."""
        return self.clock()

    def local_time(self) -> datetime:
        """Return the device's local time (the simulated devices run on UTC)."""
        return datetime.fromtimestamp(self.clock(), UTC)


class SimulatedPlug(SimulatedDevice):
    """A smart plug: relay, LED, cloud binding and an optional energy meter."""

    def __init__(
        self,
        *,
        alias: str,
        mac: str,
        profile: ModelProfile,
        rssi: int = -50,
        relay_on: bool = True,
        power_on_relay: bool = True,
        led_on: bool = True,
        cloud_connected: bool = True,
        cloud_bound: bool = True,
        cloud_username: str = "user@example.com",
        load_w: float = 60.0,
        initial_total_wh: float = 0.0,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(alias=alias, mac=mac, profile=profile, rssi=rssi, clock=clock)
        self.power_on_relay = power_on_relay
        self.led_on = led_on
        self.cloud_connected = cloud_connected
        self.cloud_bound = cloud_bound
        self.cloud_username = cloud_username
        self.load_w = load_w
        """Power drawn by the load while the relay is on (energy models)."""
        self.initial_total_wh = initial_total_wh
        self.relay_on = relay_on
        self.relay_on_since: float | None = self.boot_time if relay_on else None
        self.days: dict[date, DayStat] = {}
        self._accrued_at = self.boot_time

    @property
    def has_emeter(self) -> bool:
        """Return True for energy-monitoring models."""
        return self.profile.emeter is not None

    @property
    def on_time(self) -> int:
        """Return seconds the relay has been on (0 when off or unpowered)."""
        if not self.powered or not self.relay_on or self.relay_on_since is None:
            return 0
        return max(0, int(self.clock() - self.relay_on_since))

    @property
    def load_active(self) -> bool:
        """Return True while the load draws power."""
        return self.powered and self.relay_on

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(
            {
                "relay": self.relay_on,
                "on_time": self.on_time,
                "led": self.led_on,
                "cloud_connected": self.cloud_connected,
                "emeter": self.has_emeter,
            }
        )
        return info

    # ------------------------------------------------------------------ energy
    def accrue(self) -> None:
        """Account relay-on time and energy up to the device clock."""
        now = self.clock()
        start = self._accrued_at
        self._accrued_at = now
        if now <= start or not self.load_active:
            return
        cursor = start
        while cursor < now:
            local = datetime.fromtimestamp(cursor, UTC)
            midnight = datetime(local.year, local.month, local.day, tzinfo=UTC)
            next_midnight = (midnight + timedelta(days=1)).timestamp()
            end = min(now, next_midnight)
            stat = self.days.setdefault(local.date(), DayStat())
            stat.on_seconds += end - cursor
            stat.energy_wh += self.load_w * (end - cursor) / 3600
            cursor = end

    def day_stats(self, year: int, month: int) -> list[tuple[date, DayStat]]:
        """Return the accumulated statistics of the days of one month."""
        self.accrue()
        return sorted(
            (day, stat)
            for day, stat in self.days.items()
            if day.year == year and day.month == month
        )

    def month_stats(self, year: int) -> list[tuple[int, DayStat]]:
        """Return the accumulated statistics of the months of one year."""
        self.accrue()
        months: dict[int, DayStat] = {}
        for day, stat in self.days.items():
            if day.year != year:
                continue
            total = months.setdefault(day.month, DayStat())
            total.on_seconds += stat.on_seconds
            total.energy_wh += stat.energy_wh
        return sorted(months.items())

    def total_energy_wh(self) -> float:
        """Return the energy counter in Wh."""
        self.accrue()
        return self.initial_total_wh + sum(s.energy_wh for s in self.days.values())

    def erase_stats(self) -> None:
        """Forget the daily statistics (the emeter's erase command)."""
        self.accrue()
        self.days.clear()
        self.initial_total_wh = 0.0

    def realtime(self) -> tuple[float, float, float]:
        """Return (voltage V, current A, power W) right now."""
        voltage = self.profile.voltage
        power = self.load_w if self.load_active else 0.0
        return voltage, power / voltage, power

    # ------------------------------------------------------------ state changes
    def _before_power_change(self) -> None:
        self.accrue()

    def apply_relay(self, on: bool) -> None:
        """Switch the relay now (the firmware's set_relay_state)."""
        self.accrue()
        if on and not self.relay_on:
            self.relay_on_since = self.clock()
        elif not on:
            self.relay_on_since = None
        self.relay_on = on

    def _boot(self) -> None:
        super()._boot()
        self._accrued_at = self.boot_time
        self.relay_on = self.power_on_relay
        self.relay_on_since = self.boot_time if self.relay_on else None

    def request_reboot(self) -> None:
        """Reboot after the current reply has been sent (system.reboot)."""
        self.spawn(self.reboot())

    async def set_relay(self, on: bool) -> None:
        """Switch the relay as if pressed on the device."""
        self.apply_relay(on)

    async def set_cloud(self, connected: bool) -> None:
        """Report the cloud connection as up (True) or down (False)."""
        self.cloud_connected = connected

    async def set_led(self, on: bool) -> None:
        """Turn the status LED on or off."""
        self.led_on = on

    async def set_load(self, watts: float) -> None:
        """Change the power the load draws while the relay is on."""
        self.accrue()
        self.load_w = float(watts)
