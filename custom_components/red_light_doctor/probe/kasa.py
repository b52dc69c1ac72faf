"""Probe for Kasa devices on the legacy local protocol, through python-kasa."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, replace
import ipaddress
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
from .errors import failure_of_os_error, is_unreachable
from .kasa_spot import kasa_spot_sysinfo
from .replies import (
    BATTERY_PERCENT,
    RSSI_DBM,
    SIGNAL_LEVEL,
    mac_address,
    name,
    reading,
    switch_state,
    whole_number,
)

# One request per poll: proof of life, relay, signal, on-time and cloud state.
POLL_REQUEST: dict[str, Any] = {
    "system": {"get_sysinfo": {}},
    "cnCloud": {"get_info": {}},
}
# The same for devices on the SMART protocol (Tapo, newer Kasa), as one
# multipleRequest written out: python-kasa would batch the two methods itself,
# but 0.12.0 stops batching for good after one timeout inside a batch, which
# would make every later poll two round trips.
SMART_POLL_METHODS = ("get_device_info", "get_connect_cloud_state")
SMART_POLL_REQUEST: dict[str, Any] = {
    "multipleRequest": {
        "requests": [{"method": method} for method in SMART_POLL_METHODS]
    }
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
# Failures a second try on a fresh connection would only repeat.
NOT_WORTH_REPEATING = frozenset({Failure.TIMEOUT, Failure.REFUSED, *LOGIN_FAILURES})
# Round trips a poll needs when it has to open a session first, each of which
# python-kasa gives DEVICE_TIMEOUT: the legacy protocol asks at once; KLAP
# logs in with two handshakes first; a camera's login tries the e-mail, then
# "admin" in two steps.
LEGACY_ROUND_TRIPS = 1
KLAP_ROUND_TRIPS = 3
CAMERA_ROUND_TRIPS = 4
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


class BadIdentity(ProbeError):
    """A device answered, but did not say who it is: a MAC address, a model, a name.

    To whoever asks only how the device failed, a PROTOCOL failure.
    """

    def __init__(self) -> None:
        """Fail as a reply that cannot be read."""
        super().__init__(Failure.PROTOCOL)


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
        self._round_trips = (
            CAMERA_ROUND_TRIPS
            if self.camera
            else KLAP_ROUND_TRIPS
            if self.smart
            else LEGACY_ROUND_TRIPS
        )
        self._closed = False
        self._talks: set[asyncio.Task[Any]] = set()

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
        """Return who answers at the address, or raise ProbeError.

        Raises UnsupportedDevice for a Kasa device that is not a plug.
        """
        sysinfo = _section(await self._query(), "system", "get_sysinfo")
        identity = _identity_from_sysinfo(self.host, sysinfo)
        if _device_type(sysinfo) not in SUPPORTED_TYPES:
            raise UnsupportedDevice(identity.model)
        return identity

    async def restart(self) -> None:
        """Ask the device to reboot, or raise ProbeError."""
        await self._while_open(self._restart())

    async def _restart(self) -> None:
        try:
            async with asyncio.timeout(self._budget()):
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
            return await self._while_open(self._check_firmware())
        except ProbeError:
            return None

    async def _check_firmware(self) -> FirmwareInfo | None:
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
            return await self._while_open(self._install_firmware())
        except ProbeError:
            return False

    async def _install_firmware(self) -> bool:
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
        """Stop talking to the device; close what python-kasa keeps open.

        Talk still in flight is cancelled first: python-kasa opens a new
        session on demand, which nothing would close after this.
        """
        self._closed = True
        talks = list(self._talks)
        for talk in talks:
            talk.cancel()
        await asyncio.gather(*talks, return_exceptions=True)
        await self._protocol.close()

    async def _while_open[T](self, work: Coroutine[Any, Any, T]) -> T:
        """Run talk with the device as a task that close() cancels.

        A closed probe sends nothing: raises ProbeError instead.
        """
        if self._closed:
            work.close()
            raise ProbeError(Failure.UNREACHABLE)
        talk = asyncio.create_task(work)
        self._talks.add(talk)
        try:
            return await talk
        except asyncio.CancelledError:
            # Cancelled by close(), not by whoever awaits us: that is no
            # reason to cancel them.
            if _cancelling() or not self._closed:
                raise
            raise ProbeError(Failure.UNREACHABLE) from None
        finally:
            self._talks.discard(talk)

    def _budget(self) -> float:
        """Return how long one attempt may take: the round trips of a new session.

        A silent device is still declared silent after python-kasa's own
        timeout of its first round trip, not after the whole budget.
        """
        return max(PROBE_TIMEOUT, DEVICE_TIMEOUT * self._round_trips)

    async def _query(self) -> dict[str, Any]:
        return await self._while_open(self._ask())

    async def _ask(self) -> dict[str, Any]:
        try:
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
        # whether the device is really gone.
        try:
            return await self._attempt()
        except KasaException as err:
            if classify(err) in NOT_WORTH_REPEATING:
                raise
        return await self._attempt()

    async def _attempt(self) -> dict[str, Any]:
        async with asyncio.timeout(self._budget()):
            return await self._protocol.query(self._request, retry_count=0)


def _cancelling() -> bool:
    """Return whether the running task is being cancelled."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


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
        if isinstance(cause, OSError) and is_unreachable(cause):
            return Failure.UNREACHABLE
        cause = cause.__cause__
    return Failure.PROTOCOL


def _observation_from(response: dict[str, Any], host: str) -> Observation:
    sysinfo = _section(response, "system", "get_sysinfo")
    return Observation(
        at=dt_util.utcnow(),
        reachable=True,
        address=host,
        rssi=reading(sysinfo.get("rssi"), RSSI_DBM),
        relay_on=switch_state(sysinfo.get("relay_state")),
        relay_on_time=whole_number(sysinfo.get("on_time")),
        cloud_connected=_legacy_cloud(_part(response, "cnCloud", "get_info")),
    )


def _legacy_cloud(cloud: dict[str, Any]) -> bool | None:
    # A plug bound to no account answers its cloud query with an error.
    if cloud.get("err_code"):
        return None
    return switch_state(cloud.get("cld_connection"))


def _smart_observation_from(response: dict[str, Any], host: str) -> Observation:
    results = _results_by_method(response)
    info = _section(results, "get_device_info")
    return Observation(
        at=dt_util.utcnow(),
        reachable=True,
        address=host,
        rssi=reading(info.get("rssi"), RSSI_DBM),
        relay_on=switch_state(info.get("device_on")),
        relay_on_time=whole_number(info.get("on_time")),
        cloud_connected=_smart_cloud(_part(results, "get_connect_cloud_state")),
        overheated=_overheated(info),
    )


def _results_by_method(response: dict[str, Any]) -> dict[str, Any]:
    """Return each method's result from a multipleRequest reply.

    A method the device answered with an error is left out.
    """
    replies = _part(response, "multipleRequest").get("responses")
    if not isinstance(replies, list):
        raise ProbeError(Failure.PROTOCOL)
    return {
        reply["method"]: reply.get("result")
        for reply in replies
        if isinstance(reply, dict)
        and isinstance(reply.get("method"), str)
        and reply.get("error_code") == 0
    }


def _smart_cloud(cloud: dict[str, Any]) -> bool | None:
    status = whole_number(cloud.get("status"))
    return None if status is None else status == 0


def _overheated(info: dict[str, Any]) -> bool:
    # P110 plugs say it with a flag, KP125M ones with a status.
    status = info.get("overheat_status", "normal")
    return info.get("overheated") is True or (
        isinstance(status, str) and status != "normal"
    )


def _camera_observation_from(response: dict[str, Any], host: str) -> Observation:
    info = _section(response, "getDeviceInfo", "device_info", "basic_info")
    connection = _part(response, "getConnectionType")
    return Observation(
        at=dt_util.utcnow(),
        reachable=True,
        address=host,
        rssi=reading(connection.get("rssiValue"), RSSI_DBM),
        signal_level=reading(connection.get("rssi"), SIGNAL_LEVEL),
        battery_percent=reading(info.get("battery_percent"), BATTERY_PERCENT),
        battery_low=switch_state(info.get("low_battery")),
    )


def _section(reply: object, *path: str) -> dict[str, Any]:
    """Return the object at a path of keys in a reply, which a device must send."""
    if not isinstance(part := _at(reply, path), dict):
        raise ProbeError(Failure.PROTOCOL)
    return part


def _part(reply: object, *path: str) -> dict[str, Any]:
    """Return the object at a path of keys in a reply; empty if there is none."""
    part = _at(reply, path)
    return part if isinstance(part, dict) else {}


def _at(reply: object, path: tuple[str, ...]) -> object:
    for key in path:
        reply = reply.get(key) if isinstance(reply, dict) else None
    return reply


def identity_from(
    host: str,
    *,
    mac: object,
    alias: object,
    model: object,
    connection: dict[str, Any] | None = None,
    credentials_hash: str | None = None,
    family: Family = Family.PLUG,
) -> KasaIdentity:
    """Return who a device says it is; raise BadIdentity unless it says so properly.

    Its MAC address becomes an entry's unique id, its alias (or model) the
    entry's title: a device that reports anything else there cannot be told
    apart from others, nor named.
    """
    valid_mac = mac_address(mac)
    # Without the region suffix, as python-kasa names models.
    short_model = (name(model) or "").split("(", maxsplit=1)[0].strip()
    if valid_mac is None or not short_model:
        raise BadIdentity
    if alias is not None and not isinstance(alias, str):
        raise BadIdentity
    return KasaIdentity(
        host=host,
        mac=valid_mac,
        alias=name(alias) or short_model,
        model=short_model,
        connection=connection,
        credentials_hash=credentials_hash,
        family=family,
    )


def _identity_from_sysinfo(host: str, sysinfo: dict[str, Any]) -> KasaIdentity:
    """Return who a legacy device is from its system info, or raise BadIdentity."""
    if name(_device_type(sysinfo)) is None:
        raise BadIdentity
    return identity_from(
        host,
        mac=sysinfo.get("mac") or sysinfo.get("mic_mac"),
        alias=sysinfo.get("alias"),
        model=sysinfo.get("model"),
    )


def _device_type(sysinfo: dict[str, Any]) -> object:
    return sysinfo.get("type") or sysinfo.get("mic_type")


def _identity_from_device(host: str, device: Device, **known: Any) -> KasaIdentity:
    """Return who a python-kasa device says it is, or raise BadIdentity."""
    try:
        # python-kasa computes these from the device's replies, and fails in
        # its own ways on nonsense there (a MAC that is not hex, a model that
        # is not text).
        mac, alias, model = device.mac, device.alias, device.model
    except (KasaException, LookupError, AttributeError, TypeError, ValueError) as err:
        raise BadIdentity from err
    return identity_from(host, mac=mac, alias=alias, model=model, **known)


def _family_of(connection: dict[str, Any] | None) -> DeviceFamily | None:
    if connection is None:
        return None
    try:
        return DeviceFamily(connection["connection_type"]["device_family"])
    except (KeyError, TypeError, ValueError):
        return None


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
    screen = DiscoveryScreen()
    results = await asyncio.gather(
        *(
            Discover.discover(
                target=target,
                discovery_timeout=DISCOVERY_TIMEOUT,
                on_discovered_raw=screen,
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
    found |= {identity.mac: identity for identity in screen.cameras.values()}
    return sorted(found.values(), key=lambda identity: identity.alias.lower())


class DiscoveryScreen:
    """Reads every raw discovery reply before python-kasa makes a device of it.

    It keeps the Kasa Spot cameras, which python-kasa turns away as devices,
    and drops each reply that does not name its device properly (a MAC
    address, and a model, type and name that are text): python-kasa fails on
    some of those inside its datagram handler, and on others when asked for
    the MAC. One such device must cost no more than its own reply.

    A reply is dropped by emptying it, which makes python-kasa give it up as
    unreadable, as every version handles; a Kasa Spot camera's reply, kept,
    is emptied too (0.10.2 otherwise fails on it in the event loop).
    """

    def __init__(self) -> None:
        """Start with no reply seen."""
        self.cameras: dict[str, KasaIdentity] = {}
        self.dropped: set[str] = set()

    def __call__(self, raw: DiscoveredRaw) -> None:
        """Read one raw discovery reply; never raises, whatever it holds."""
        host = raw["meta"]["ip"]
        # Typed as a dict, but it is whatever JSON the device sent.
        reply: object = raw["discovery_response"]
        if not isinstance(reply, dict):
            # Nothing to empty; python-kasa gives up on it by itself, in its
            # own ways.
            return
        if (camera := _kasa_spot_identity(host, reply)) is not None:
            self.cameras[host] = camera
            reply.clear()
        elif not _names_its_device(host, reply):
            self.dropped.add(host)
            reply.clear()


def _kasa_spot_identity(host: str, reply: dict[str, Any]) -> KasaIdentity | None:
    if (sysinfo := kasa_spot_sysinfo(reply)) is None:
        return None
    try:
        return identity_from(
            host,
            mac=sysinfo.get("mac"),
            alias=sysinfo.get("alias"),
            model=sysinfo.get("model"),
            family=Family.KASA_CAMERA,
        )
    except BadIdentity:
        return None


# Further fields python-kasa reads as text while it makes a legacy device of
# a discovery reply.
LEGACY_TEXT_FIELDS = ("dev_name", "feature")


def _names_its_device(host: str, reply: dict[str, Any]) -> bool:
    """Return whether a discovery reply names its device in a form we can keep."""
    if "result" in reply:  # UDP 20002, the SMART devices
        result = _part(reply, "result")
        return (
            mac_address(result.get("mac")) is not None
            and name(result.get("device_model")) is not None
            and name(result.get("device_type")) is not None
        )
    sysinfo = _part(reply, "system", "get_sysinfo")
    try:
        _identity_from_sysinfo(host, sysinfo)
    except BadIdentity:
        return False
    return all(
        field not in sysinfo or name(sysinfo[field]) is not None
        for field in LEGACY_TEXT_FIELDS
    )


def _identity_of(host: str, device: Device) -> KasaIdentity | None:
    """Return a discovered device we can watch; None for any other."""
    try:
        return _watchable_identity(host, device)
    except BadIdentity:
        return None


def _watchable_identity(host: str, device: Device) -> KasaIdentity | None:
    connection_type = device.config.connection_type
    if connection_type.encryption_type is DeviceEncryptionType.Xor:
        if device.device_type not in SUPPORTED_DEVICE_TYPES:
            return None
        return _identity_from_device(host, device)
    if connection_type.device_family not in SMART_PLUG_FAMILIES | CAMERA_FAMILIES:
        return None
    # Its name is only known after a login; discovery tells the model.
    return _identity_from_device(
        host,
        device,
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
    BadIdentity for a device whose reply does not say who it is, and
    UnsupportedDeviceError for a device whose login python-kasa cannot do.
    """
    if not discoverable(host):
        return None
    screen = DiscoveryScreen()
    try:
        device = await Discover.discover_single(
            host,
            discovery_timeout=DISCOVERY_TIMEOUT,
            timeout=DEVICE_TIMEOUT,
            on_discovered_raw=screen,
        )
    except UnsupportedDeviceError:
        # python-kasa says so of the SMART reply the screen emptied, too.
        if not screen.dropped:
            raise
        device = None
    except (KasaException, TimeoutError):
        device = None
    if screen.cameras:
        return next(iter(screen.cameras.values()))
    if screen.dropped:
        # The only reply there, emptied: python-kasa made no device of it.
        raise BadIdentity
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
    if not discoverable(host):
        return False
    screen = DiscoveryScreen()
    try:
        device = await Discover.discover_single(
            host,
            discovery_timeout=DISCOVERY_TIMEOUT,
            timeout=DEVICE_TIMEOUT,
            on_discovered_raw=screen,
        )
    except UnsupportedDeviceError:
        return not screen.dropped
    except (KasaException, TimeoutError):
        return False
    if device is not None:
        await device.disconnect()
    return False


def discoverable(host: str) -> bool:
    """Return whether python-kasa's discovery can ask a host at all.

    It sends from an IPv4 socket: for an IPv6 address it logs an error for
    every datagram it fails to send (nine on 0.12.0), then times out.
    """
    try:
        return ipaddress.ip_address(host).version == 4
    except ValueError:
        # A name, which python-kasa resolves to an IPv4 address.
        return True


async def async_login(identity: KasaIdentity, credentials: Credentials) -> KasaIdentity:
    """Log in to a device with an account; return it named, with the login hash.

    Raises ProbeError saying why the login failed, or BadIdentity for a
    device that does not name itself properly.
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
        return _identity_from_device(
            identity.host,
            device,
            connection=stored_connection(device.config),
            credentials_hash=device.credentials_hash,
            family=identity.family,
        )
    finally:
        await device.disconnect()
