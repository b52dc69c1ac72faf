"""The smartcam JSON command set of a simulated Tapo camera.

Requests are ``{"method": "multipleRequest", "params": {"requests": [{"method":
"getDeviceInfo", "params": {"device_info": {"name": ["basic_info"]}}}, ...]}}``;
every entry of the reply carries its ``method``. A method the camera does not
know answers ``error_code`` -40106, as the firmware does. The transport
(SSL-AES over HTTPS) lives in :mod:`simulator.sslaes`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .smartapi import b64
from .smartdevice import SimulatedCamera

Params = dict[str, Any]
Reply = dict[str, Any]
Handler = Callable[[Params], Reply]

SUCCESS = 0
UNSUPPORTED_METHOD = -40106
INVALID_ARGUMENTS = -40209
PROTOCOL_FORMAT_ERROR = -40210


class CameraError(Exception):
    """A method failed with a smartcam error code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def _section(params: Params, module: str, section: str) -> dict[str, Any]:
    """Return ``params[module][section]`` of a setter (CameraError if absent)."""
    inner = params.get(module)
    values = inner.get(section) if isinstance(inner, dict) else None
    if not isinstance(values, dict):
        raise CameraError(INVALID_ARGUMENTS)
    return values


def _enabled(values: dict[str, Any]) -> bool:
    enabled = values.get("enabled")
    if enabled not in ("on", "off"):
        raise CameraError(INVALID_ARGUMENTS)
    return bool(enabled == "on")


class CameraApi:
    """Answer smartcam requests from the state of a :class:`SimulatedCamera`."""

    SSID = "Simulated WiFi"

    def __init__(self, device: SimulatedCamera) -> None:
        self.device = device
        self.detections: dict[str, bool] = {}

    # ----------------------------------------------------------------- routing
    def handlers(self) -> dict[str, Handler]:
        """Return the methods this camera answers."""
        profile = self.device.camera_profile
        handlers: dict[str, Handler] = {
            "getDeviceInfo": self.get_device_info,
            "getAppComponentList": self.get_app_component_list,
            "getConnectionType": self.get_connection_type,
            "getTimezone": self.get_timezone,
            "getClockStatus": self.get_clock_status,
            "setDeviceAlias": self.set_device_alias,
            "getLedStatus": self.get_led_status,
            "setLedStatus": self.set_led_status,
            "getLensMaskConfig": self.get_lens_mask,
            "setLensMaskConfig": self.set_lens_mask,
        }
        if profile.has_component("detection"):
            handlers["getDetectionConfig"] = self.get_motion_detection
            handlers["setDetectionConfig"] = self.set_motion_detection
            handlers["getLastAlarmInfo"] = self.get_last_alarm_info
        if profile.has_component("ptz"):
            handlers["getPresetConfig"] = self.get_preset_config
        detections = {
            "babyCryDetection": ("BCDConfig", "sound_detection", "bcd"),
            "personDetection": (
                "PersonDetectionConfig",
                "people_detection",
                "detection",
            ),
            "petDetection": ("PetDetectionConfig", "pet_detection", "detection"),
            "vehicleDetection": (
                "VehicleDetectionConfig",
                "vehicle_detection",
                "detection",
            ),
            "tamperDetection": (
                "TamperDetectionConfig",
                "tamper_detection",
                "tamper_det",
            ),
        }
        for component, (name, module, section) in detections.items():
            if profile.has_component(component):
                handlers[f"get{name}"] = self._detection_getter(module, section)
                handlers[f"set{name}"] = self._detection_setter(module, section)
        for method in self.device.unsupported_methods:
            handlers.pop(method, None)
        return handlers

    def handle(self, request: Any) -> Reply:
        """Answer one request (``multipleRequest`` or a single method)."""
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return {"error_code": PROTOCOL_FORMAT_ERROR}
        method = request["method"]
        params = request.get("params")
        handlers = self.handlers()
        if method == "multipleRequest":
            requests = params.get("requests") if isinstance(params, dict) else None
            if not isinstance(requests, list):
                return {"error_code": PROTOCOL_FORMAT_ERROR}
            responses = [self._call(handlers, entry) for entry in requests]
            return {"error_code": SUCCESS, "result": {"responses": responses}}
        reply = self._call(handlers, request)
        reply.pop("method", None)
        return reply

    def _call(self, handlers: dict[str, Handler], entry: Any) -> Reply:
        if not isinstance(entry, dict) or not isinstance(entry.get("method"), str):
            return {"method": "", "result": {}, "error_code": PROTOCOL_FORMAT_ERROR}
        method = entry["method"]
        handler = handlers.get(method)
        if handler is None:
            return {"method": method, "result": {}, "error_code": UNSUPPORTED_METHOD}
        raw = entry.get("params")
        try:
            result = handler(raw if isinstance(raw, dict) else {})
        except CameraError as err:
            return {"method": method, "result": {}, "error_code": err.code}
        return {"method": method, "result": result, "error_code": SUCCESS}

    # ------------------------------------------------------------------ device
    def basic_info(self) -> Reply:
        """Return ``getDeviceInfo``'s ``basic_info``."""
        dev = self.device
        profile = dev.camera_profile
        info: Reply = {
            "device_type": profile.device_type,
            "device_model": profile.short_model,
            "device_name": f"{profile.short_model} {profile.hw_ver}",
            "device_info": f"{profile.short_model} {profile.hw_ver} IPC",
            "hw_version": profile.hw_ver,
            "sw_version": profile.sw_ver,
            "device_alias": dev.alias,
            "avatar": "camera",
            "features": 3,
            "barcode": "",
            "dev_id": dev.device_id,
            "mac": dev.dashed_mac,
            "oem_id": profile.oem_id,
            "hw_id": profile.hw_id,
            "hw_desc": profile.hw_id,
            "latitude": 0,
            "longitude": 0,
            "has_set_location_info": 0,
        }
        if dev.has_battery:
            info.update(
                {
                    "power": "BATTERY",
                    "battery_percent": dev.battery_percent,
                    "low_battery": dev.battery_low,
                    "battery_charging": "YES" if dev.battery_charging else "NO",
                    "battery_overheated": False,
                    "power_save_mode": "off",
                    "power_save_status": "off",
                }
            )
            if dev.battery_details:  # python-kasa 0.10.2 needs both
                info["battery_temperature"] = dev.battery_temperature_c
                info["battery_voltage"] = dev.battery_voltage_mv
        return info

    def get_device_info(self, params: Params) -> Reply:
        return {"device_info": {"basic_info": self.basic_info()}}

    def get_app_component_list(self, params: Params) -> Reply:
        return {
            "app_component": {
                "app_component_list": [
                    {"name": name, "version": version}
                    for name, version in self.device.camera_profile.components
                ]
            }
        }

    def get_connection_type(self, params: Params) -> Reply:
        dev = self.device
        reply: Reply = {
            "link_type": "wifi",
            "rssi": str(dev.signal_level),
            "ssid": b64(self.SSID),
        }
        if dev.rssi_reported:
            reply["rssiValue"] = dev.rssi
        return reply

    def set_device_alias(self, params: Params) -> Reply:
        values = _section(params, "system", "sys")
        alias = values.get("dev_alias")
        if not isinstance(alias, str):
            raise CameraError(INVALID_ARGUMENTS)
        self.device.alias = alias
        return {}

    # -------------------------------------------------------------------- time
    def get_timezone(self, params: Params) -> Reply:
        return {
            "system": {
                "basic": {
                    ".name": "basic",
                    ".type": "setting",
                    "timezone": "UTC+00:00",
                    "timing_mode": "ntp",
                    "zone_id": self.device.camera_profile.timezone_region,
                }
            }
        }

    def get_clock_status(self, params: Params) -> Reply:
        now = self.device.now()
        local = datetime.fromtimestamp(now, UTC)
        return {
            "system": {
                "clock_status": {
                    "local_time": local.strftime("%Y-%m-%d %H:%M:%S"),
                    "seconds_from_1970": int(now),
                }
            }
        }

    # ------------------------------------------------------------ led, privacy
    def get_led_status(self, params: Params) -> Reply:
        return {
            "led": {
                "config": {
                    ".name": "config",
                    ".type": "led",
                    "enabled": _on_off(self.device.led_on),
                }
            }
        }

    def set_led_status(self, params: Params) -> Reply:
        self.device.led_on = _enabled(_section(params, "led", "config"))
        return {}

    def get_lens_mask(self, params: Params) -> Reply:
        return {
            "lens_mask": {
                "lens_mask_info": {
                    ".name": "lens_mask_info",
                    ".type": "lens_mask_info",
                    "enabled": _on_off(self.device.privacy_mode),
                }
            }
        }

    def set_lens_mask(self, params: Params) -> Reply:
        self.device.privacy_mode = _enabled(
            _section(params, "lens_mask", "lens_mask_info")
        )
        return {}

    # --------------------------------------------------------------- detection
    def get_motion_detection(self, params: Params) -> Reply:
        return {
            "motion_detection": {
                "motion_det": {
                    ".name": "motion_det",
                    ".type": "on_off",
                    "enabled": _on_off(self.device.motion_detection),
                    "sensitivity": "medium",
                    "digital_sensitivity": "50",
                }
            }
        }

    def set_motion_detection(self, params: Params) -> Reply:
        self.device.motion_detection = _enabled(
            _section(params, "motion_detection", "motion_det")
        )
        return {}

    def _detection_getter(self, module: str, section: str) -> Handler:
        def get(params: Params) -> Reply:
            enabled = self.detections.get(module, False)
            return {
                module: {
                    section: {
                        ".name": section,
                        ".type": "on_off",
                        "enabled": _on_off(enabled),
                        "sensitivity": "medium",
                    }
                }
            }

        return get

    def _detection_setter(self, module: str, section: str) -> Handler:
        def set_(params: Params) -> Reply:
            self.detections[module] = _enabled(_section(params, module, section))
            return {}

        return set_

    def get_last_alarm_info(self, params: Params) -> Reply:
        return {
            "system": {
                "last_alarm_info": {"last_alarm_time": "0", "last_alarm_type": ""}
            }
        }

    def get_preset_config(self, params: Params) -> Reply:
        return {
            "preset": {
                "preset": {
                    "id": [],
                    "name": [],
                    "position_pan": [],
                    "position_tilt": [],
                    "read_only": [],
                }
            }
        }
