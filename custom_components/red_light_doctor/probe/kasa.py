"""Probe for Kasa devices on the legacy local protocol, through python-kasa."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
import time
from typing import Any

from homeassistant.components import network
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import format_mac
from homeassistant.util import dt as dt_util
from kasa import (
    AuthenticationError,
    Credentials,
    Device,
    DeviceConfig,
    DeviceConnectionParameters,
    DeviceEncryptionType,
    DeviceFamily,
    DeviceType,
    Discover,
    KasaException,
    Module,
    UnsupportedDeviceError,
)
from kasa.device_factory import get_protocol
from kasa.discover import DiscoveredRaw
from kasa.iot import IotPlug
from kasa.protocols import BaseProtocol
from kasa.smart import SmartDevice
from kasa.smartcam import SmartCamDevice

from ..const import (
    DEVICE_TIMEOUT,
    DISCOVERY_TIMEOUT,
    FIRMWARE_INSTALL_TIMEOUT,
    PROBE_TIMEOUT,
)
from ..diagnosis import Family
from ..observation import Failure, Observation, Reading
from .errors import UNREACHABLE_ERRNOS, failure_of_os_error
from .kasa_spot import kasa_spot_sysinfo

# One request per poll: proof of life, relay, signal, on-time and cloud state.
POLL_REQUEST: dict[str, Any] = {
    "system": {"get_sysinfo": {}},
    "cnCloud": {"get_info": {}},
}
# The same for devices on the SMART protocol (Tapo, newer Kasa): python-kasa
# sends both methods in one multipleRequest.
SMART_POLL_REQUEST: dict[str, Any] = {
    "get_device_info": None,
    "get_connect_cloud_state": None,
}
# The same for Tapo cameras (SMARTCAM over SSL-AES): battery and firmware in
# the basic device info, signal from the connection type.
CAMERA_POLL_REQUEST: dict[str, Any] = {
    "getDeviceInfo": {"device_info": {"name": ["basic_info"]}},
    "getConnectionType": {"network": {"get_connection_type": {}}},
}
CAMERA_FAMILIES = frozenset({DeviceFamily.SmartIpCamera})
SMART_PLUG_FAMILIES = frozenset(
    {
        DeviceFamily.SmartKasaPlug,
        DeviceFamily.SmartKasaSwitch,
        DeviceFamily.SmartTapoPlug,
        DeviceFamily.SmartTapoSwitch,
    }
)
PLUG_READINGS = frozenset(
    {Reading.SIGNAL, Reading.POWER, Reading.RESTARTS, Reading.RESPONSE_TIME}
)
CAMERA_READINGS = frozenset({Reading.SIGNAL, Reading.RESPONSE_TIME})
LOGIN_FAILURES = frozenset({Failure.AUTH, Failure.HANDSHAKE_REJECTED})
SUPPORTED_TYPES = frozenset({"IOT.SMARTPLUGSWITCH"})
SUPPORTED_DEVICE_TYPES = frozenset(
    {DeviceType.Plug, DeviceType.Strip, DeviceType.WallSwitch}
)
ARP_TABLE = Path("/proc/net/arp")


class ProbeError(Exception):
    """A device could not be identified; `failure` says how it failed."""

    def __init__(self, failure: Failure) -> None:
        """Keep the failure for the caller to word."""
        super().__init__(failure)
        self.failure = failure


class UnsupportedDevice(Exception):
    """A Kasa device answered, but it is not a kind we can diagnose."""

    def __init__(self, model: str) -> None:
        """Keep the model for the caller to name."""
        super().__init__(model)
        self.model = model


@dataclass(frozen=True, slots=True)
class FirmwareInfo:
    """What a device runs, and what its cloud offers."""

    current: str
    latest: str
    available: bool


@dataclass(frozen=True, slots=True)
class KasaIdentity:
    """Who answered at an address."""

    host: str
    mac: str
    alias: str
    model: str
    # How python-kasa connects to a device that needs a login (its stored
    # device configuration, without credentials); None for legacy devices.
    connection: dict[str, Any] | None = None
    credentials_hash: str | None = None
    family: Family = Family.PLUG

    @property
    def needs_login(self) -> bool:
        """Return whether a TP-Link account login is needed to read the device."""
        return self.connection is not None and self.credentials_hash is None


def connection_config(host: str) -> DeviceConfig:
    """Return the python-kasa configuration for a legacy plug at an address."""
    return DeviceConfig(
        host=host,
        timeout=DEVICE_TIMEOUT,
        connection_type=DeviceConnectionParameters(
            DeviceFamily.IotSmartPlugSwitch, DeviceEncryptionType.Xor
        ),
    )


def smart_config(
    host: str,
    connection: dict[str, Any],
    *,
    credentials_hash: str | None = None,
    credentials: Credentials | None = None,
) -> DeviceConfig:
    """Return the python-kasa configuration of a device that needs a login."""
    config = DeviceConfig.from_dict({**connection, "host": host})
    config.timeout = DEVICE_TIMEOUT
    config.credentials_hash = credentials_hash
    config.credentials = credentials
    return config


class KasaProbe:
    """Polls one Kasa or Tapo device with a single request per poll."""

    def __init__(
        self,
        host: str,
        connection: dict[str, Any] | None = None,
        credentials_hash: str | None = None,
    ) -> None:
        """Prepare the connection; nothing is sent until the first poll."""
        self.host = host
        self.smart = connection is not None
        self.camera = _family_of(connection) in CAMERA_FAMILIES
        config = (
            smart_config(host, connection, credentials_hash=credentials_hash)
            if connection is not None
            else connection_config(host)
        )
        protocol = get_protocol(config)
        if protocol is None:  # pragma: no cover - only families we accept
            raise TypeError(f"python-kasa has no protocol for {config}")
        self._protocol: BaseProtocol = protocol
        # Built without a network round trip; the routine poll does not need
        # it, the actions (restart) go through it.
        # Each device class takes its own protocol class, which get_protocol
        # picked from the same configuration.
        device_protocol: Any = protocol
        device_class = (
            SmartCamDevice if self.camera else SmartDevice if self.smart else IotPlug
        )
        self.device: Device = device_class(
            host, config=config, protocol=device_protocol
        )
        self.readings = CAMERA_READINGS if self.camera else PLUG_READINGS
        self._request = (
            CAMERA_POLL_REQUEST
            if self.camera
            else SMART_POLL_REQUEST
            if self.smart
            else POLL_REQUEST
        )

    async def poll(self) -> Observation:
        """Ask the device how it is; a device that does not answer is data."""
        started = time.perf_counter()
        try:
            response = await self._query()
            parse = (
                _camera_observation_from
                if self.camera
                else _smart_observation_from
                if self.smart
                else _observation_from
            )
            observation = parse(response, self.host)
        except ProbeError as err:
            return Observation.failed(dt_util.utcnow(), err.failure, self.host)
        return replace(observation, response_time=time.perf_counter() - started)

    async def identify(self) -> KasaIdentity:
        """Return who answers at the address, or raise ProbeError."""
        response = await self._query()
        try:
            sysinfo = response["system"]["get_sysinfo"]
            identity = KasaIdentity(
                host=self.host,
                mac=str(sysinfo.get("mac") or sysinfo["mic_mac"]),
                alias=str(sysinfo["alias"]),
                # Without the region suffix, as python-kasa names models.
                model=str(sysinfo["model"]).split("(", maxsplit=1)[0],
            )
            device_type = sysinfo.get("type") or sysinfo.get("mic_type")
        except (KeyError, TypeError) as err:
            raise ProbeError(Failure.PROTOCOL) from err
        if device_type not in SUPPORTED_TYPES:
            raise UnsupportedDevice(identity.model)
        return identity

    async def restart(self) -> None:
        """Ask the device to reboot, or raise ProbeError."""
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                await self.device.reboot()
        except TimeoutError as err:
            raise ProbeError(Failure.TIMEOUT) from err
        except KasaException as err:
            raise ProbeError(classify(err)) from err

    async def check_firmware(self) -> FirmwareInfo | None:
        """Ask the device's cloud for newer firmware: a few round trips, rarely.

        None where the device cannot tell (legacy protocol, no cloud, no answer).
        """
        # python-kasa has no firmware module for cameras.
        if not self.smart or self.camera:
            return None
        try:
            async with asyncio.timeout(PROBE_TIMEOUT * 3):
                firmware = await self._firmware_module()
                offered = await firmware.check_latest_firmware()
        except (TimeoutError, KasaException, KeyError):
            return None
        if offered is None:
            return None
        return FirmwareInfo(
            current=firmware.current_firmware,
            latest=offered.version,
            available=offered.update_available,
        )

    async def install_firmware(self) -> bool:
        """Install the offered firmware; return whether the device reported success."""
        try:
            async with asyncio.timeout(FIRMWARE_INSTALL_TIMEOUT):
                firmware = await self._firmware_module()
                await firmware.check_latest_firmware()
                state = await firmware.update()
        except (TimeoutError, KasaException, KeyError):
            return False
        return bool(state.get("status") == 0)

    async def _firmware_module(self) -> Any:
        # The firmware module exists once python-kasa has read the device.
        await self.device.update()
        return self.device.modules[Module.Firmware]

    async def close(self) -> None:
        """Close the connection python-kasa keeps open between polls."""
        await self._protocol.close()

    async def _query(self) -> dict[str, Any]:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                return await self._query_once_more_if_stale()
        except TimeoutError as err:
            raise ProbeError(Failure.TIMEOUT) from err
        except KasaException as err:
            raise ProbeError(classify(err)) from err
        except ValueError as err:
            # A garbled KLAP reply escapes python-kasa as a bare JSON error.
            raise ProbeError(Failure.PROTOCOL) from err

    async def _query_once_more_if_stale(self) -> dict[str, Any]:
        # python-kasa keeps the connection open between polls; after a device
        # reboot the first send on it fails, and one fresh connection settles
        # whether the device is really gone. A timeout is not worth repeating.
        try:
            return await self._protocol.query(self._request, retry_count=0)
        except KasaException as err:
            if classify(err) in (Failure.TIMEOUT, Failure.REFUSED, *LOGIN_FAILURES):
                raise
        return await self._protocol.query(self._request, retry_count=0)


def classify(error: BaseException) -> Failure:
    """Return the kind of failure behind a python-kasa exception."""
    if isinstance(error, AuthenticationError):
        return Failure.AUTH
    # python-kasa raises a plain KasaException for this, told apart by its text.
    if "403 to handshake" in str(error):
        return Failure.HANDSHAKE_REJECTED
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, TimeoutError | ConnectionRefusedError):
            return failure_of_os_error(cause)
        if isinstance(cause, OSError) and cause.errno in UNREACHABLE_ERRNOS:
            return Failure.UNREACHABLE
        cause = cause.__cause__
    return Failure.PROTOCOL


def _observation_from(response: dict[str, Any], host: str) -> Observation:
    try:
        sysinfo = response["system"]["get_sysinfo"]
        relay_state = sysinfo.get("relay_state")
        cloud = response.get("cnCloud", {}).get("get_info", {})
        cloud_connection = (
            cloud.get("cld_connection") if not cloud.get("err_code") else None
        )
        return Observation(
            at=dt_util.utcnow(),
            reachable=True,
            address=host,
            rssi=_optional_int(sysinfo.get("rssi")),
            relay_on=None if relay_state is None else bool(relay_state),
            relay_on_time=_optional_int(sysinfo.get("on_time")),
            cloud_connected=None
            if cloud_connection is None
            else bool(cloud_connection),
        )
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise ProbeError(Failure.PROTOCOL) from err


def _smart_observation_from(response: dict[str, Any], host: str) -> Observation:
    try:
        info = response["get_device_info"]
        cloud = response.get("get_connect_cloud_state")
        cloud_status = cloud.get("status") if isinstance(cloud, dict) else None
        device_on = info.get("device_on")
        return Observation(
            at=dt_util.utcnow(),
            reachable=True,
            address=host,
            rssi=_optional_int(info.get("rssi")),
            relay_on=None if device_on is None else bool(device_on),
            relay_on_time=_optional_int(info.get("on_time")),
            cloud_connected=None if cloud_status is None else cloud_status == 0,
            overheated=info.get("overheated") is True
            or info.get("overheat_status", "normal") != "normal",
        )
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise ProbeError(Failure.PROTOCOL) from err


def _camera_observation_from(response: dict[str, Any], host: str) -> Observation:
    try:
        info = response["getDeviceInfo"]["device_info"]["basic_info"]
        connection = response.get("getConnectionType")
        if not isinstance(connection, dict):
            connection = {}
        low = info.get("low_battery")
        return Observation(
            at=dt_util.utcnow(),
            reachable=True,
            address=host,
            rssi=_optional_int(connection.get("rssiValue")),
            signal_level=_optional_int(connection.get("rssi")),
            battery_percent=_optional_int(info.get("battery_percent")),
            battery_low=None if low is None else bool(low),
        )
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise ProbeError(Failure.PROTOCOL) from err


def _family_of(connection: dict[str, Any] | None) -> DeviceFamily | None:
    if connection is None:
        return None
    try:
        return DeviceFamily(connection["connection_type"]["device_family"])
    except (KeyError, TypeError, ValueError):
        return None


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


async def async_discovery_targets(hass: HomeAssistant) -> list[str]:
    """Return the broadcast address of every network Home Assistant listens on."""
    return sorted(
        str(address)
        for address in await network.async_get_ipv4_broadcast_addresses(hass)
    )


async def async_find(hass: HomeAssistant, mac: str) -> str | None:
    """Return the address a device answers at now, found by its MAC address.

    Broadcast discovery first; for a device that ignores it, the addresses
    the host's ARP table knows for that MAC, each checked by asking it.
    """
    wanted = format_mac(mac)
    for identity in await discover(await async_discovery_targets(hass)):
        if format_mac(identity.mac) == wanted:
            return identity.host
    for host in await hass.async_add_executor_job(arp_addresses, wanted, ARP_TABLE):
        probe = KasaProbe(host)
        try:
            if format_mac((await probe.identify()).mac) == wanted:
                return host
        except (ProbeError, UnsupportedDevice):
            continue
        finally:
            await probe.close()
    return None


def arp_addresses(mac: str, table: Path) -> list[str]:
    """Return the addresses the ARP table holds for a MAC; empty if unreadable."""
    try:
        lines = table.read_text(encoding="ascii").splitlines()[1:]
    except OSError:
        return []
    return [
        fields[0]
        for line in lines
        if len(fields := line.split()) >= 4 and format_mac(fields[3]) == mac
    ]


async def discover(targets: Iterable[str]) -> list[KasaIdentity]:
    """Return the supported Kasa devices that answer a broadcast on any target."""
    found: dict[str, KasaIdentity] = {}
    cameras = KasaSpotCatcher()
    results = await asyncio.gather(
        *(
            Discover.discover(
                target=target,
                discovery_timeout=DISCOVERY_TIMEOUT,
                on_discovered_raw=cameras,
            )
            for target in targets
        ),
        return_exceptions=True,
    )
    for devices in results:
        if isinstance(devices, BaseException):
            continue
        for host, device in devices.items():
            if (identity := _identity_of(host, device)) is not None:
                found[identity.mac] = identity
    found |= {identity.mac: identity for identity in cameras.found.values()}
    return sorted(found.values(), key=lambda identity: identity.alias.lower())


class KasaSpotCatcher:
    """Keeps the Kasa Spot cameras among raw discovery replies.

    python-kasa turns these cameras away as devices, so they are read from
    the raw reply. Emptying that reply afterwards makes python-kasa drop it as
    unreadable, which every version handles; 0.10.2 otherwise fails inside its
    datagram handler with an error that reaches the event loop.
    """

    def __init__(self) -> None:
        """Start with no camera seen."""
        self.found: dict[str, KasaIdentity] = {}

    def __call__(self, raw: DiscoveredRaw) -> None:
        """Read one raw discovery reply."""
        reply = raw["discovery_response"]
        sysinfo = kasa_spot_sysinfo(reply)
        if sysinfo is None:
            return
        host = raw["meta"]["ip"]
        model = str(sysinfo["model"]).split("(", maxsplit=1)[0]
        self.found[host] = KasaIdentity(
            host=host,
            mac=str(sysinfo["mac"]),
            alias=str(sysinfo.get("alias") or model),
            model=model,
            family=Family.KASA_CAMERA,
        )
        reply.clear()


def _identity_of(host: str, device: Device) -> KasaIdentity | None:
    connection_type = device.config.connection_type
    if connection_type.encryption_type is DeviceEncryptionType.Xor:
        if device.device_type not in SUPPORTED_DEVICE_TYPES:
            return None
        return KasaIdentity(
            host=host,
            mac=device.mac,
            alias=device.alias or device.model,
            model=device.model,
        )
    if connection_type.device_family not in SMART_PLUG_FAMILIES | CAMERA_FAMILIES:
        return None
    # Its name is only known after a login; discovery tells the model.
    return KasaIdentity(
        host=host,
        mac=device.mac,
        alias=device.alias or device.model,
        model=device.model,
        connection=stored_connection(device.config),
        family=_diagnosis_family(connection_type.device_family),
    )


def _diagnosis_family(device_family: DeviceFamily) -> Family:
    return Family.TAPO_CAMERA if device_family in CAMERA_FAMILIES else Family.PLUG


def stored_connection(config: DeviceConfig) -> dict[str, Any]:
    """Return how to reach a device again, without its credentials."""
    stored = config.to_dict_control_credentials(exclude_credentials=True)
    stored.pop("host", None)
    return stored


async def async_discover_at(host: str) -> KasaIdentity | None:
    """Return a device that answers discovery at a host but not the legacy port.

    That is a device that needs a login, or a Kasa Spot camera. Raises
    UnsupportedDeviceError for a device whose login python-kasa cannot do.
    """
    cameras = KasaSpotCatcher()
    try:
        device = await Discover.discover_single(
            host,
            discovery_timeout=DISCOVERY_TIMEOUT,
            timeout=DEVICE_TIMEOUT,
            on_discovered_raw=cameras,
        )
    except UnsupportedDeviceError:
        raise
    except (KasaException, TimeoutError):
        device = None
    if cameras.found:
        return next(iter(cameras.found.values()))
    if device is None:
        return None
    try:
        identity = _identity_of(host, device)
    finally:
        await device.disconnect()
    # A legacy device that answers discovery but not its port stays an error.
    return identity if identity is not None and identity.needs_login else None


async def async_asks_for_unsupported_login(host: str) -> bool:
    """Return whether discovery at a host names a login python-kasa cannot do.

    Firmware that moves a device to a newer login protocol (TPAP) says so in
    discovery, while its old port stops answering.
    """
    try:
        device = await Discover.discover_single(
            host, discovery_timeout=DISCOVERY_TIMEOUT, timeout=DEVICE_TIMEOUT
        )
    except UnsupportedDeviceError:
        return True
    except (KasaException, TimeoutError):
        return False
    if device is not None:
        await device.disconnect()
    return False


async def async_login(identity: KasaIdentity, credentials: Credentials) -> KasaIdentity:
    """Log in to a device with an account; return it named, with the login hash.

    Raises ProbeError saying why the login failed.
    """
    assert identity.connection is not None
    config = smart_config(identity.host, identity.connection, credentials=credentials)
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            device = await Device.connect(config=config)
    except TimeoutError as err:
        raise ProbeError(Failure.TIMEOUT) from err
    except KasaException as err:
        raise ProbeError(classify(err)) from err
    try:
        return KasaIdentity(
            host=identity.host,
            mac=device.mac,
            alias=device.alias or device.model,
            model=device.model,
            connection=stored_connection(device.config),
            credentials_hash=device.credentials_hash,
            family=identity.family,
        )
    finally:
        await device.disconnect()
