"""Hardware profiles of the simulated devices.

A profile holds what a device model reports about itself and nothing about its
state: model string, hardware and firmware versions, which optional modules
the firmware has and the units its energy meter uses.
"""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
from typing import Literal

EmeterUnits = Literal["legacy", "milli"]


@dataclass(frozen=True, slots=True)
class ModelProfile:
    """Static description of one device model (legacy IOT fields; subclasses add)."""

    key: str
    model: str
    hw_ver: str
    sw_ver: str
    dev_name: str
    emeter: EmeterUnits | None = None
    """Energy meter units: "legacy" (V, A, W, kWh floats), "milli" (mV, mA, mW,
    Wh integers) or None for a plug without energy monitoring."""
    type_field: Literal["type", "mic_type"] = "type"
    integer_location: bool = True
    """latitude_i/longitude_i (newer firmware) instead of latitude/longitude."""
    voltage: float = 120.0
    device_type: str = "IOT.SMARTPLUGSWITCH"

    @property
    def feature(self) -> str:
        """Return the legacy feature string ("TIM" or "TIM:ENE")."""
        return "TIM:ENE" if self.emeter else "TIM"

    @property
    def hw_id(self) -> str:
        """Return a stable hardware id derived from the model."""
        return _hex_id(f"hw:{self.model}:{self.hw_ver}", 32)

    @property
    def oem_id(self) -> str:
        """Return a stable OEM id derived from the model."""
        return _hex_id(f"oem:{self.model}", 32)

    @property
    def fw_id(self) -> str:
        """Return a stable firmware id derived from the firmware version."""
        return _hex_id(f"fw:{self.model}:{self.sw_ver}", 32)


def _hex_id(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length].upper()


HS100_V1 = ModelProfile(
    key="HS100v1",
    model="HS100(US)",
    hw_ver="1.0",
    sw_ver="1.2.5 Build 171206 Rel.085954",
    dev_name="Wi-Fi Smart Plug",
    integer_location=False,
)
HS100 = ModelProfile(
    key="HS100",
    model="HS100(US)",
    hw_ver="2.0",
    sw_ver="1.5.6 Build 191118 Rel.140307",
    dev_name="Smart Wi-Fi Plug",
)
HS110 = ModelProfile(
    key="HS110",
    model="HS110(EU)",
    hw_ver="1.0",
    sw_ver="1.2.5 Build 171213 Rel.101523",
    dev_name="Wi-Fi Smart Plug With Energy Monitoring",
    emeter="legacy",
    integer_location=False,
    voltage=230.0,
)
KP115 = ModelProfile(
    key="KP115",
    model="KP115(US)",
    hw_ver="1.0",
    sw_ver="1.0.21 Build 231129 Rel.171238",
    dev_name="Smart Wi-Fi Plug Mini",
    emeter="milli",
    type_field="mic_type",
    voltage=120.0,
)

MODELS: dict[str, ModelProfile] = {m.key: m for m in (HS100, HS100_V1, HS110, KP115)}
DEFAULT_PLUG = HS100
DEFAULT_ENERGY_PLUG = HS110


def find_model(name: str | ModelProfile | None, *, emeter: bool) -> ModelProfile:
    """Return a profile by key ("HS100", "HS110", ...) or model string."""
    if isinstance(name, ModelProfile):
        return name
    if name is None:
        return DEFAULT_ENERGY_PLUG if emeter else DEFAULT_PLUG
    if name in MODELS:
        return MODELS[name]
    for profile in MODELS.values():
        if name in (profile.model, profile.model.partition("(")[0]):
            return profile
    raise KeyError(f"unknown model {name!r}; known: {', '.join(MODELS)}")


# --------------------------------------------------------------------- SMART
OverheatField = Literal["overheated", "overheat_status"]


@dataclass(frozen=True, slots=True)
class SmartModelProfile(ModelProfile):
    """A plug on the SMART firmware (Tapo, newer Kasa), spoken to over KLAP.

    ``model`` is the discovery model with its region (``P110(EU)``);
    ``get_device_info`` reports the short model (``P110``). ``emeter`` is
    ``"milli"`` (mW, mV, mA, Wh) for energy models.
    """

    components: tuple[tuple[str, int], ...] = ()
    """``component_nego``: (id, ver_code) pairs; they decide python-kasa's modules."""
    overheat_field: OverheatField = "overheated"
    """``overheated`` (bool, Tapo) or ``overheat_status`` (normal/overheated, Kasa)."""
    timezone_region: str = "UTC"
    max_power_w: int = 3680

    @property
    def short_model(self) -> str:
        """Return the model without its region (``P110``)."""
        return self.model.partition("(")[0]

    @property
    def brand(self) -> str:
        """Return ``tapo`` or ``kasa`` (from the device type)."""
        return self.device_type.partition(".")[2][:4].lower()

    def has_component(self, name: str) -> bool:
        """Return True when ``component_nego`` lists ``name``."""
        return any(comp == name for comp, _ in self.components)


@dataclass(frozen=True, slots=True)
class CameraModelProfile(ModelProfile):
    """A Tapo camera, spoken to over SSL-AES (HTTPS)."""

    components: tuple[tuple[str, int], ...] = ()
    """``getAppComponentList``: (name, version) pairs."""
    battery: bool = False
    timezone_region: str = "UTC"

    @property
    def short_model(self) -> str:
        """Return the model without its region."""
        return self.model.partition("(")[0]

    def has_component(self, name: str) -> bool:
        """Return True when ``getAppComponentList`` lists ``name``."""
        return any(comp == name for comp, _ in self.components)


_PLUG_COMPONENTS: tuple[tuple[str, int], ...] = (
    ("device", 2),
    ("firmware", 2),
    ("quick_setup", 3),
    ("time", 1),
    ("wireless", 1),
    ("schedule", 2),
    ("countdown", 2),
    ("antitheft", 1),
    ("account", 1),
    ("synchronize", 1),
    ("sunrise_sunset", 1),
    ("led", 1),
    ("cloud_connect", 1),
    ("iot_cloud", 1),
    ("device_local_time", 1),
    ("default_states", 1),
    ("auto_off", 2),
)
_ENERGY_COMPONENTS: tuple[tuple[str, int], ...] = (
    ("localSmart", 1),
    ("energy_monitoring", 2),
    ("power_protection", 1),
    ("current_protection", 1),
)

P110 = SmartModelProfile(
    key="P110",
    model="P110(EU)",
    hw_ver="1.0",
    sw_ver="1.3.1 Build 240621 Rel.162048",
    dev_name="Smart Wi-Fi Plug Mini",
    emeter="milli",
    voltage=230.0,
    device_type="SMART.TAPOPLUG",
    components=_PLUG_COMPONENTS + _ENERGY_COMPONENTS,
    max_power_w=3680,
)
P100 = SmartModelProfile(
    key="P100",
    model="P100(US)",
    hw_ver="1.0.0",
    sw_ver="1.4.0 Build 231031 Rel.180221",
    dev_name="Smart Wi-Fi Plug Mini",
    voltage=120.0,
    device_type="SMART.TAPOPLUG",
    components=_PLUG_COMPONENTS,
)
KP125M = SmartModelProfile(
    key="KP125M",
    model="KP125M(US)",
    hw_ver="1.0",
    sw_ver="1.2.3 Build 240624 Rel.154806",
    dev_name="Smart Wi-Fi Plug Mini with Energy Monitoring",
    emeter="milli",
    voltage=120.0,
    device_type="SMART.KASAPLUG",
    components=(*_PLUG_COMPONENTS, *_ENERGY_COMPONENTS[1:], ("matter", 2)),
    overheat_field="overheat_status",
    max_power_w=1800,
)

_CAMERA_COMPONENTS: tuple[tuple[str, int], ...] = (
    ("sdCard", 1),
    ("timezone", 1),
    ("system", 3),
    ("led", 1),
    ("playback", 4),
    ("detection", 2),
    ("alert", 1),
    ("firmware", 2),
    ("account", 2),
    ("quickSetup", 1),
    ("video", 1),
    ("lensMask", 2),
    ("lightFrequency", 1),
    ("dayNightMode", 1),
    ("osd", 2),
    ("record", 1),
    ("audio", 2),
    ("diagnose", 1),
    ("msgPush", 3),
    ("deviceShare", 1),
    ("iotCloud", 1),
)

C200 = CameraModelProfile(
    key="C200",
    model="C200",
    hw_ver="1.0",
    sw_ver="1.3.17 Build 260112 Rel.54862n(4555)",
    dev_name="Tapo C200",
    device_type="SMART.IPCAMERA",
    components=(
        *_CAMERA_COMPONENTS,
        ("ptz", 1),
        ("videoRotation", 1),
        ("targetTrack", 1),
        ("babyCryDetection", 1),
    ),
)
C210 = CameraModelProfile(
    key="C210",
    model="C210(EU)",
    hw_ver="2.0",
    sw_ver="1.4.3 Build 240708 Rel.56935n",
    dev_name="Tapo C210",
    device_type="SMART.IPCAMERA",
    components=(
        *_CAMERA_COMPONENTS,
        ("ptz", 1),
        ("personDetection", 1),
        ("tamperDetection", 1),
        ("babyCryDetection", 1),
    ),
)
C460 = CameraModelProfile(
    key="C460",
    model="C460(CA)",
    hw_ver="1.0",
    sw_ver="1.2.0 Build 250910 Rel.70120n",
    dev_name="Tapo C460",
    device_type="SMART.IPCAMERA",
    components=(
        *_CAMERA_COMPONENTS,
        ("personDetection", 2),
        ("vehicleDetection", 1),
        ("petDetection", 1),
        ("battery", 3),
        ("noHubBatteryCam", 1),
    ),
    battery=True,
)

SMART_MODELS: dict[str, SmartModelProfile] = {m.key: m for m in (P110, P100, KP125M)}
CAMERA_MODELS: dict[str, CameraModelProfile] = {m.key: m for m in (C200, C210, C460)}


def find_smart_model(name: str | SmartModelProfile) -> SmartModelProfile:
    """Return a SMART plug profile by key (``P110``) or model string."""
    if isinstance(name, SmartModelProfile):
        return name
    for profile in SMART_MODELS.values():
        if name in (profile.key, profile.model, profile.short_model):
            return profile
    raise KeyError(f"unknown SMART model {name!r}; known: {', '.join(SMART_MODELS)}")


def find_camera_model(
    name: str | CameraModelProfile | None, *, battery: bool = False
) -> CameraModelProfile:
    """Return a camera profile by key (``C200``) or model string."""
    if isinstance(name, CameraModelProfile):
        return name
    if name is None:
        return C460 if battery else C200
    for profile in CAMERA_MODELS.values():
        if name in (profile.key, profile.model, profile.short_model):
            return profile
    raise KeyError(f"unknown camera {name!r}; known: {', '.join(CAMERA_MODELS)}")


# ----------------------------------------------------------------- Kasa Spot
@dataclass(frozen=True, slots=True)
class KasaSpotModelProfile(ModelProfile):
    """A Kasa Spot camera (``IOT.IPCAMERA``), which python-kasa does not support.

    It answers legacy discovery (UDP 9999) with its system info nested one
    level deeper than a plug's and serves HTTPS on its service port (10443);
    nothing else of it is simulated.
    """

    resolution: str = "1080P"
    stream_version: int = 2
    """``stream_version``: python-kasa would take it as the login version."""
    a_type: int = 2
    c_opt: tuple[int, ...] = (0, 1)
    f_list: tuple[int, ...] = (1, 2)
    new_feature: tuple[int, ...] = (2, 3, 4, 5, 7, 9)

    @property
    def short_model(self) -> str:
        """Return the model without its region (``EC60``)."""
        return self.model.partition("(")[0]


EC60 = KasaSpotModelProfile(
    key="EC60",
    model="EC60(US)",
    hw_ver="4.0",
    sw_ver="2.3.22 Build 20230731 rel.69808",
    dev_name="Kasa Spot, 24/7 Recording",
    device_type="IOT.IPCAMERA",
    resolution="720P",
)
"""The shape of python-kasa's public fixture ``EC60(US)_4.0_2.3.22``."""
KC400 = KasaSpotModelProfile(
    key="KC400",
    model="KC400(US)",
    hw_ver="1.0",
    sw_ver="1.0.14 Build 220826 rel.48537",
    dev_name="Kasa Spot 2K",
    device_type="IOT.IPCAMERA",
    resolution="1296P",
)
"""Modelled on the EC60 (no public fixture): model, name and versions only."""
KC410S = KasaSpotModelProfile(
    key="KC410S",
    model="KC410S(US)",
    hw_ver="1.0",
    sw_ver="1.0.12 Build 220602 rel.50916",
    dev_name="Kasa Spot Pan Tilt 2K",
    device_type="IOT.IPCAMERA",
    resolution="1296P",
)
"""Modelled on the EC60 (no public fixture): model, name and versions only."""

KASA_SPOT_MODELS: dict[str, KasaSpotModelProfile] = {
    m.key: m for m in (EC60, KC400, KC410S)
}


def find_kasa_spot_model(
    name: str | KasaSpotModelProfile | None,
) -> KasaSpotModelProfile:
    """Return a Kasa Spot profile by key (``EC60``) or model string (None: EC60)."""
    if isinstance(name, KasaSpotModelProfile):
        return name
    if name is None:
        return EC60
    for profile in KASA_SPOT_MODELS.values():
        if name in (profile.key, profile.model, profile.short_model):
            return profile
    known = ", ".join(KASA_SPOT_MODELS)
    raise KeyError(f"unknown Kasa Spot camera {name!r}; known: {known}")
