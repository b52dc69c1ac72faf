"""Probe for a device another integration owns: read from its entities, never polled.

Everything here comes from Home Assistant's registries and state machine, so
a look costs no network traffic; the coordinator looks again whenever one of
the device's entities changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_UNIT_OF_MEASUREMENT,
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant, State, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import TemperatureConverter

from ..compat import (
    BinarySensorDeviceClass,
    device_by_id,
    devices_with_connection,
    maker_and_model,
    owning_entry_ids,
    parent_device_id,
)
from ..const import DOMAIN
from ..diagnosis import Family
from ..observation import Failure, Observation, Reading

BLINK_DOMAIN = "blink"
TPLINK_DOMAIN = "tplink"
# A device reporting more than this is past what any of these devices is
# rated for; they cut out on their own well before.
OVERHEAT_CELSIUS = 70.0
# Words in an entity's translation key or unique id that say what it reads.
DECIBEL_UNITS = (SIGNAL_STRENGTH_DECIBELS_MILLIWATT, SIGNAL_STRENGTH_DECIBELS)
RESTART_COUNTER_WORDS = ("on_since", "uptime", "boot", "last_restart")
OVERHEAT_WORDS = ("overheat", "overload", "over_temperature")
CLOUD_WORDS = ("cloud",)
# Home Assistant 2026.11's sensor device class for the moment a device last
# started (Shelly, WLED, ESPHome, Matter); the string, as 2025.4 lacks the enum.
UPTIME_DEVICE_CLASS = "uptime"
POINT_IN_TIME_DEVICE_CLASSES = frozenset(
    {SensorDeviceClass.TIMESTAMP, UPTIME_DEVICE_CLASS}
)
SECONDS_PER_UNIT: dict[str, int] = {
    UnitOfTime.SECONDS: 1,
    UnitOfTime.MINUTES: 60,
    UnitOfTime.HOURS: 3600,
    UnitOfTime.DAYS: 86400,
}


@dataclass(frozen=True, slots=True)
class Reader:
    """One entity of the watched device, and what it tells."""

    entity_id: str
    domain: str
    device_class: str | None
    # The translation key and unique id, lower case, to match words against.
    words: str
    # The device's main function (a plug's relay), not a setting or a feature.
    primary: bool


class WatchedDeviceProbe:
    """Builds observations of a device from the entities its integration made."""

    def __init__(self, hass: HomeAssistant, device_id: str) -> None:
        """Remember the device; its entities are looked up on every look."""
        self.hass = hass
        self.device_id = device_id
        self.host: str | None = None
        self._hub_id: str | None = None

    @property
    def readings(self) -> frozenset[Reading]:
        """Return what the device's entities can tell besides availability."""
        readers = self._readers()
        found: set[Reading] = set()
        if any(_is_signal(reader) for reader in readers):
            found.add(Reading.SIGNAL)
        if any(_is_relay(reader) for reader in readers):
            found.add(Reading.POWER)
        if any(_is_restart_counter(reader) for reader in readers):
            found.add(Reading.RESTARTS)
        return frozenset(found)

    @property
    def device(self) -> dr.DeviceEntry | None:
        """Return the watched device, or None once its integration let it go.

        Our own entities keep a device in the registry after its integration
        removed it, so a device only we still hold counts as removed.
        """
        device = device_by_id(self.hass, self.device_id)
        if device is None or not owned_by_others(self.hass, device):
            return None
        return device

    @callback
    def entity_ids(self) -> list[str]:
        """Return the entities whose changes call for another look."""
        watched = [reader.entity_id for reader in self._readers()]
        for hub in self._hubs():
            watched += [reader.entity_id for reader in _readers_of(self.hass, hub.id)]
        return watched

    async def poll(self) -> Observation:
        """Return what the device's entities show now."""
        return self.look()

    @callback
    def look(self) -> Observation:
        """Return what the device's entities show now, without waiting."""
        now = dt_util.utcnow()
        if self.device is None:
            return Observation.failed(now, Failure.REMOVED, "")
        hub = self._hub_state()
        states = [
            (reader, state)
            for reader in self._readers()
            if (state := self.hass.states.get(reader.entity_id)) is not None
        ]
        if all(state.state == STATE_UNAVAILABLE for _, state in states):
            # No entity, or none with a value: its integration lost it.
            silent = Observation.failed(now, Failure.UNAVAILABLE, "")
            return silent if hub is None else _with_hub(silent, hub)
        observation = Observation(
            at=now,
            reachable=True,
            rssi=_first(states, _signal_dbm),
            signal_level=_first(states, _signal_level),
            battery_percent=_first(states, _battery_percent),
            battery_low=_first(states, _battery_low),
            relay_on=_first(states, _switch_on),
            cloud_connected=_first(states, _cloud_connected),
            overheated=_overheated(states),
            update_available=_first(states, _update_pending),
            firmware=_first(states, _installed_version),
            latest_firmware=_first(states, _latest_version),
        )
        seconds = _first(states, lambda r, s: _seconds_since(r, s, now))
        # An "on since" of a switched device restarts with the relay as well.
        if observation.relay_on is not None:
            observation = replace(observation, relay_on_time=seconds)
        else:
            observation = replace(observation, uptime=seconds)
        return observation if hub is None else _with_hub(observation, hub)

    async def close(self) -> None:
        """Nothing is held open."""

    @callback
    def _readers(self) -> list[Reader]:
        return _readers_of(self.hass, self.device_id)

    @callback
    def _hubs(self) -> list[dr.DeviceEntry]:
        """Return the hub the device reaches the network through, if known.

        Blink registers a camera's sync module as a device of the same
        account, not as the camera's parent; the two are linked only by name
        (the camera's ``sync_module`` attribute, the panel's ``associated_cameras``),
        and those attributes vanish while unavailable, so the last match is kept.
        """
        device = self.device
        if device is None:
            return []
        registry = dr.async_get(self.hass)
        parent = device_by_id(self.hass, parent_device_id(device) or "")
        if parent is not None:
            return [parent]
        if detect_family(self.hass, device) is not Family.BLINK_CAMERA:
            return []
        sync_modules = [
            other
            for entry_id in owning_entry_ids(device)
            for other in dr.async_entries_for_config_entry(registry, entry_id)
            if other.id != device.id and is_blink_sync_module(self.hass, other)
        ]
        serving = [
            module
            for module in sync_modules
            if _serves(self.hass, module, device, self._readers())
        ]
        if len(serving) == 1:
            self._hub_id = serving[0].id
        elif len(sync_modules) == 1:
            self._hub_id = sync_modules[0].id
        remembered = device_by_id(self.hass, self._hub_id or "")
        return [] if remembered is None else [remembered]

    @callback
    def _hub_state(self) -> tuple[str, bool] | None:
        """Return the hub's name and whether any of its entities has a value."""
        hubs = self._hubs()
        if not hubs:
            return None
        hub = hubs[0]
        states = [
            state
            for reader in _readers_of(self.hass, hub.id)
            if (state := self.hass.states.get(reader.entity_id)) is not None
        ]
        online = any(state.state != STATE_UNAVAILABLE for state in states)
        return hub.name_by_user or hub.name or "", online


def _readers_of(hass: HomeAssistant, device_id: str) -> list[Reader]:
    """Return the enabled entities of a device that are not ours."""
    return [
        Reader(
            entity_id=entry.entity_id,
            domain=entry.domain,
            device_class=entry.device_class or entry.original_device_class,
            words=f"{entry.translation_key or ''} {entry.unique_id}".lower(),
            primary=entry.entity_category is None and entry.translation_key is None,
        )
        for entry in er.async_entries_for_device(er.async_get(hass), device_id)
        if entry.platform != DOMAIN and not entry.disabled
    ]


def _serves(
    hass: HomeAssistant,
    sync_module: dr.DeviceEntry,
    camera: dr.DeviceEntry,
    camera_readers: list[Reader],
) -> bool:
    """Return whether a Blink sync module and a camera name each other."""
    panels = [
        state
        for reader in _readers_of(hass, sync_module.id)
        if reader.domain == Platform.ALARM_CONTROL_PANEL
        and (state := hass.states.get(reader.entity_id)) is not None
    ]
    if any(
        camera.name in state.attributes.get("associated_cameras", ())
        for state in panels
    ):
        return True
    module_names = {state.attributes.get("name") for state in panels}
    return any(
        state.attributes.get("sync_module") in module_names - {None}
        for reader in camera_readers
        if reader.domain == Platform.CAMERA
        and (state := hass.states.get(reader.entity_id)) is not None
    )


def owning_domains(hass: HomeAssistant, device: dr.DeviceEntry) -> set[str]:
    """Return the integrations that bring a device to Home Assistant."""
    return {
        entry.domain
        for entry_id in owning_entry_ids(device)
        if (entry := hass.config_entries.async_get_entry(entry_id)) is not None
    }


def owned_by_others(hass: HomeAssistant, device: dr.DeviceEntry) -> bool:
    """Return whether another integration brings this device to Home Assistant."""
    return bool(owning_domains(hass, device) - {DOMAIN})


def tplink_device_with_mac(hass: HomeAssistant, mac: str) -> dr.DeviceEntry | None:
    """Return the core TP-Link integration's device for a MAC, if it has one."""
    connection = (dr.CONNECTION_NETWORK_MAC, dr.format_mac(mac))
    return next(
        (
            device
            for device in devices_with_connection(hass, connection)
            if TPLINK_DOMAIN in owning_domains(hass, device)
        ),
        None,
    )


def is_blink_sync_module(hass: HomeAssistant, device: dr.DeviceEntry) -> bool:
    """Return whether a Blink device is a sync module: it arms, it does not film."""
    domains = {reader.domain for reader in _readers_of(hass, device.id)}
    return Platform.ALARM_CONTROL_PANEL in domains and Platform.CAMERA not in domains


def detect_family(hass: HomeAssistant, device: dr.DeviceEntry) -> Family:
    """Return the family of a device from its integration, maker, model and entities."""
    domains = owning_domains(hass, device)
    readers = _readers_of(hass, device.id)
    platforms = {reader.domain for reader in readers}
    maker, model = maker_and_model(hass, device)
    maker, model = maker.lower(), model.upper()
    if BLINK_DOMAIN in domains or maker == "blink":
        return Family.BLINK_CAMERA if Platform.CAMERA in platforms else Family.OTHER
    if TPLINK_DOMAIN in domains or maker in {"tp-link", "tplink"}:
        if model.startswith(("KC", "EC")):
            return Family.KASA_CAMERA
        if model.startswith("C") or Platform.CAMERA in platforms:
            return Family.TAPO_CAMERA
    if Platform.CAMERA not in platforms and any(map(_is_relay, readers)):
        return Family.PLUG
    return Family.OTHER


def _first[T](
    states: Iterable[tuple[Reader, State]],
    read: Callable[[Reader, State], T | None],
) -> T | None:
    """Return the first value an entity gives, skipping those without a value."""
    for reader, state in states:
        if state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            continue
        if (value := read(reader, state)) is not None:
            return value
    return None


def _number(state: State) -> float | None:
    try:
        return float(state.state)
    except ValueError:
        return None


def _unit(state: State) -> str | None:
    unit = state.attributes.get(ATTR_UNIT_OF_MEASUREMENT)
    return unit if isinstance(unit, str) else None


def _is_signal(reader: Reader) -> bool:
    return reader.domain == Platform.SENSOR and (
        reader.device_class == SensorDeviceClass.SIGNAL_STRENGTH
        or "signal_level" in reader.words
    )


def _signal_dbm(reader: Reader, state: State) -> int | None:
    if reader.domain != Platform.SENSOR or reader.device_class != (
        SensorDeviceClass.SIGNAL_STRENGTH
    ):
        return None
    if _unit(state) not in DECIBEL_UNITS:
        return None
    value = _number(state)
    return None if value is None else round(value)


def _signal_level(reader: Reader, state: State) -> int | None:
    """Return a 0-3 level, from a level sensor or a signal percentage."""
    if reader.domain != Platform.SENSOR:
        return None
    value = _number(state)
    if value is None:
        return None
    if _unit(state) == PERCENTAGE and reader.device_class in (
        SensorDeviceClass.SIGNAL_STRENGTH,
        None,
    ):
        if reader.device_class is None and "signal" not in reader.words:
            return None
        return min(3, int(value // 25))
    if "signal_level" in reader.words and 0 <= value <= 3:
        return int(value)
    return None


def _battery_percent(reader: Reader, state: State) -> int | None:
    if reader.domain != Platform.SENSOR or reader.device_class != (
        SensorDeviceClass.BATTERY
    ):
        return None
    value = _number(state)
    return None if value is None else round(value)


def _battery_low(reader: Reader, state: State) -> bool | None:
    if reader.domain != Platform.BINARY_SENSOR or reader.device_class != (
        BinarySensorDeviceClass.BATTERY
    ):
        return None
    return _on(state)


def _is_relay(reader: Reader) -> bool:
    return reader.domain == Platform.SWITCH and reader.primary


def _switch_on(reader: Reader, state: State) -> bool | None:
    return _on(state) if _is_relay(reader) else None


def _cloud_connected(reader: Reader, state: State) -> bool | None:
    if reader.domain != Platform.BINARY_SENSOR or reader.device_class != (
        BinarySensorDeviceClass.CONNECTIVITY
    ):
        return None
    if not any(word in reader.words for word in CLOUD_WORDS):
        return None
    return _on(state)


def _overheated(states: list[tuple[Reader, State]]) -> bool | None:
    """Return whether a problem sensor says overheated, or it reads too hot."""
    flags = [
        flag
        for reader, state in states
        if reader.domain == Platform.BINARY_SENSOR
        and (
            reader.device_class == BinarySensorDeviceClass.HEAT
            or any(word in reader.words for word in OVERHEAT_WORDS)
        )
        and (flag := _on(state)) is not None
    ]
    celsius = _first(states, _temperature_celsius)
    if celsius is not None and celsius >= OVERHEAT_CELSIUS:
        return True
    if flags:
        return any(flags)
    return None if celsius is None else False


def _temperature_celsius(reader: Reader, state: State) -> float | None:
    if reader.domain != Platform.SENSOR or reader.device_class != (
        SensorDeviceClass.TEMPERATURE
    ):
        return None
    value = _number(state)
    unit = _unit(state)
    if value is None or unit not in TemperatureConverter.VALID_UNITS:
        return None
    return TemperatureConverter.convert(value, unit, UnitOfTemperature.CELSIUS)


def _update_pending(reader: Reader, state: State) -> bool | None:
    return _on(state) if reader.domain == Platform.UPDATE else None


def _installed_version(reader: Reader, state: State) -> str | None:
    if reader.domain != Platform.UPDATE:
        return None
    version = state.attributes.get("installed_version")
    return None if version is None else str(version)


def _latest_version(reader: Reader, state: State) -> str | None:
    if reader.domain != Platform.UPDATE:
        return None
    version = state.attributes.get("latest_version")
    return None if version is None else str(version)


def _is_restart_counter(reader: Reader) -> bool:
    return reader.domain == Platform.SENSOR and (
        reader.device_class == UPTIME_DEVICE_CLASS
        or any(word in reader.words for word in RESTART_COUNTER_WORDS)
    )


def _seconds_since(reader: Reader, state: State, now: datetime) -> int | None:
    """Return how long the device has run, from an "on since" or uptime sensor."""
    if not _is_restart_counter(reader):
        return None
    if (
        state.attributes.get(ATTR_DEVICE_CLASS) in POINT_IN_TIME_DEVICE_CLASSES
        or reader.device_class in POINT_IN_TIME_DEVICE_CLASSES
    ):
        since = dt_util.parse_datetime(state.state)
        return None if since is None else int((now - since).total_seconds())
    value = _number(state)
    if value is None:
        return None
    factor = SECONDS_PER_UNIT.get(_unit(state) or UnitOfTime.SECONDS)
    return None if factor is None else int(value * factor)


def _on(state: State) -> bool | None:
    return {STATE_ON: True, STATE_OFF: False}.get(state.state)


def _with_hub(observation: Observation, hub: tuple[str, bool]) -> Observation:
    name, online = hub
    return replace(observation, hub=name, hub_online=online)
