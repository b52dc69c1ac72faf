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
    """Static description of one device model on the legacy (IOT) firmware."""

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
