"""A fleet of simulated devices on loopback addresses.

Each device gets its own address (127.0.0.2 upwards, skipping addresses that
another process already uses) and the fleet runs the shared broadcast
discovery listener.
"""

from __future__ import annotations

from collections.abc import Iterator
import errno
import ipaddress
import logging
from types import TracebackType
from typing import Any, Self

from .device import ADDRESS_TAKEN, Clock, SimulatedDevice, SimulatedPlug, normalize_mac
from .legacy import (
    BROADCAST_ADDRESS,
    DEFAULT_PORT,
    LegacyBroadcastListener,
    LegacyEndpoint,
)
from .models import ModelProfile, find_model

_LOGGER = logging.getLogger(__name__)

FIRST_HOST = "127.0.0.2"
LAST_HOST = "127.0.255.254"

DEFAULT_FLEET: list[dict[str, Any]] = [
    {"alias": "Desk lamp"},
    {"alias": "Coffee maker", "emeter": True},
    {"alias": "Fan", "rssi": -67},
]
"""The fleet ``python -m simulator serve`` starts without ``--fleet``."""

PLUG_OPTIONS = frozenset(
    {
        "alias",
        "mac",
        "host",
        "emeter",
        "model",
        "rssi",
        "relay_on",
        "power_on_relay",
        "led_on",
        "cloud_connected",
        "cloud_bound",
        "load_w",
        "initial_total_wh",
    }
)


class Simulator:
    """Start, look up and stop many simulated devices.

    Use as an async context manager::

        async with Simulator() as sim:
            plug = await sim.add_plug(alias="Desk lamp")
            energy = await sim.add_plug(alias="Heater", emeter=True)
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        port: int = DEFAULT_PORT,
        broadcast_address: str | None = BROADCAST_ADDRESS,
        first_host: str = FIRST_HOST,
        last_host: str = LAST_HOST,
    ) -> None:
        self.clock = clock
        self.port = port
        self.broadcast_address = broadcast_address
        self.first_host = first_host
        self.last_host = last_host
        self._devices: list[SimulatedPlug] = []
        self._listener: LegacyBroadcastListener | None = None
        self._mac_counter = 0
        self._started = False

    # -------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        """Start the broadcast discovery listener."""
        if self._started:
            return
        self._started = True
        if self.broadcast_address is None:
            return
        listener = LegacyBroadcastListener(
            self._legacy_endpoints, address=self.broadcast_address, port=self.port
        )
        try:
            await listener.start()
        except OSError as err:
            _LOGGER.warning(
                "Broadcast discovery on %s:%s unavailable: %s",
                self.broadcast_address,
                self.port,
                err,
            )
        else:
            self._listener = listener

    async def stop(self) -> None:
        """Stop every device and the discovery listener."""
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
        devices, self._devices = self._devices, []
        for device in devices:
            await device.stop()
        self._started = False

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def broadcast_available(self) -> bool:
        """Return True when the broadcast discovery listener is running."""
        return self._listener is not None

    # ---------------------------------------------------------------- devices
    @property
    def devices(self) -> list[SimulatedPlug]:
        """Return the devices in the order they were added."""
        return list(self._devices)

    def __iter__(self) -> Iterator[SimulatedPlug]:
        return iter(list(self._devices))

    def __len__(self) -> int:
        return len(self._devices)

    def _legacy_endpoints(self) -> Iterator[LegacyEndpoint]:
        for device in self._devices:
            for endpoint in device.endpoints:
                if isinstance(endpoint, LegacyEndpoint):
                    yield endpoint

    def get(self, key: str) -> SimulatedPlug:
        """Return the device with this alias, MAC or address (KeyError if none)."""
        for device in self._devices:
            if key in (device.alias, device.host):
                return device
        folded = key.casefold()
        for device in self._devices:
            if device.alias.casefold() == folded:
                return device
        try:
            mac = normalize_mac(key)
        except ValueError:
            pass
        else:
            for device in self._devices:
                if device.mac == mac:
                    return device
        raise KeyError(key)

    def host_candidates(self, device: SimulatedDevice | None = None) -> Iterator[str]:
        """Yield loopback addresses not used by this fleet, lowest first."""
        used = {d.host for d in self._devices if d is not device}
        current = int(ipaddress.IPv4Address(self.first_host))
        last = int(ipaddress.IPv4Address(self.last_host))
        while current <= last:
            host = str(ipaddress.IPv4Address(current))
            current += 1
            if host.endswith((".0", ".255")) or host in used:
                continue
            yield host

    def _default_mac(self, host: str) -> str:
        """Return a MAC derived from the address, unique across processes.

        127.a.b.c gets 50:C7:BF:a:b:c (127.0.0.2: 50:C7:BF:00:00:02): two
        processes never hold the same address at once, so fleets running side
        by side do not hand out the same MAC. A clash inside the fleet (the
        address was left by a device that moved) falls back to a counter.
        """
        used = {d.mac for d in self._devices}
        octets = ipaddress.IPv4Address(host).packed[1:]
        mac = "50:C7:BF:" + ":".join(f"{octet:02X}" for octet in octets)
        while mac in used:
            self._mac_counter += 1
            n = self._mac_counter
            mac = f"50:C7:BE:{(n >> 16) & 255:02X}:{(n >> 8) & 255:02X}:{n & 255:02X}"
        return mac

    async def add_plug(
        self,
        alias: str | None = None,
        mac: str | None = None,
        host: str | None = None,
        *,
        emeter: bool = False,
        model: str | ModelProfile | None = None,
        rssi: int = -50,
        relay_on: bool = True,
        power_on_relay: bool = True,
        led_on: bool = True,
        cloud_connected: bool = True,
        cloud_bound: bool = True,
        load_w: float = 60.0,
        initial_total_wh: float = 0.0,
    ) -> SimulatedPlug:
        """Create a plug, start it and return it.

        ``model`` is a profile key (``HS100``, ``HS100v1``, ``HS110``,
        ``KP115``) or model string; by default ``HS100(US)`` hw 2.0, or
        ``HS110(EU)`` hw 1.0 with ``emeter=True``. ``host`` defaults to the
        next free loopback address.
        """
        profile = find_model(model, emeter=emeter)
        if emeter and profile.emeter is None:
            raise ValueError(f"model {profile.model} has no energy meter")
        plug = SimulatedPlug(
            alias=alias or f"Plug {len(self._devices) + 1}",
            mac=mac or "00:00:00:00:00:00",
            profile=profile,
            rssi=rssi,
            relay_on=relay_on,
            power_on_relay=power_on_relay,
            led_on=led_on,
            cloud_connected=cloud_connected,
            cloud_bound=cloud_bound,
            load_w=load_w,
            initial_total_wh=initial_total_wh,
            clock=self.clock,
        )
        return await self.add_device(plug, host=host, derive_mac=mac is None)

    async def add_device(
        self,
        device: SimulatedPlug,
        host: str | None = None,
        *,
        derive_mac: bool = False,
    ) -> SimulatedPlug:
        """Attach the protocol endpoints to ``device`` and start it.

        With ``derive_mac`` the device's MAC is derived from its address.
        """
        if not derive_mac and any(d.mac == device.mac for d in self._devices):
            raise ValueError(f"MAC {device.mac} already in the fleet")
        await self.start()
        device.endpoints.append(LegacyEndpoint(device, port=self.port))
        device.host_allocator = self.host_candidates
        if host is not None:
            await device.start(host)
        else:
            for candidate in self.host_candidates(device):
                try:
                    await device.start(candidate)
                except OSError as err:
                    if err.errno in ADDRESS_TAKEN:
                        continue
                    raise
                break
            else:
                raise OSError(errno.EADDRNOTAVAIL, "no free loopback address")
        if derive_mac:
            assert device.host is not None
            device.mac = self._default_mac(device.host)
        self._devices.append(device)
        return device

    async def add_from_spec(self, spec: dict[str, Any]) -> SimulatedPlug:
        """Add a plug from a fleet-file entry (keys as :meth:`add_plug`)."""
        unknown = set(spec) - PLUG_OPTIONS
        if unknown:
            raise ValueError(f"unknown plug options: {', '.join(sorted(unknown))}")
        return await self.add_plug(**spec)

    async def remove(self, device: SimulatedPlug | str) -> None:
        """Stop a device and forget it."""
        if isinstance(device, str):
            device = self.get(device)
        self._devices.remove(device)
        await device.stop()
