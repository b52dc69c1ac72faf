"""Other integrations' devices, shaped as Home Assistant 2025.4.4 creates them.

The entity probe reads devices that Blink, TP-Link and other integrations own:
their device registry entries, entity registry entries and states. This module
writes those three the way the real integrations do, without loading them
(their config entries are only added, never set up), so that a test can put a
Blink camera or a Tapo plug in front of the probe in a millisecond.

Every shape here was read from Home Assistant 2025.4.4's sources and checked
against the real integrations: ``tplink`` run against this repository's
simulator (python-kasa 0.10.2 builds the features), ``blink`` run against a
stand-in for blinkpy; ``shelly`` is read from the sources only (aioshelly is
not installed). What each helper creates, and what the real integration
would create besides, is said in its docstring.

The config entries stay ``NOT_LOADED``: the test's Home Assistant unloads
every loaded entry when the test ends, and unloading imports the integration
(Blink's needs blinkpy, which is not installed). A test that needs another
state sets it with ``device.config_entry.mock_state(hass, state)`` and puts
it back before the end.

Roles name the entities of a device: ``device.entities["signal"]`` is the
entity id of its signal strength sensor, whatever Home Assistant called it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
import hashlib
from types import MappingProxyType
from typing import Any, Final

from homeassistant.components.alarm_control_panel.const import (
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
)
from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.components.button import ButtonDeviceClass
from homeassistant.components.camera import CameraEntityFeature
from homeassistant.components.camera.const import CameraState
from homeassistant.components.number import NumberMode
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.components.switch import SwitchDeviceClass
from homeassistant.components.update import UpdateDeviceClass, UpdateEntityFeature
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_ENTITY_PICTURE,
    ATTR_FRIENDLY_NAME,
    ATTR_SUPPORTED_FEATURES,
    ATTR_UNIT_OF_MEASUREMENT,
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import TemperatureConverter
from pytest_homeassistant_custom_component.common import MockConfigEntry

BLINK: Final = "blink"
TPLINK: Final = "tplink"
SHELLY: Final = "shelly"
ESPHOME: Final = "esphome"

# Kasa plugs on the legacy IOT protocol (XOR on port 9999). python-kasa names
# them by their MAC ("AA:BB:..."); everything else is a SMART device with a
# 40-digit hexadecimal device id.
TPLINK_IOT_PLUGS: Final = frozenset(
    {"EP10", "HS100", "HS103", "HS105", "HS110", "KP100", "KP105", "KP115", "KP401"}
)
# Plugs that measure energy (and, on SMART firmware, guard against overload).
TPLINK_ENERGY_PLUGS: Final = frozenset(
    {"EP25", "HS110", "KP115", "KP125M", "P110", "P110M", "P115"}
)
# Tapo cameras: (pan and tilt, detection switches, battery), as python-kasa
# reads them from each model's components (the simulator's profiles).
TAPO_CAMERAS: Final[Mapping[str, tuple[bool, tuple[str, ...], bool]]] = {
    "C200": (True, ("baby_cry_detection",), False),
    "C210": (
        True,
        ("person_detection", "tamper_detection", "baby_cry_detection"),
        False,
    ),
    "C460": (False, ("person_detection",), True),
}
# Firmware and hardware versions python-kasa reports for the simulator's models.
_TPLINK_VERSIONS: Final = {
    "HS100": ("1.5.6 Build 191118 Rel.140307", "2.0"),
    "HS110": ("1.2.5 Build 171213 Rel.101523", "1.0"),
    "P100": ("1.4.0 Build 231031 Rel.180221", "1.0.0"),
    "P110": ("1.3.1 Build 240621 Rel.162048", "1.0"),
    "KP125M": ("1.2.3 Build 240624 Rel.154806", "1.0"),
    "C200": ("1.3.17 Build 260112 Rel.54862n(4555)", "1.0"),
    "C210": ("1.4.3 Build 240708 Rel.56935n", "2.0"),
    "C460": ("1.2.0 Build 250910 Rel.70120n", "1.0"),
}
_TPLINK_DEFAULT_VERSIONS: Final = ("1.0.0 Build 240101 Rel.100000", "1.0")

_DISABLED_BY_INTEGRATION = er.RegistryEntryDisabler.INTEGRATION


@dataclass(frozen=True, kw_only=True)
class ForeignDevice:
    """A device another integration owns, as the registries and states hold it.

    ``entities`` maps a role to an entity id, also for entities the integration
    disables by default (those have a registry entry and no state). ``details``
    holds what a test may need to match the device up: serials, MAC addresses,
    the integration's own device id, the host.
    """

    domain: str
    device_id: str
    name: str
    config_entry: MockConfigEntry
    entities: Mapping[str, str]
    details: Mapping[str, Any] = field(default_factory=dict)
    # What each role's state carries when the entity is available, and the
    # part it keeps when it is not (capabilities, unit, device class, name).
    initial_attributes: Mapping[str, dict[str, Any]] = field(
        default_factory=dict, repr=False
    )
    static_attributes: Mapping[str, Mapping[str, Any]] = field(
        default_factory=dict, repr=False
    )

    def entity_id(self, role: str) -> str:
        """Return the entity id that plays a role, or fail naming the roles."""
        try:
            return self.entities[role]
        except KeyError:
            raise KeyError(
                f"{self.name} ({self.domain}) has no {role!r}; "
                f"it has {sorted(self.entities)}"
            ) from None


@dataclass(frozen=True, kw_only=True)
class _Entity:
    """One entity as an integration registers it and writes its state."""

    role: str
    platform: str  # the entity domain: "sensor", "switch", ...
    unique_id: str
    # The entity's own name (translated); None means "the device's name" for
    # has_entity_name entities.
    name: str | None
    state: str
    has_entity_name: bool = True
    translation_key: str | None = None
    device_class: str | None = None
    entity_category: EntityCategory | None = None
    unit: str | None = None
    capabilities: Mapping[str, Any] | None = None
    # None: the entity class has no supported_features (no state attribute).
    supported_features: int | None = None
    entity_picture: str | None = None
    enabled_by_default: bool = True
    # Attributes only written while available (state_attributes and
    # extra_state_attributes in Home Assistant's terms).
    attributes: Mapping[str, Any] = field(default_factory=dict)
    # The device name the entity id was made from, when the integration's
    # device info names the device differently on this platform.
    object_id_device_name: str | None = None
    sensor_display_precision: int | None = None


# ---------------------------------------------------------------------------
# Blink


async def add_blink_sync_module(
    hass: HomeAssistant,
    name: str = "Home",
    serial: str | None = None,
    *,
    config_entry: MockConfigEntry | None = None,
    network_id: int | None = None,
    sw_version: str = "4.4.8",
    armed: bool = False,
) -> ForeignDevice:
    """Add a Blink sync module, and with it a Blink account, as Blink 2025.4.4 does.

    Blink's config entry is the account (title ``blink``, unique id the user
    name); pass the ``config_entry`` of an earlier sync module to put a second
    one on the same account. The device is ``blink <name>``, identified by
    ``("blink", serial)``, manufacturer Blink, no model, no MAC. Its one
    entity is the alarm panel (role ``alarm``, ``alarm_control_panel.blink_<name>``,
    unique id the serial), whose ``associated_cameras`` attribute lists the
    names of the cameras the module serves.
    """
    if config_entry is None:
        config_entry = _blink_entry(hass)
    seed = f"{config_entry.unique_id}/{name}"
    serial = serial or _serial("G", seed, 8)
    network_id = network_id if network_id is not None else _number(seed, 6)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=config_entry.entry_id,
        identifiers={(BLINK, serial)},
        name=f"{BLINK} {name}",
        manufacturer="Blink",
        serial_number=serial,
        sw_version=sw_version,
    )
    network_info = {str(network_id): {"name": name, "armed": armed}}
    alarm = _Entity(
        role="alarm",
        platform="alarm_control_panel",
        unique_id=serial,
        name=None,
        state=(
            AlarmControlPanelState.ARMED_AWAY
            if armed
            else AlarmControlPanelState.DISARMED
        ),
        supported_features=AlarmControlPanelEntityFeature.ARM_AWAY,
        attributes={
            "code_format": None,
            "changed_by": None,
            "code_arm_required": False,
            # blinkpy's sync module attributes, then what Blink adds to them.
            "name": name,
            "id": _number(serial, 6),
            "network_id": network_id,
            "serial": serial,
            "status": "online",
            "region_id": "u011",
            "local_storage": False,
            "network_info": network_info,
            "associated_cameras": [],
            "attribution": "Data provided by immedia-semi.com",
        },
    )
    return _register(
        hass,
        config_entry,
        device,
        [alarm],
        details={
            "serial": serial,
            "sync_name": name,
            "network_id": network_id,
            "armed": armed,
        },
    )


async def add_blink_camera(
    hass: HomeAssistant,
    name: str,
    sync_module: ForeignDevice,
    *,
    serial: str | None = None,
    camera_type: str = "",
    product_type: str = "catalina",
    sw_version: str = "10.61",
    battery: str | None = "ok",
    temperature_f: float | None = 68,
    wifi_strength: int | None = -55,
    motion_enabled: bool = True,
    motion_detected: bool = False,
    enable: Collection[str] = (),
) -> ForeignDevice:
    """Add a Blink camera served by a sync module, as Blink 2025.4.4 does.

    ``camera_type`` is blinkpy's: ``""`` for the battery Outdoor and Indoor
    cameras (Blink passes it on as the model, so the model is empty), ``"mini"``
    for the mains powered Mini, ``"doorbell"``. blinkpy reports no battery,
    temperature or Wi-Fi for a Mini: pass ``battery=None`` (Blink's battery
    sensor then reads ``on``, as it does for every state but ``"ok"``),
    ``temperature_f=None`` and ``wifi_strength=None`` to get that.

    The device is identified by ``("blink", serial)``, named after the camera,
    manufacturer Blink, model ``camera_type``, with the serial number and the
    firmware. Entities, all created for every camera:

    - ``camera``: ``camera.<name>``, state ``idle``, blinkpy's camera
      attributes (``battery``, ``wifi_strength``, ``sync_module`` ...).
    - ``battery_low``: ``binary_sensor.<name>_battery``, device class battery,
      diagnostic, ``on`` unless blinkpy's battery state is ``"ok"``.
    - ``motion``: ``binary_sensor.<name>_motion``, device class motion.
    - ``armed``: ``binary_sensor.<name>_camera_armed``, disabled by default.
    - ``motion_switch``: ``switch.<name>_camera_motion_detection``.
    - ``temperature``: ``sensor.blink_<name>_temperature``, diagnostic, in
      degrees Fahrenheit from blinkpy, shown in the unit system's unit.
    - ``signal``: ``sensor.blink_<name>_wi_fi_signal_strength``, diagnostic,
      dBm, device class signal_strength (blinkpy's number; some cameras
      report bars, not dBm, under the same unit).

    The two sensors' entity ids start with ``blink_`` because Blink's sensor
    platform names the device ``blink <name>`` while its other platforms name
    it ``<name>``; the camera platform comes last and its name stays.

    Blink links nothing in the registries from a camera to its sync module:
    no ``via_device``, and one config entry (the account) holds every sync
    module and camera. A sync module's cameras are found by name: the alarm
    panel's ``associated_cameras`` attribute lists the camera names (the
    camera devices' names), and each camera entity's ``sync_module``
    attribute names its sync module (the sync device's name without the
    ``blink`` prefix).
    """
    assert sync_module.domain == BLINK, "a Blink camera needs a Blink sync module"
    entry = sync_module.config_entry
    sync_name = sync_module.details["sync_name"]
    serial = serial or _serial("G8T1", f"{sync_module.details['serial']}/{name}", 12)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(BLINK, serial)},
        name=name,
        manufacturer="Blink",
        model=camera_type,
        serial_number=serial,
        sw_version=sw_version,
    )
    # A Mini follows its sync module's arming; other cameras their own switch.
    armed = sync_module.details["armed"] if camera_type == "mini" else motion_enabled
    temperature_c = (
        None if temperature_f is None else round((temperature_f - 32) / 9.0 * 5.0, 1)
    )
    camera_attributes: dict[str, Any] = {
        "name": name,
        "camera_id": str(_number(serial, 6)),
        "serial": serial,
        "version": sw_version,
        "temperature": temperature_f,
        "temperature_c": temperature_c,
        "temperature_calibrated": temperature_f,
        "battery": battery,
        "battery_level": None,
        "battery_voltage": None,
        "thumbnail": None,
        "video": None,
        "recent_clips": [],
        "motion_enabled": motion_enabled,
        "motion_detected": motion_detected,
        "wifi_strength": wifi_strength,
        "network_id": str(sync_module.details["network_id"]),
        "sync_module": sync_name,
        "sync_signal_strength": None,
        "last_record": None,
        "type": product_type,
    }
    token = hashlib.sha256(f"{serial}-token".encode()).hexdigest()
    camera_state_attributes: dict[str, Any] = {"access_token": token, "brand": "Blink"}
    if armed:
        camera_state_attributes["motion_detection"] = True
    blink_device_name = f"{BLINK} {name}"
    temperature_unit = hass.config.units.temperature_unit
    entities = [
        _Entity(
            role="battery_low",
            platform="binary_sensor",
            unique_id=f"{serial}-battery",
            name="Battery",
            state=_on_off(battery != "ok"),
            device_class=BinarySensorDeviceClass.BATTERY,
            entity_category=EntityCategory.DIAGNOSTIC,
        ),
        _Entity(
            role="armed",
            platform="binary_sensor",
            unique_id=f"{serial}-motion_enabled",
            name="Camera armed",
            translation_key="camera_armed",
            state=_on_off(motion_enabled),
            enabled_by_default=False,
        ),
        _Entity(
            role="motion",
            platform="binary_sensor",
            unique_id=f"{serial}-motion_detected",
            name="Motion",
            state=_on_off(motion_detected),
            device_class=BinarySensorDeviceClass.MOTION,
        ),
        _Entity(
            role="temperature",
            platform="sensor",
            unique_id=f"{serial}-temperature",
            name="Temperature",
            state=_temperature_state(temperature_f, temperature_unit),
            device_class=SensorDeviceClass.TEMPERATURE,
            entity_category=EntityCategory.DIAGNOSTIC,
            unit=temperature_unit,
            capabilities={"state_class": SensorStateClass.MEASUREMENT},
            object_id_device_name=blink_device_name,
        ),
        _Entity(
            role="signal",
            platform="sensor",
            unique_id=f"{serial}-wifi_strength",
            name="Wi-Fi signal strength",
            translation_key="wifi_strength",
            state=_number_state(wifi_strength),
            device_class=SensorDeviceClass.SIGNAL_STRENGTH,
            entity_category=EntityCategory.DIAGNOSTIC,
            unit=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
            capabilities={"state_class": SensorStateClass.MEASUREMENT},
            object_id_device_name=blink_device_name,
        ),
        _Entity(
            role="motion_switch",
            platform="switch",
            unique_id=f"{serial}-motion_enabled",
            name="Camera motion detection",
            translation_key="camera_motion",
            state=_on_off(motion_enabled),
            device_class=SwitchDeviceClass.SWITCH,
        ),
        _Entity(
            role="camera",
            platform="camera",
            unique_id=f"{serial}-camera",
            name=None,
            state=CameraState.IDLE,
            supported_features=CameraEntityFeature(0),
            attributes={**camera_state_attributes, **camera_attributes},
            entity_picture="/api/camera_proxy/{entity_id}?token=" + token,
        ),
    ]
    camera = _register(
        hass,
        entry,
        device,
        entities,
        enable=enable,
        details={"serial": serial, "sync_name": sync_name},
    )
    _associate_camera(hass, sync_module, name)
    return camera


def _blink_entry(hass: HomeAssistant) -> MockConfigEntry:
    number = len(hass.config_entries.async_entries(BLINK)) + 1
    username = f"blink-user-{number}@example.com"
    entry = MockConfigEntry(
        domain=BLINK,
        title=BLINK,
        unique_id=username,
        version=3,
        data={
            "username": username,
            "password": "not-a-password",
            "uid": f"BlinkCamera_{_serial('', username, 8).lower()}",
            "device_id": "Home Assistant",
            "token": "not-a-token",
            "host": "u011.immedia-semi.com",
            "region_id": "u011",
            "client_id": _number(username, 6),
            "account_id": _number(username + "account", 6),
        },
        options={"scan_interval": 300},
    )
    entry.add_to_hass(hass)
    return entry


@callback
def _associate_camera(
    hass: HomeAssistant, sync_module: ForeignDevice, name: str
) -> None:
    """List a new camera in the sync module's alarm panel, as Blink does."""
    alarm = sync_module.entity_id("alarm")
    initial = sync_module.initial_attributes["alarm"]
    initial["associated_cameras"] = [*initial["associated_cameras"], name]
    state = hass.states.get(alarm)
    if state is None or state.state == STATE_UNAVAILABLE:
        return
    cameras = [*state.attributes.get("associated_cameras", ()), name]
    hass.states.async_set(
        alarm, state.state, {**state.attributes, "associated_cameras": cameras}
    )


# ---------------------------------------------------------------------------
# TP-Link


@dataclass(frozen=True, kw_only=True)
class _Feature:
    """How TP-Link turns one python-kasa feature into an entity."""

    platform: str
    feature: str  # python-kasa's feature id, also TP-Link's translation key
    name: str  # the translation's English name
    device_class: str | None = None
    unit: str | None = None
    capabilities: Mapping[str, Any] | None = None
    # Info and Debug features are diagnostic, Config ones config.
    category: EntityCategory | None = EntityCategory.DIAGNOSTIC
    # Debug features, and on_since, are disabled by default.
    enabled: bool = True
    precision: int | None = None
    # The emeter readings keep the unique id keys they had before features.
    unique_key: str | None = None


_MEASUREMENT: Final = {"state_class": SensorStateClass.MEASUREMENT}
_TOTAL: Final = {"state_class": SensorStateClass.TOTAL_INCREASING}
_CONFIG: Final = EntityCategory.CONFIG
_TPLINK_FEATURES: Final[Mapping[str, _Feature]] = {
    "cloud": _Feature(
        platform="binary_sensor",
        feature="cloud_connection",
        name="Cloud connection",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
    ),
    "led": _Feature(platform="switch", feature="led", name="LED", category=_CONFIG),
    "signal": _Feature(
        platform="sensor",
        feature="rssi",
        name="Signal strength",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        unit=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        capabilities=_MEASUREMENT,
        enabled=False,
    ),
    "signal_level": _Feature(
        platform="sensor",
        feature="signal_level",
        name="Signal level",
        capabilities=_MEASUREMENT,
    ),
    "ssid": _Feature(platform="sensor", feature="ssid", name="SSID", enabled=False),
    "on_since": _Feature(
        platform="sensor",
        feature="on_since",
        name="On since",
        device_class=SensorDeviceClass.TIMESTAMP,
        enabled=False,
    ),
    "device_time": _Feature(
        platform="sensor",
        feature="device_time",
        name="Device time",
        device_class=SensorDeviceClass.TIMESTAMP,
        enabled=False,
    ),
    "auto_off_at": _Feature(
        platform="sensor",
        feature="auto_off_at",
        name="Auto off at",
        device_class=SensorDeviceClass.TIMESTAMP,
    ),
    "restart": _Feature(
        platform="button",
        feature="reboot",
        name="Restart",
        device_class=ButtonDeviceClass.RESTART,
        enabled=False,
    ),
    "overheated": _Feature(
        platform="binary_sensor",
        feature="overheated",
        name="Overheated",
        device_class=BinarySensorDeviceClass.PROBLEM,
    ),
    "overloaded": _Feature(
        platform="binary_sensor",
        feature="overloaded",
        name="Overloaded",
        device_class=BinarySensorDeviceClass.PROBLEM,
    ),
    "turn_off_in": _Feature(
        platform="number",
        feature="auto_off_minutes",
        name="Turn off in",
        category=_CONFIG,
        capabilities={"min": 0, "max": 65536, "step": 1.0, "mode": NumberMode.BOX},
    ),
    "power_protection": _Feature(
        platform="number",
        feature="power_protection_threshold",
        name="Power protection",
        category=_CONFIG,
        capabilities={"min": 0, "max": 3680, "step": 1.0, "mode": NumberMode.SLIDER},
    ),
    "auto_off_enabled": _Feature(
        platform="switch",
        feature="auto_off_enabled",
        name="Auto off enabled",
        category=_CONFIG,
    ),
    "auto_update_enabled": _Feature(
        platform="switch",
        feature="auto_update_enabled",
        name="Auto update enabled",
        category=_CONFIG,
    ),
    "motion_detection": _Feature(
        platform="switch",
        feature="motion_detection",
        name="Motion detection",
        category=_CONFIG,
    ),
    "person_detection": _Feature(
        platform="switch",
        feature="person_detection",
        name="Person detection",
        category=_CONFIG,
    ),
    "baby_cry_detection": _Feature(
        platform="switch",
        feature="baby_cry_detection",
        name="Baby cry detection",
        category=_CONFIG,
    ),
    "tamper_detection": _Feature(
        platform="switch",
        feature="tamper_detection",
        name="Tamper detection",
        category=_CONFIG,
    ),
    **{
        role: _Feature(platform="button", feature=role, name=name, category=_CONFIG)
        for role, name in (
            ("pan_left", "Pan left"),
            ("pan_right", "Pan right"),
            ("tilt_up", "Tilt up"),
            ("tilt_down", "Tilt down"),
        )
    },
    **{
        f"{axis}_degrees": _Feature(
            platform="number",
            feature=f"{axis}_step",
            name=f"{axis.title()} degrees",
            category=_CONFIG,
            capabilities={"min": 0, "max": 65536, "step": 1.0, "mode": NumberMode.BOX},
        )
        for axis in ("pan", "tilt")
    },
    "battery": _Feature(
        platform="sensor",
        feature="battery_level",
        name="Battery",
        device_class=SensorDeviceClass.BATTERY,
        unit=PERCENTAGE,
        capabilities=_MEASUREMENT,
    ),
    "battery_low": _Feature(
        platform="binary_sensor",
        feature="battery_low",
        name="Battery",
        device_class=BinarySensorDeviceClass.BATTERY,
        enabled=False,
    ),
    "power": _Feature(
        platform="sensor",
        feature="current_consumption",
        name="Current consumption",
        device_class=SensorDeviceClass.POWER,
        unit=UnitOfPower.WATT,
        capabilities=_MEASUREMENT,
        category=None,
        precision=1,
        unique_key="current_power_w",
    ),
    "energy_today": _Feature(
        platform="sensor",
        feature="consumption_today",
        name="Today's consumption",
        device_class=SensorDeviceClass.ENERGY,
        unit=UnitOfEnergy.KILO_WATT_HOUR,
        capabilities=_TOTAL,
        precision=3,
        unique_key="today_energy_kwh",
    ),
    "energy_month": _Feature(
        platform="sensor",
        feature="consumption_this_month",
        name="This month's consumption",
        device_class=SensorDeviceClass.ENERGY,
        unit=UnitOfEnergy.KILO_WATT_HOUR,
        capabilities=_TOTAL,
        precision=3,
    ),
    "energy_total": _Feature(
        platform="sensor",
        feature="consumption_total",
        name="Total consumption",
        device_class=SensorDeviceClass.ENERGY,
        unit=UnitOfEnergy.KILO_WATT_HOUR,
        capabilities=_TOTAL,
        precision=3,
        unique_key="total_energy_kwh",
    ),
    "voltage": _Feature(
        platform="sensor",
        feature="voltage",
        name="Voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        unit=UnitOfElectricPotential.VOLT,
        capabilities=_MEASUREMENT,
        category=None,
        precision=1,
    ),
    "current": _Feature(
        platform="sensor",
        feature="current",
        name="Current",
        device_class=SensorDeviceClass.CURRENT,
        unit=UnitOfElectricCurrent.AMPERE,
        capabilities=_MEASUREMENT,
        category=None,
        precision=2,
        unique_key="current_a",
    ),
}


async def add_tplink_plug(
    hass: HomeAssistant,
    name: str,
    mac: str,
    model: str = "P110",
    *,
    host: str | None = None,
    is_on: bool = True,
    energy: bool | None = None,
    rssi: int = -50,
    signal_level: int = 3,
    power_w: float = 60.0,
    voltage_v: float = 230.0,
    max_power_w: int | None = None,
    overheated: bool = False,
    overloaded: bool = False,
    cloud_connected: bool = True,
    on_since: datetime | None = None,
    led: bool = True,
    sw_version: str | None = None,
    hw_version: str | None = None,
    tplink_device_id: str | None = None,
    enable: Collection[str] = (),
) -> ForeignDevice:
    """Add a Kasa or Tapo plug as TP-Link 2025.4.4 does (python-kasa 0.10.2).

    A model in ``TPLINK_IOT_PLUGS`` is a Kasa plug on the legacy protocol;
    any other is a SMART plug (Tapo, newer Kasa). One config entry per plug:
    title ``"<name> <model>"``, unique id the formatted MAC. The device:
    identifiers ``("tplink", <python-kasa device id>)`` (the upper-case MAC
    for IOT, 40 hex digits for SMART), connection ``("mac", mac)``,
    manufacturer TP-Link, the model, firmware and hardware versions.

    Entities (every name prefixed with the device's):

    - ``switch``: ``switch.<name>``, no device class, the relay.
    - ``cloud``: ``binary_sensor.<name>_cloud_connection``, connectivity.
    - ``led``: ``switch.<name>_led``, config.
    - ``signal``: ``sensor.<name>_signal_strength``, dBm, signal_strength,
      **disabled by default** (python-kasa files rssi under Debug).
    - ``on_since``: ``sensor.<name>_on_since``, timestamp, **disabled by
      default** (TP-Link: the value changes every few seconds).
    - ``restart``: ``button.<name>_restart``, **disabled by default**.
    - SMART plugs also: ``signal_level`` (``sensor.<name>_signal_level``, 0-3,
      no device class, no unit, enabled), ``overheated``
      (``binary_sensor.<name>_overheated``, problem), ``auto_off_enabled``,
      ``auto_update_enabled`` (config switches), ``turn_off_in`` (number),
      ``auto_off_at`` (timestamp, ``unknown``), and, disabled by default,
      ``ssid`` and ``device_time``.
    - Energy plugs (``TPLINK_ENERGY_PLUGS`` unless ``energy`` says otherwise):
      ``power`` (``sensor.<name>_current_consumption``, W), ``energy_today``,
      ``energy_month`` (kWh, diagnostic), ``voltage``, ``current``; a Kasa
      IOT plug also ``energy_total`` (kWh), a SMART one ``overloaded``
      (problem) and ``power_protection`` (number).

    Every other entity but the relay is diagnostic or config. TP-Link 2025.4.4
    has no update entity. ``enable`` lists roles a user has enabled: those
    get no ``disabled_by``, and a state.
    """
    iot = model in TPLINK_IOT_PLUGS
    energy = model in TPLINK_ENERGY_PLUGS if energy is None else energy
    mac = dr.format_mac(mac)
    kasa_id = tplink_device_id or (mac.upper() if iot else _kasa_smart_id(mac))
    now = dt_util.utcnow()
    since = (on_since or now - timedelta(hours=5)).isoformat() if is_on else None
    # The overload threshold goes up to the plug's rated power.
    rated = max_power_w or (1800 if voltage_v < 200 else 3680)
    states: dict[str, Any] = {
        "cloud": cloud_connected,
        "signal": rssi,
        "on_since": since,
        "restart": None,
        "led": led,
    }
    if not iot:
        states |= {
            "overheated": overheated,
            "signal_level": signal_level,
            "ssid": "Home network",
            "device_time": now.replace(microsecond=0).isoformat(),
            "auto_off_at": None,
            "turn_off_in": 120,
            "auto_off_enabled": False,
            "auto_update_enabled": True,
        }
    if energy:
        power = float(power_w) if is_on else 0.0
        states |= {
            "power": power,
            "energy_today": 0.0,
            "energy_month": 0.0,
            "voltage": float(voltage_v),
            "current": round(power / voltage_v, 2) if voltage_v else 0.0,
        }
        if iot:
            states["energy_total"] = 0.0
        else:
            states |= {"overloaded": overloaded, "power_protection": 0}
    entities = [
        _tplink_primary_switch(kasa_id, is_on),
        *(_tplink(kasa_id, role, value) for role, value in states.items()),
    ]
    entities = [
        replace(entity, capabilities={**(entity.capabilities or {}), "max": rated})
        if entity.role == "power_protection"
        else entity
        for entity in entities
    ]
    if iot:
        connection: dict[str, Any] = {
            "device_family": "IOT.SMARTPLUGSWITCH",
            "encryption_type": "XOR",
            "https": False,
        }
    else:
        family = "SMART.TAPOPLUG" if model.startswith("P") else "SMART.KASAPLUG"
        connection = {
            "device_family": family,
            "encryption_type": "KLAP",
            "login_version": 2,
            "https": False,
        }
    return _add_tplink_device(
        hass,
        name=name,
        mac=mac,
        model=model,
        host=host or _host(mac),
        kasa_id=kasa_id,
        connection=connection,
        extra_data={},
        versions=(sw_version, hw_version),
        entities=entities,
        enable=enable,
    )


async def add_tplink_tapo_camera(
    hass: HomeAssistant,
    name: str,
    mac: str,
    model: str = "C460",
    *,
    battery: bool | None = None,
    battery_percent: int = 85,
    battery_low: bool = False,
    host: str | None = None,
    is_on: bool = True,
    rssi: int = -55,
    signal_level: int = 3,
    live_view: bool = False,
    sw_version: str | None = None,
    hw_version: str | None = None,
    tplink_device_id: str | None = None,
    enable: Collection[str] = (),
) -> ForeignDevice:
    """Add a Tapo camera as TP-Link 2025.4.4 does (python-kasa 0.10.2).

    The config entry and device are shaped as for a plug (SMART device id,
    MAC connection, manufacturer TP-Link). The entities follow the model's
    components as python-kasa reads them (``TAPO_CAMERAS``; another model
    gets the C460's less the battery); ``battery`` defaults to the model's.

    - ``switch``: ``switch.<name>``, the camera on or off (privacy mode off
      or on).
    - ``led``, ``motion_detection`` and the model's detections
      (``person_detection``, ``baby_cry_detection``, ``tamper_detection``):
      config switches.
    - Pan and tilt models: ``pan_left``, ``pan_right``, ``tilt_up``,
      ``tilt_down`` (config buttons), ``pan_degrees``, ``tilt_degrees``
      (config numbers).
    - ``signal``: ``sensor.<name>_signal_strength`` (dBm, signal_strength),
      **disabled by default**; ``signal_level``: ``sensor.<name>_signal_level``
      (0-3, enabled); ``device_time``: timestamp, **disabled by default**.
    - With ``battery``: ``battery``: ``sensor.<name>_battery`` (%, device
      class battery, diagnostic, enabled) and ``battery_low``:
      ``binary_sensor.<name>_battery`` (device class battery, diagnostic,
      **disabled by default**: python-kasa files it under Debug).
      python-kasa's battery temperature, voltage and charging features get
      no entity.
    - With ``live_view`` (the user gave camera credentials): ``camera``:
      ``camera.<name>_live_view``, state ``idle``.

    The camera has no cloud connection sensor and no update entity.
    """
    mac = dr.format_mac(mac)
    kasa_id = tplink_device_id or _kasa_smart_id(mac)
    pan_tilt, detections, has_battery = TAPO_CAMERAS.get(
        model, (False, ("person_detection",), False)
    )
    battery = has_battery if battery is None else battery
    states: dict[str, Any] = {
        "led": True,
        "motion_detection": True,
        **dict.fromkeys(detections, False),
        "signal": rssi,
        "signal_level": signal_level,
        "device_time": dt_util.utcnow().replace(microsecond=0).isoformat(),
    }
    if pan_tilt:
        states |= dict.fromkeys(("pan_left", "pan_right", "tilt_up", "tilt_down"))
        states |= {"pan_degrees": 30, "tilt_degrees": 10}
    if battery:
        states |= {"battery": battery_percent, "battery_low": battery_low}
    entities = [
        _tplink_primary_switch(kasa_id, is_on),
        *(_tplink(kasa_id, role, value) for role, value in states.items()),
    ]
    extra_data: dict[str, Any] = {"live_view": live_view}
    if live_view:
        extra_data["camera_credentials"] = {"username": "admin", "password": "camera"}
        token = hashlib.sha256(f"{kasa_id}-token".encode()).hexdigest()
        entities.append(
            _Entity(
                role="camera",
                platform="camera",
                unique_id=f"{_legacy_id(kasa_id)}-live_view",
                name="Live view",
                translation_key="live_view",
                state=CameraState.IDLE,
                supported_features=(
                    CameraEntityFeature.STREAM | CameraEntityFeature.ON_OFF
                ),
                attributes={"access_token": token, "frontend_stream_type": "hls"},
                entity_picture="/api/camera_proxy/{entity_id}?token=" + token,
            )
        )
    return _add_tplink_device(
        hass,
        name=name,
        mac=mac,
        model=model,
        host=host or _host(mac),
        kasa_id=kasa_id,
        connection={
            "device_family": "SMART.IPCAMERA",
            "encryption_type": "AES",
            "login_version": 2,
            "https": True,
        },
        extra_data=extra_data,
        versions=(sw_version, hw_version),
        entities=entities,
        enable=enable,
    )


def _add_tplink_device(
    hass: HomeAssistant,
    *,
    name: str,
    mac: str,
    model: str,
    host: str,
    kasa_id: str,
    connection: Mapping[str, Any],
    extra_data: Mapping[str, Any],
    versions: tuple[str | None, str | None],
    entities: list[_Entity],
    enable: Collection[str],
) -> ForeignDevice:
    uses_http = connection["encryption_type"] != "XOR"
    data: dict[str, Any] = {
        "host": host,
        "alias": name,
        "model": model,
        "connection_parameters": dict(connection),
        "uses_http": uses_http,
        **extra_data,
    }
    if uses_http:
        data["credentials_hash"] = "bm90LWEtcmVhbC1jcmVkZW50aWFscy1oYXNo"
    entry = MockConfigEntry(
        domain=TPLINK,
        title=f"{name} {model}",
        unique_id=mac,
        version=1,
        minor_version=5,
        data=data,
    )
    entry.add_to_hass(hass)
    default_sw, default_hw = _TPLINK_VERSIONS.get(model, _TPLINK_DEFAULT_VERSIONS)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(TPLINK, kasa_id)},
        connections={(dr.CONNECTION_NETWORK_MAC, mac)},
        name=name,
        manufacturer="TP-Link",
        model=model,
        sw_version=versions[0] or default_sw,
        hw_version=versions[1] or default_hw,
    )
    return _register(
        hass,
        entry,
        device,
        entities,
        enable=enable,
        details={"mac": mac, "tplink_device_id": kasa_id, "model": model, "host": host},
    )


def _tplink(kasa_id: str, role: str, value: Any) -> _Entity:
    """Return the entity TP-Link makes of a feature, holding ``value``."""
    feature = _TPLINK_FEATURES[role]
    if value is None:
        state = STATE_UNKNOWN
    elif isinstance(value, bool):
        state = _on_off(value)
    else:
        state = str(value)
    key = feature.unique_key or feature.feature
    return _Entity(
        role=role,
        platform=feature.platform,
        unique_id=f"{_legacy_id(kasa_id)}_{key}",
        name=feature.name,
        translation_key=feature.feature,
        state=state,
        device_class=feature.device_class,
        entity_category=feature.category,
        unit=feature.unit,
        capabilities=feature.capabilities,
        enabled_by_default=feature.enabled,
        sensor_display_precision=feature.precision,
    )


def _tplink_primary_switch(kasa_id: str, is_on: bool) -> _Entity:
    # The "state" feature: unique id the device id itself, named after the device.
    return _Entity(
        role="switch",
        platform="switch",
        unique_id=_legacy_id(kasa_id),
        name=None,
        state=_on_off(is_on),
    )


def _legacy_id(kasa_id: str) -> str:
    """Return TP-Link's legacy_device_id: a child id loses its parent's prefix."""
    return kasa_id.split("_")[1] if "_" in kasa_id else kasa_id


def _kasa_smart_id(mac: str) -> str:
    return hashlib.sha1(mac.encode()).hexdigest().upper()


# ---------------------------------------------------------------------------
# Another brand: a Shelly Plus Plug S


async def add_other_brand_plug(
    hass: HomeAssistant,
    name: str,
    *,
    mac: str | None = None,
    host: str | None = None,
    model_id: str = "SNPL-00112EU",
    model_name: str = "Shelly Plus Plug S",
    is_on: bool = True,
    power_w: float = 25.0,
    rssi: int = -60,
    firmware: str = "1.4.4",
    latest_firmware: str | None = None,
    enable: Collection[str] = (),
) -> ForeignDevice:
    """Add a Shelly Gen2 plug as Shelly 2025.4.4 does (a subset of its entities).

    Config entry: domain ``shelly``, title the device name, unique id the MAC
    as Shelly writes it (upper case, no separators). Device: identifiers
    ``("shelly", "AABBCCDDEEFF")``, connection ``("mac", mac)``, manufacturer
    Shelly, model the model name, model id, ``sw_version`` the firmware id,
    ``hw_version`` ``gen2``. Shelly's RPC entities do not use
    has_entity_name: their names carry the device name.

    - ``switch``: ``switch.<name>_switch_0``, no device class.
    - ``power``: ``sensor.<name>_switch_0_power``, W, device class power.
    - ``signal``: ``sensor.<name>_rssi``, dBm, signal_strength, diagnostic,
      **disabled by default** (as Shelly does; pass ``enable={"signal"}``).
    - ``update``: ``update.<name>_firmware``, firmware, config;
      ``update_beta``: ``update.<name>_beta_firmware``, disabled by default.

    - ``uptime``: ``sensor.<name>_uptime``, when it last started, diagnostic,
      **disabled by default**; device class ``uptime`` where Home Assistant
      has it (2026.10 on), ``timestamp`` on 2025.4.

    The real plug also has energy, voltage, current, temperature, cloud and
    restart entities, left out here.
    """
    if mac is None:
        mac = _mac(SHELLY, f"{len(hass.config_entries.async_entries(SHELLY))}/{name}")
    mac = mac.replace(":", "").upper()
    host = host or _host(dr.format_mac(mac))
    entry = MockConfigEntry(
        domain=SHELLY,
        title=name,
        unique_id=mac,
        version=1,
        minor_version=2,
        data={
            "host": host,
            "port": 80,
            "sleep_period": 0,
            "model": model_id,
            "gen": 2,
        },
    )
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(SHELLY, mac)},
        connections={(dr.CONNECTION_NETWORK_MAC, mac)},
        name=name,
        manufacturer="Shelly",
        model=model_name,
        model_id=model_id,
        sw_version=f"20241011-114455/{firmware}-g6d2a586",
        hw_version="gen2",
        configuration_url=f"http://{host}:80",
    )
    picture = "https://brands.home-assistant.io/_/shelly/icon.png"

    def update(role: str, suffix: str, title: str, latest: str, url: str) -> _Entity:
        return _Entity(
            role=role,
            platform="update",
            unique_id=f"{mac}-sys-{suffix}",
            name=f"{name} {title}",
            has_entity_name=False,
            state=_on_off(latest != firmware),
            device_class=UpdateDeviceClass.FIRMWARE,
            entity_category=EntityCategory.CONFIG,
            supported_features=UpdateEntityFeature.INSTALL
            | UpdateEntityFeature.PROGRESS,
            entity_picture=picture,
            enabled_by_default=suffix == "fwupdate",
            attributes={
                "auto_update": False,
                "display_precision": 0,
                "installed_version": firmware,
                "in_progress": False,
                "latest_version": latest,
                "release_summary": None,
                "release_url": url,
                "skipped_version": None,
                "title": None,
                "update_percentage": None,
            },
        )

    changelog = "https://shelly-api-docs.shelly.cloud/gen2/changelog/"
    booted = (dt_util.utcnow() - timedelta(days=2)).isoformat()
    entities = [
        _Entity(
            role="uptime",
            platform="sensor",
            unique_id=f"{mac}-sys-uptime",
            name=f"{name} uptime",
            has_entity_name=False,
            state=booted,
            # Shelly moved its uptime sensor to the uptime device class when
            # Home Assistant added it; 2025.4 registers a timestamp.
            device_class=getattr(SensorDeviceClass, "UPTIME", "timestamp"),
            entity_category=EntityCategory.DIAGNOSTIC,
            enabled_by_default=False,
        ),
        _Entity(
            role="switch",
            platform="switch",
            unique_id=f"{mac}-switch:0",
            name=f"{name} Switch 0",
            has_entity_name=False,
            state=_on_off(is_on),
        ),
        _Entity(
            role="power",
            platform="sensor",
            unique_id=f"{mac}-switch:0-power",
            name=f"{name} Switch 0 power",
            has_entity_name=False,
            state=str(float(power_w if is_on else 0.0)),
            device_class=SensorDeviceClass.POWER,
            unit=UnitOfPower.WATT,
            capabilities={"state_class": SensorStateClass.MEASUREMENT},
        ),
        _Entity(
            role="signal",
            platform="sensor",
            unique_id=f"{mac}-wifi-rssi",
            name=f"{name} rssi",
            has_entity_name=False,
            state=str(rssi),
            device_class=SensorDeviceClass.SIGNAL_STRENGTH,
            entity_category=EntityCategory.DIAGNOSTIC,
            unit=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
            capabilities={"state_class": SensorStateClass.MEASUREMENT},
            enabled_by_default=False,
        ),
        update(
            "update", "fwupdate", "firmware", latest_firmware or firmware, changelog
        ),
        update(
            "update_beta",
            "fwupdate_beta",
            "beta firmware",
            firmware,
            f"{changelog}#unreleased",
        ),
    ]
    return _register(
        hass,
        entry,
        device,
        entities,
        enable=enable,
        details={"mac": mac, "model_id": model_id, "host": host},
    )


async def add_esphome_outlet(
    hass: HomeAssistant,
    name: str,
    outlet: str,
    *,
    maker: str = "Athom",
    model: str = "Smart Plug V3",
    rssi: int = -58,
) -> tuple[ForeignDevice, ForeignDevice]:
    """Add an ESPHome device with one outlet as a sub-device, as ESPHome 2026.11 does.

    Only on releases with child devices (2026.9 on). Config entry: domain
    ``esphome``, unique id the MAC. Main device: connection ``("mac", mac)``,
    maker and model from the firmware, a ``signal`` sensor (dBm). The outlet:
    a child device (``async_get_or_create_child``) with identifier
    ``("esphome", "<MAC>_1")`` and the outlet's name, holding the ``switch``.
    Returns the main device and the outlet.
    """
    mac = _mac(ESPHOME, name)
    entry = MockConfigEntry(
        domain=ESPHOME,
        title=name,
        unique_id=mac,
        data={"host": _host(mac), "port": 6053, "password": "", "noise_psk": ""},
    )
    entry.add_to_hass(hass)
    registry: Any = dr.async_get(hass)  # 2025.4's types have no child devices
    main = registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        connections={(dr.CONNECTION_NETWORK_MAC, mac)},
        name=name,
        manufacturer=maker,
        model=model,
        sw_version="2026.10.2 (ESPHome 2026.10.2)",
    )
    child = registry.async_get_or_create_child(
        config_entry_id=entry.entry_id,
        identifiers={(ESPHOME, f"{mac.replace(':', '').upper()}_1")},
        name=outlet,
        parent_device_id=main.id,
    )
    compact = mac.replace(":", "").upper()
    signal = _Entity(
        role="signal",
        platform="sensor",
        unique_id=f"{compact}-sensor-wifi_signal",
        name="WiFi Signal",
        state=str(rssi),
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        entity_category=EntityCategory.DIAGNOSTIC,
        unit=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        capabilities={"state_class": SensorStateClass.MEASUREMENT},
    )
    relay = _Entity(
        role="switch",
        platform="switch",
        unique_id=f"{compact}-switch-relay_1",
        name=None,
        state=STATE_ON,
    )
    details = {"mac": mac}
    return (
        _register(hass, entry, main, [signal], details=details),
        _register(hass, entry, child, [relay], details=details),
    )


# ---------------------------------------------------------------------------
# Changing states


@callback
def set_state(
    hass: HomeAssistant, device: ForeignDevice, role: str, state: str, **attributes: Any
) -> None:
    """Write a new state for one of a device's entities, as its integration would.

    The attributes the entity had while available are kept (or, coming back
    from ``unavailable``, restored), and ``attributes`` change them.
    """
    entity_id = device.entity_id(role)
    entry = er.async_get(hass).async_get(entity_id)
    if entry is not None and entry.disabled_by is not None:
        raise ValueError(
            f"{entity_id} is disabled ({entry.disabled_by}): a disabled entity has "
            f"no state; create the device with enable={{{role!r}}}"
        )
    current = hass.states.get(entity_id)
    if current is not None and current.state != STATE_UNAVAILABLE:
        base: Mapping[str, Any] = current.attributes
    else:
        base = device.initial_attributes[role]
    hass.states.async_set(entity_id, state, {**base, **attributes})


@callback
def make_unavailable(hass: HomeAssistant, device: ForeignDevice) -> None:
    """Turn every entity of the device that has a state to ``unavailable``.

    Each keeps what Home Assistant keeps for an unavailable entity: its
    capabilities, unit, device class, friendly name, picture and features.
    """
    for role, entity_id in device.entities.items():
        if hass.states.get(entity_id) is None:
            continue  # disabled: not in the state machine at all
        hass.states.async_set(
            entity_id, STATE_UNAVAILABLE, dict(device.static_attributes[role])
        )


# ---------------------------------------------------------------------------
# Registering


def _register(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    device: dr.DeviceEntry,
    entities: list[_Entity],
    *,
    enable: Collection[str] = (),
    details: Mapping[str, Any],
) -> ForeignDevice:
    unknown = set(enable) - {entity.role for entity in entities}
    if unknown:
        raise ValueError(f"no such roles to enable: {sorted(unknown)}")
    entity_registry = er.async_get(hass)
    device_name = device.name_by_user or device.name or ""
    roles: dict[str, str] = {}
    initial: dict[str, dict[str, Any]] = {}
    static: dict[str, Mapping[str, Any]] = {}
    for entity in entities:
        enabled = entity.enabled_by_default or entity.role in enable
        if entity.has_entity_name:
            id_device_name = entity.object_id_device_name or device_name
            object_id = " ".join(filter(None, (id_device_name, entity.name)))
            friendly_name = " ".join(filter(None, (device_name, entity.name)))
        else:
            object_id = friendly_name = entity.name or device_name
        registry_entry = entity_registry.async_get_or_create(
            entity.platform,
            entry.domain,
            entity.unique_id,
            suggested_object_id=object_id,
            config_entry=entry,
            device_id=device.id,
            has_entity_name=entity.has_entity_name,
            original_name=entity.name,
            original_device_class=entity.device_class,
            entity_category=entity.entity_category,
            translation_key=entity.translation_key,
            unit_of_measurement=entity.unit,
            capabilities=entity.capabilities,
            supported_features=entity.supported_features,
            disabled_by=None if enabled else _DISABLED_BY_INTEGRATION,
        )
        entity_id = registry_entry.entity_id
        if entity.sensor_display_precision is not None:
            entity_registry.async_update_entity_options(
                entity_id,
                "sensor",
                {"suggested_display_precision": entity.sensor_display_precision},
            )
        kept = _static_attributes(entity, entity_id, friendly_name)
        full = {**entity.attributes, **kept}
        roles[entity.role] = entity_id
        initial[entity.role] = full
        static[entity.role] = MappingProxyType(kept)
        if enabled:
            hass.states.async_set(entity_id, str(entity.state), full)
    return ForeignDevice(
        domain=entry.domain,
        device_id=device.id,
        name=device_name,
        config_entry=entry,
        entities=MappingProxyType(roles),
        details=MappingProxyType(dict(details)),
        initial_attributes=MappingProxyType(initial),
        static_attributes=MappingProxyType(static),
    )


def _static_attributes(
    entity: _Entity, entity_id: str, friendly_name: str
) -> dict[str, Any]:
    """Return the attributes an entity writes whether it is available or not."""
    attributes: dict[str, Any] = dict(entity.capabilities or {})
    if entity.unit is not None:
        attributes[ATTR_UNIT_OF_MEASUREMENT] = entity.unit
    if entity.device_class is not None:
        attributes[ATTR_DEVICE_CLASS] = str(entity.device_class)
    if entity.entity_picture is not None:
        attributes[ATTR_ENTITY_PICTURE] = entity.entity_picture.format(
            entity_id=entity_id
        )
    if friendly_name:
        attributes[ATTR_FRIENDLY_NAME] = friendly_name
    if entity.supported_features is not None:
        attributes[ATTR_SUPPORTED_FEATURES] = entity.supported_features
    return attributes


# ---------------------------------------------------------------------------
# Small helpers


def _on_off(value: bool) -> str:
    return STATE_ON if value else STATE_OFF


def _number_state(value: float | None) -> str:
    return STATE_UNKNOWN if value is None else str(value)


def _temperature_state(value_f: float | None, unit: str) -> str:
    """Return a Fahrenheit reading as a sensor shows it in ``unit``.

    Home Assistant converts to the unit system's unit and, with no display
    precision set, keeps as many decimals as the native value had.
    """
    if value_f is None:
        return STATE_UNKNOWN
    if unit == UnitOfTemperature.FAHRENHEIT:
        return str(value_f)
    converted = TemperatureConverter.converter_factory(
        UnitOfTemperature.FAHRENHEIT, unit
    )(float(value_f))
    text = str(value_f)
    decimals = len(text) - text.index(".") - 1 if "." in text else 0
    return f"{converted:z.{decimals}f}"


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("/".join(parts).encode()).digest()


def _serial(prefix: str, seed: str, length: int) -> str:
    return prefix + _digest("serial", seed).hex().upper()[: length - len(prefix)]


def _number(seed: str, digits: int) -> int:
    return int.from_bytes(_digest("number", seed)[:6]) % int(10**digits)


def _mac(brand: str, seed: str) -> str:
    octets = _digest("mac", brand, seed)[:5]
    return dr.format_mac("02" + octets.hex())  # locally administered


def _host(mac: str) -> str:
    return f"192.168.1.{int(mac[-2:], 16) % 250 + 2}"
