"""Simulated TP-Link Kasa devices for tests and manual runs.

The legacy local protocol (IOT JSON over the XOR cipher on TCP/UDP 9999) is
implemented so that python-kasa's unmodified discovery and update code talks
to the simulated devices. See ``simulator/README.md``.
"""

from .device import Endpoint, SimulatedDevice, SimulatedPlug, system_clock
from .fleet import DEFAULT_FLEET, Simulator
from .iot import IotApi
from .legacy import (
    BROADCAST_ADDRESS,
    DEFAULT_PORT,
    LegacyBroadcastListener,
    LegacyEndpoint,
    xor_decrypt,
    xor_encrypt,
)
from .models import MODELS, ModelProfile, find_model

__all__ = [
    "BROADCAST_ADDRESS",
    "DEFAULT_FLEET",
    "DEFAULT_PORT",
    "MODELS",
    "Endpoint",
    "IotApi",
    "LegacyBroadcastListener",
    "LegacyEndpoint",
    "ModelProfile",
    "SimulatedDevice",
    "SimulatedPlug",
    "Simulator",
    "find_model",
    "system_clock",
    "xor_decrypt",
    "xor_encrypt",
]
