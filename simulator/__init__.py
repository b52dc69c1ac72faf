"""Simulated TP-Link Kasa devices for tests and manual runs.

The legacy local protocol (IOT JSON over the XOR cipher on TCP/UDP 9999),
KLAP (SMART plugs over HTTP), SSL-AES (Tapo cameras over HTTPS) and SMART
discovery (UDP 20002) are implemented so that python-kasa's unmodified
discovery, connect and update code talks to the simulated devices. Kasa Spot
cameras, which python-kasa refuses, answer legacy discovery and accept TLS on
their service port (HTTPS 10443). See ``simulator/README.md``.
"""

from .device import Endpoint, SimulatedDevice, SimulatedPlug, system_clock
from .discovery import SMART_DISCOVERY_PORT, SmartDiscoveryEndpoint
from .fleet import DEFAULT_CAMERA_PORT, DEFAULT_FLEET, DEFAULT_KLAP_PORT, Simulator
from .iot import IotApi
from .kasaspot import (
    SERVICE_PORT as KASA_SPOT_SERVICE_PORT,
    KasaSpotApi,
    KasaSpotServiceEndpoint,
    SimulatedKasaSpotCamera,
)
from .klap import KlapEndpoint
from .legacy import (
    BROADCAST_ADDRESS,
    DEFAULT_PORT,
    LegacyBroadcastListener,
    LegacyDiscoveryEndpoint,
    LegacyEndpoint,
    xor_decrypt,
    xor_encrypt,
)
from .models import (
    CAMERA_MODELS,
    KASA_SPOT_MODELS,
    MODELS,
    SMART_MODELS,
    CameraModelProfile,
    KasaSpotModelProfile,
    ModelProfile,
    SmartModelProfile,
    find_camera_model,
    find_kasa_spot_model,
    find_model,
    find_smart_model,
)
from .smartdevice import (
    DEFAULT_CAMERA_PASSWORD,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    AuthenticatedDevice,
    SimulatedCamera,
    SmartPlug,
)
from .sslaes import SslAesEndpoint

__all__ = [
    "BROADCAST_ADDRESS",
    "CAMERA_MODELS",
    "DEFAULT_CAMERA_PASSWORD",
    "DEFAULT_CAMERA_PORT",
    "DEFAULT_FLEET",
    "DEFAULT_KLAP_PORT",
    "DEFAULT_PASSWORD",
    "DEFAULT_PORT",
    "DEFAULT_USERNAME",
    "KASA_SPOT_MODELS",
    "KASA_SPOT_SERVICE_PORT",
    "MODELS",
    "SMART_DISCOVERY_PORT",
    "SMART_MODELS",
    "AuthenticatedDevice",
    "CameraModelProfile",
    "Endpoint",
    "IotApi",
    "KasaSpotApi",
    "KasaSpotModelProfile",
    "KasaSpotServiceEndpoint",
    "KlapEndpoint",
    "LegacyBroadcastListener",
    "LegacyDiscoveryEndpoint",
    "LegacyEndpoint",
    "ModelProfile",
    "SimulatedCamera",
    "SimulatedDevice",
    "SimulatedKasaSpotCamera",
    "SimulatedPlug",
    "Simulator",
    "SmartDiscoveryEndpoint",
    "SmartModelProfile",
    "SmartPlug",
    "SslAesEndpoint",
    "find_camera_model",
    "find_kasa_spot_model",
    "find_model",
    "find_smart_model",
    "system_clock",
    "xor_decrypt",
    "xor_encrypt",
]
