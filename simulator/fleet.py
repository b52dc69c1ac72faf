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
from .discovery import SMART_DISCOVERY_PORT, SmartDiscoveryEndpoint
from .kasaspot import (
    SERVICE_PORT,
    KasaSpotApi,
    KasaSpotServiceEndpoint,
    SimulatedKasaSpotCamera,
)
from .klap import KlapEndpoint
from .legacy import (
    BROADCAST_ADDRESS,
    DEFAULT_PORT,
    DatagramAnswerer,
    LegacyBroadcastListener,
    LegacyDiscoveryEndpoint,
    LegacyEndpoint,
)
from .models import (
    CameraModelProfile,
    KasaSpotModelProfile,
    ModelProfile,
    SmartModelProfile,
    find_camera_model,
    find_kasa_spot_model,
    find_model,
    find_smart_model,
)
from .smartapi import SmartApi
from .smartdevice import (
    DEFAULT_CAMERA_PASSWORD,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    SimulatedCamera,
    SmartPlug,
)
from .sslaes import SslAesEndpoint

_LOGGER = logging.getLogger(__name__)

FIRST_HOST = "127.0.0.2"
LAST_HOST = "127.0.255.254"

DEFAULT_KLAP_PORT = 20080
"""HTTP port of the KLAP plugs (real ones use 80; advertised in discovery)."""
DEFAULT_CAMERA_PORT = 20443
"""HTTPS port of the cameras (real ones use 443; advertised in discovery)."""

DEFAULT_FLEET: list[dict[str, Any]] = [
    {"alias": "Desk lamp"},
    {"alias": "Coffee maker", "emeter": True},
    {"alias": "Fan", "rssi": -67},
    {"kind": "tapo_plug", "alias": "Kettle", "model": "P110"},
    {"kind": "kasa_smart_plug", "alias": "Aquarium"},
    {"kind": "tapo_camera", "alias": "Hallway camera"},
    {"kind": "tapo_camera", "alias": "Garden camera", "battery": True},
]
"""The fleet ``python -m simulator serve`` starts without ``--fleet``.

Legacy plugs unless ``kind`` says otherwise; the authenticated devices use
the account ``user@example.com`` with the default passwords of
:mod:`simulator.smartdevice`.
"""

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
SMART_PLUG_OPTIONS = frozenset(
    {
        "alias",
        "mac",
        "host",
        "model",
        "username",
        "password",
        "http_port",
        "rssi",
        "relay_on",
        "power_on_relay",
        "led_on",
        "cloud_connected",
        "load_w",
        "initial_total_wh",
    }
)
CAMERA_OPTIONS = frozenset(
    {
        "alias",
        "mac",
        "host",
        "model",
        "battery",
        "username",
        "password",
        "http_port",
        "rssi",
        "battery_percent",
        "battery_details",
    }
)
KASA_SPOT_OPTIONS = frozenset({"alias", "mac", "host", "model", "rssi", "service_port"})
KINDS = (
    "legacy",
    "tapo_plug",
    "kasa_smart_plug",
    "tapo_camera",
    "battery_camera",
    "kasa_spot_camera",
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
        smart_port: int = SMART_DISCOVERY_PORT,
        broadcast_address: str | None = BROADCAST_ADDRESS,
        first_host: str = FIRST_HOST,
        last_host: str = LAST_HOST,
    ) -> None:
        self.clock = clock
        self.port = port
        self.smart_port = smart_port
        self.broadcast_address = broadcast_address
        self.first_host = first_host
        self.last_host = last_host
        self._devices: list[SimulatedDevice] = []
        self._listener: LegacyBroadcastListener | None = None
        self._smart_listener: LegacyBroadcastListener | None = None
        self._mac_counter = 0
        self._started = False

    # -------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        """Start the broadcast discovery listeners (legacy and SMART ports)."""
        if self._started:
            return
        self._started = True
        if self.broadcast_address is None:
            return
        self._listener = await self._listen(self._legacy_endpoints, self.port)
        self._smart_listener = await self._listen(
            self._smart_discovery_endpoints, self.smart_port
        )

    async def _listen(
        self, endpoints: Any, port: int
    ) -> LegacyBroadcastListener | None:
        assert self.broadcast_address is not None
        listener = LegacyBroadcastListener(
            endpoints, address=self.broadcast_address, port=port
        )
        try:
            await listener.start()
        except OSError as err:
            _LOGGER.warning(
                "Broadcast discovery on %s:%s unavailable: %s",
                self.broadcast_address,
                port,
                err,
            )
            return None
        return listener

    async def stop(self) -> None:
        """Stop every device and the discovery listeners."""
        for listener in (self._listener, self._smart_listener):
            if listener is not None:
                await listener.close()
        self._listener = self._smart_listener = None
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
        """Return True when the legacy broadcast discovery listener is running."""
        return self._listener is not None

    @property
    def smart_broadcast_available(self) -> bool:
        """Return True when the SMART (UDP 20002) broadcast listener is running."""
        return self._smart_listener is not None

    # ---------------------------------------------------------------- devices
    @property
    def devices(self) -> list[SimulatedDevice]:
        """Return the devices in the order they were added."""
        return list(self._devices)

    def __iter__(self) -> Iterator[SimulatedDevice]:
        return iter(list(self._devices))

    def __len__(self) -> int:
        return len(self._devices)

    def _legacy_endpoints(self) -> Iterator[DatagramAnswerer]:
        for device in self._devices:
            for endpoint in device.endpoints:
                if isinstance(endpoint, LegacyEndpoint | LegacyDiscoveryEndpoint):
                    yield endpoint

    def _smart_discovery_endpoints(self) -> Iterator[SmartDiscoveryEndpoint]:
        for device in self._devices:
            for endpoint in device.endpoints:
                if isinstance(endpoint, SmartDiscoveryEndpoint):
                    yield endpoint

    def get(self, key: str) -> SimulatedDevice:
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

    def _default_mac(self, host: str, oui: str = "50:C7:BF") -> str:
        """Return a MAC derived from the address, unique across processes.

        127.a.b.c gets 50:C7:BF:a:b:c (127.0.0.2: 50:C7:BF:00:00:02; ``oui``
        replaces the first three octets, 74:FE:CE for Kasa Spot cameras): two
        processes never hold the same address at once, so fleets running side
        by side do not hand out the same MAC. A clash inside the fleet (the
        address was left by a device that moved) falls back to a counter.
        """
        used = {d.mac for d in self._devices}
        octets = ipaddress.IPv4Address(host).packed[1:]
        mac = f"{oui}:" + ":".join(f"{octet:02X}" for octet in octets)
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

    async def add_tapo_plug(
        self,
        alias: str | None = None,
        mac: str | None = None,
        host: str | None = None,
        *,
        model: str | SmartModelProfile = "P110",
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        http_port: int = DEFAULT_KLAP_PORT,
        rssi: int = -50,
        relay_on: bool = True,
        power_on_relay: bool = True,
        led_on: bool = True,
        cloud_connected: bool = True,
        load_w: float = 60.0,
        initial_total_wh: float = 0.0,
    ) -> SmartPlug:
        """Create a SMART plug on KLAP (Tapo P110 by default, or P100), start it.

        ``username``/``password`` are the TP-Link account the device knows;
        the KLAP HTTP server listens on ``http_port`` of the device's address
        (advertised in discovery).
        """
        profile = find_smart_model(model)
        plug = SmartPlug(
            alias=alias or f"Plug {len(self._devices) + 1}",
            mac=mac or "00:00:00:00:00:00",
            profile=profile,
            username=username,
            password=password,
            http_port=http_port,
            rssi=rssi,
            relay_on=relay_on,
            power_on_relay=power_on_relay,
            led_on=led_on,
            cloud_connected=cloud_connected,
            load_w=load_w,
            initial_total_wh=initial_total_wh,
            clock=self.clock,
        )
        await self.add_device(plug, host=host, derive_mac=mac is None)
        return plug

    async def add_kasa_smart_plug(
        self,
        alias: str | None = None,
        mac: str | None = None,
        host: str | None = None,
        *,
        model: str | SmartModelProfile = "KP125M",
        **options: Any,
    ) -> SmartPlug:
        """Create a Kasa plug on the SMART firmware (KP125M-like), start it.

        Options as :meth:`add_tapo_plug`.
        """
        return await self.add_tapo_plug(alias, mac, host, model=model, **options)

    async def add_tapo_camera(
        self,
        alias: str | None = None,
        mac: str | None = None,
        host: str | None = None,
        *,
        battery: bool = False,
        model: str | CameraModelProfile | None = None,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_CAMERA_PASSWORD,
        http_port: int = DEFAULT_CAMERA_PORT,
        rssi: int = -55,
        battery_percent: int = 85,
        battery_details: bool = True,
    ) -> SimulatedCamera:
        """Create a Tapo camera on SSL-AES (C200, or C460 with ``battery``).

        The camera's local login is ``admin`` with ``password``; ``username``
        is the cloud account (discovery's ``owner``). HTTPS listens on
        ``http_port`` (advertised in discovery). ``battery_details=False``
        leaves ``battery_temperature``/``battery_voltage`` out of the device
        info, as some battery firmware does.
        """
        profile = find_camera_model(model, battery=battery)
        camera = SimulatedCamera(
            alias=alias or f"Camera {len(self._devices) + 1}",
            mac=mac or "00:00:00:00:00:00",
            profile=profile,
            username=username,
            password=password,
            http_port=http_port,
            rssi=rssi,
            battery_percent=battery_percent,
            battery_details=battery_details,
            clock=self.clock,
        )
        await self.add_device(camera, host=host, derive_mac=mac is None)
        return camera

    async def add_kasa_spot_camera(
        self,
        alias: str | None = None,
        mac: str | None = None,
        host: str | None = None,
        *,
        model: str | KasaSpotModelProfile = "EC60(US)",
        rssi: int = -50,
        service_port: int = SERVICE_PORT,
    ) -> SimulatedKasaSpotCamera:
        """Create a Kasa Spot camera (EC60, KC400 or KC410S), start it.

        python-kasa refuses these cameras, so the simulated one only answers
        legacy discovery (UDP 9999, system info nested under
        ``system.get_sysinfo.system``) and accepts TLS connections on
        ``service_port`` (HTTPS, 10443 as the real ones; every request gets
        401). The default MAC is 74:FE:CE plus the address's last three octets.
        """
        profile = find_kasa_spot_model(model)
        camera = SimulatedKasaSpotCamera(
            alias=alias or f"Kasa Spot {len(self._devices) + 1}",
            mac=mac or "00:00:00:00:00:00",
            profile=profile,
            rssi=rssi,
            service_port=service_port,
            clock=self.clock,
        )
        await self.add_device(camera, host=host, derive_mac=mac is None)
        return camera

    def _attach_endpoints(self, device: SimulatedDevice) -> None:
        if isinstance(device, SmartPlug):
            api = SmartApi(device)
            device.endpoints.append(
                KlapEndpoint(device, api.handle, port=device.http_port)
            )
            device.endpoints.append(
                SmartDiscoveryEndpoint(
                    device, port=self.smart_port, hold_port=self.port
                )
            )
        elif isinstance(device, SimulatedCamera):
            device.endpoints.append(SslAesEndpoint(device, port=device.http_port))
            device.endpoints.append(
                SmartDiscoveryEndpoint(
                    device, port=self.smart_port, hold_port=self.port
                )
            )
        elif isinstance(device, SimulatedPlug):
            device.endpoints.append(LegacyEndpoint(device, port=self.port))
        elif isinstance(device, SimulatedKasaSpotCamera):
            # UDP 9999 first: it is what marks the address as taken.
            device.endpoints.append(
                LegacyDiscoveryEndpoint(device, KasaSpotApi(device), port=self.port)
            )
            device.endpoints.append(
                KasaSpotServiceEndpoint(device, port=device.service_port)
            )
        else:
            raise TypeError(f"no protocol for {type(device).__name__}")

    async def add_device[D: SimulatedDevice](
        self,
        device: D,
        host: str | None = None,
        *,
        derive_mac: bool = False,
    ) -> D:
        """Attach the protocol endpoints to ``device`` and start it.

        With ``derive_mac`` the device's MAC is derived from its address.
        """
        if not derive_mac and any(d.mac == device.mac for d in self._devices):
            raise ValueError(f"MAC {device.mac} already in the fleet")
        await self.start()
        self._attach_endpoints(device)
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
            device.mac = self._default_mac(device.host, device.mac_oui)
        self._devices.append(device)
        return device

    async def add_from_spec(self, spec: dict[str, Any]) -> SimulatedDevice:
        """Add a device from a fleet-file entry.

        ``kind`` (default ``legacy``) picks the method: ``legacy``
        (:meth:`add_plug`), ``tapo_plug`` (:meth:`add_tapo_plug`),
        ``kasa_smart_plug`` (:meth:`add_kasa_smart_plug`), ``tapo_camera`` or
        ``battery_camera`` (:meth:`add_tapo_camera`), ``kasa_spot_camera``
        (:meth:`add_kasa_spot_camera`); the other keys are that method's
        arguments.
        """
        options = dict(spec)
        kind = options.pop("kind", "legacy")
        allowed = {
            "legacy": PLUG_OPTIONS,
            "tapo_plug": SMART_PLUG_OPTIONS,
            "kasa_smart_plug": SMART_PLUG_OPTIONS,
            "tapo_camera": CAMERA_OPTIONS,
            "battery_camera": CAMERA_OPTIONS,
            "kasa_spot_camera": KASA_SPOT_OPTIONS,
        }.get(kind)
        if allowed is None:
            raise ValueError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
        unknown = set(options) - allowed
        if unknown:
            label = "plug" if kind == "legacy" else kind
            raise ValueError(f"unknown {label} options: {', '.join(sorted(unknown))}")
        if kind == "tapo_plug":
            return await self.add_tapo_plug(**options)
        if kind == "kasa_smart_plug":
            return await self.add_kasa_smart_plug(**options)
        if kind == "tapo_camera":
            return await self.add_tapo_camera(**options)
        if kind == "battery_camera":
            options.setdefault("battery", True)
            return await self.add_tapo_camera(**options)
        if kind == "kasa_spot_camera":
            return await self.add_kasa_spot_camera(**options)
        return await self.add_plug(**options)

    async def remove(self, device: SimulatedDevice | str) -> None:
        """Stop a device and forget it."""
        if isinstance(device, str):
            device = self.get(device)
        self._devices.remove(device)
        await device.stop()
