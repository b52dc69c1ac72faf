"""The SMART JSON command set of a simulated Tapo/Kasa plug.

A request is ``{"method": M, "params": {...}, "request_time_milis": ...,
"terminal_uuid": ...}``; python-kasa batches its queries as
``multipleRequest`` with ``{"requests": [{"method": M, "params": P}, ...]}``
and gets ``{"responses": [{"method": M, "result": {...}, "error_code": 0},
...]}``. An unknown method answers ``error_code`` -1002, in a batch as its
entry. The transport (KLAP over HTTP) lives in :mod:`simulator.klap`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .smartdevice import SmartPlug

Params = dict[str, Any]
Reply = dict[str, Any]
Handler = Callable[[Params], Reply | None]

SUCCESS = 0
UNKNOWN_METHOD_ERROR = -1002
JSON_DECODE_FAIL_ERROR = -1003
PARAMS_ERROR = -1008
CLOUD_FAILED_ERROR = -1007
FIRMWARE_ERROR = -1401


class SmartError(Exception):
    """A method failed with a SMART error code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def b64(text: str) -> str:
    """Return ``text`` base64-encoded, as the firmware stores names and SSIDs."""
    return base64.b64encode(text.encode()).decode()


def _bool_param(params: Params, name: str) -> bool:
    value = params.get(name)
    if not isinstance(value, bool):
        raise SmartError(PARAMS_ERROR)
    return value


class SmartApi:
    """Answer SMART requests from the state of a :class:`SmartPlug`."""

    SSID = "Simulated WiFi"

    def __init__(self, device: SmartPlug) -> None:
        self.device = device

    # ----------------------------------------------------------------- routing
    def handlers(self) -> dict[str, Handler]:
        """Return the methods this plug answers."""
        dev = self.device
        handlers: dict[str, Handler] = {
            "component_nego": self.component_nego,
            "get_device_info": self.get_device_info,
            "set_device_info": self.set_device_info,
            "get_device_usage": self.get_device_usage,
            "get_device_time": self.get_device_time,
            "get_connect_cloud_state": self.get_connect_cloud_state,
            "get_latest_fw": self.get_latest_fw,
            "get_fw_download_state": self.get_fw_download_state,
            "fw_download": self.fw_download,
            "get_auto_update_info": self.get_auto_update_info,
            "set_auto_update_info": self.set_auto_update_info,
            "get_led_info": self.get_led_info,
            "set_led_info": self.set_led_info,
            "get_auto_off_config": self.get_auto_off_config,
            "set_auto_off_config": self.set_auto_off_config,
            "get_wireless_scan_info": self.get_wireless_scan_info,
            "get_next_event": lambda _: {},
            "get_schedule_rules": self.get_schedule_rules,
            "get_countdown_rules": self.get_countdown_rules,
            "get_antitheft_rules": self.get_antitheft_rules,
            "device_reboot": self.device_reboot,
        }
        if dev.has_emeter:
            handlers.update(
                {
                    "get_energy_usage": self.get_energy_usage,
                    "get_current_power": self.get_current_power,
                    "get_emeter_data": self.get_emeter_data,
                    "get_emeter_vgain_igain": self.get_emeter_vgain_igain,
                    "get_electricity_price_config": self.get_price_config,
                }
            )
        if dev.smart_profile.has_component("power_protection"):
            handlers.update(
                {
                    "get_protection_power": self.get_protection_power,
                    "set_protection_power": self.set_protection_power,
                    "get_max_power": self.get_max_power,
                }
            )
        if dev.smart_profile.has_component("matter"):
            handlers["get_matter_setup_info"] = self.get_matter_setup_info
        for method in self.device.unsupported_methods:
            handlers.pop(method, None)
        return handlers

    def handle(self, request: Any) -> Reply:
        """Answer one request (a single method or ``multipleRequest``)."""
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return {"error_code": JSON_DECODE_FAIL_ERROR}
        method = request["method"]
        params = request.get("params")
        if method == "multipleRequest":
            requests = params.get("requests") if isinstance(params, dict) else None
            if not isinstance(requests, list):
                return {"error_code": PARAMS_ERROR}
            handlers = self.handlers()
            responses = [self._call(handlers, entry) for entry in requests]
            return {"error_code": SUCCESS, "result": {"responses": responses}}
        reply = self._call(self.handlers(), request)
        reply.pop("method", None)
        return reply

    def _call(self, handlers: dict[str, Handler], entry: Any) -> Reply:
        if not isinstance(entry, dict) or not isinstance(entry.get("method"), str):
            return {"method": "", "error_code": PARAMS_ERROR}
        method = entry["method"]
        handler = handlers.get(method)
        if handler is None:
            return {"method": method, "error_code": UNKNOWN_METHOD_ERROR}
        raw = entry.get("params")
        try:
            result = handler(raw if isinstance(raw, dict) else {})
        except SmartError as err:
            return {"method": method, "error_code": err.code}
        if result is None:  # setters answer without a result
            return {"method": method, "error_code": SUCCESS}
        return {"method": method, "result": result, "error_code": SUCCESS}

    # ------------------------------------------------------------------ device
    def component_nego(self, params: Params) -> Reply:
        return {
            "component_list": [
                {"id": name, "ver_code": version}
                for name, version in self.device.smart_profile.components
            ]
        }

    def get_device_info(self, params: Params) -> Reply:
        dev = self.device
        profile = dev.smart_profile
        info: Reply = {
            "device_id": dev.device_id,
            "fw_ver": dev.fw_ver,
            "hw_ver": profile.hw_ver,
            "type": profile.device_type,
            "model": profile.short_model,
            "mac": dev.dashed_mac,
            "hw_id": profile.hw_id,
            "fw_id": profile.fw_id,
            "oem_id": profile.oem_id,
            "ip": dev.host,
            "time_diff": self._time_diff(),
            "ssid": b64(self.SSID),
            "signal_level": dev.signal_level,
            "latitude": 0,
            "longitude": 0,
            "lang": "en_US",
            "avatar": "plug",
            "region": profile.timezone_region,
            "specs": "",
            "nickname": b64(dev.alias),
            "has_set_location_info": False,
            "device_on": dev.relay_on,
            "on_time": dev.on_time,
            "default_states": {
                "type": "custom" if not dev.power_on_relay else "last_states",
                "state": {} if dev.power_on_relay else {"on": False},
            },
            "auto_off_status": "on" if dev.auto_off_enabled and dev.relay_on else "off",
            "auto_off_remain_time": (
                dev.auto_off_minutes * 60
                if dev.auto_off_enabled and dev.relay_on
                else 0
            ),
        }
        if dev.rssi_reported:
            info["rssi"] = dev.rssi
        if profile.overheat_field == "overheat_status":
            info["overheat_status"] = "overheated" if dev.overheated else "normal"
        else:
            info["overheated"] = dev.overheated
        if profile.has_component("power_protection"):
            info["power_protection_status"] = "normal"
        if profile.has_component("current_protection"):
            info["overcurrent_status"] = "normal"
        return dev.reported(info)

    def set_device_info(self, params: Params) -> None:
        dev = self.device
        if "device_on" in params:
            dev.apply_relay(_bool_param(params, "device_on"))
        if "nickname" in params:
            nickname = params["nickname"]
            if not isinstance(nickname, str):
                raise SmartError(PARAMS_ERROR)
            try:
                dev.alias = base64.b64decode(nickname).decode()
            except ValueError as err:
                raise SmartError(PARAMS_ERROR) from err
        return None

    def device_reboot(self, params: Params) -> None:
        self.device.pending_reboot = True
        return None

    # -------------------------------------------------------------------- time
    def _time_diff(self) -> int:
        """Return the offset of the device's region from UTC in minutes."""
        offset = self._local_time().utcoffset() or timedelta(0)
        return int(offset.total_seconds() // 60)

    def _local_time(self) -> datetime:
        region = self.device.smart_profile.timezone_region
        return datetime.fromtimestamp(self.device.now(), UTC).astimezone(
            ZoneInfo(region)
        )

    def get_device_time(self, params: Params) -> Reply:
        return {
            "timestamp": int(self.device.now()),
            "time_diff": self._time_diff(),
            "region": self.device.smart_profile.timezone_region,
        }

    # ------------------------------------------------------------------- usage
    def _minutes_and_wh(self, days: int) -> tuple[int, int]:
        """Return (on minutes, Wh) over the last ``days`` device-local days."""
        dev = self.device
        dev.accrue()
        today = dev.local_time().date()
        first = today - timedelta(days=days - 1)
        minutes = 0.0
        energy = 0.0
        for day, stat in dev.days.items():
            if first <= day <= today:
                minutes += stat.on_seconds / 60
                energy += stat.energy_wh
        return int(minutes), round(energy)

    def get_device_usage(self, params: Params) -> Reply:
        usage: dict[str, dict[str, int]] = {
            "time_usage": {},
            "power_usage": {},
            "saved_power": {},
        }
        for name, days in (("today", 1), ("past7", 7), ("past30", 30)):
            minutes, wh = self._minutes_and_wh(days)
            usage["time_usage"][name] = minutes
            usage["power_usage"][name] = wh if self.device.has_emeter else 0
            usage["saved_power"][name] = 0
        if not self.device.has_emeter:
            del usage["power_usage"], usage["saved_power"]
        return usage

    # ------------------------------------------------------------------- cloud
    def get_connect_cloud_state(self, params: Params) -> Reply:
        return {"status": 0 if self.device.cloud_connected else 1}

    # ---------------------------------------------------------------- firmware
    def get_latest_fw(self, params: Params) -> Reply:
        dev = self.device
        if not dev.cloud_connected:
            raise SmartError(CLOUD_FAILED_ERROR)
        if not dev.update_available:
            return {
                "type": 0,
                "fw_ver": dev.fw_ver,
                "need_to_upgrade": False,
                "release_date": "",
                "release_note": "",
                "fw_size": 0,
                "oem_id": "",
                "hw_id": "",
            }
        assert dev.latest_fw is not None
        return {
            "type": 1,
            "fw_ver": dev.latest_fw,
            "need_to_upgrade": True,
            "release_date": "2025-06-30",
            "release_note": "Modifications and Bug Fixes:\n1. Simulated update.",
            "fw_size": 786432,
            "oem_id": dev.smart_profile.oem_id,
            "hw_id": dev.smart_profile.hw_id,
        }

    def fw_download(self, params: Params) -> None:
        if not self.device.start_firmware_install():
            raise SmartError(FIRMWARE_ERROR)
        return None

    def get_fw_download_state(self, params: Params) -> Reply:
        status, progress = self.device.next_install_step()
        return {
            "status": status,
            "download_progress": progress,
            "reboot_time": 1,
            "upgrade_time": 1,
            "auto_upgrade": False,
        }

    def get_auto_update_info(self, params: Params) -> Reply:
        return {"enable": self.device.auto_update, "random_range": 120, "time": 180}

    def set_auto_update_info(self, params: Params) -> None:
        self.device.auto_update = _bool_param(params, "enable")
        return None

    # --------------------------------------------------------------------- led
    def get_led_info(self, params: Params) -> Reply:
        on = self.device.led_on
        return {
            "led_rule": "always" if on else "never",
            "led_status": on and self.device.relay_on,
            "night_mode": {
                "night_mode_type": "sunrise_sunset",
                "start_time": 1140,
                "end_time": 420,
                "sunrise_offset": 0,
                "sunset_offset": 0,
            },
        }

    def set_led_info(self, params: Params) -> None:
        rule = params.get("led_rule")
        if rule not in ("always", "never", "auto"):
            raise SmartError(PARAMS_ERROR)
        self.device.led_on = rule != "never"
        return None

    # ---------------------------------------------------------------- auto off
    def get_auto_off_config(self, params: Params) -> Reply:
        dev = self.device
        return {"enable": dev.auto_off_enabled, "delay_min": dev.auto_off_minutes}

    def set_auto_off_config(self, params: Params) -> None:
        dev = self.device
        if "enable" in params:
            dev.auto_off_enabled = _bool_param(params, "enable")
        delay = params.get("delay_min")
        if isinstance(delay, int) and not isinstance(delay, bool):
            dev.auto_off_minutes = delay
        return None

    # ------------------------------------------------------------------- rules
    def get_schedule_rules(self, params: Params) -> Reply:
        return {
            "enable": False,
            "rule_list": [],
            "schedule_rule_max_count": 32,
            "start_index": 0,
            "sum": 0,
        }

    def get_countdown_rules(self, params: Params) -> Reply:
        return {"enable": False, "rule_list": [], "countdown_rule_max_count": 1}

    def get_antitheft_rules(self, params: Params) -> Reply:
        return {"enable": False, "rule_list": [], "antitheft_rule_max_count": 1}

    def get_wireless_scan_info(self, params: Params) -> Reply:
        return {
            "ap_list": [
                {
                    "ssid": b64(self.SSID),
                    "bssid": "000000000000",
                    "channel": 6,
                    "cipher_type": 2,
                    "key_type": "wpa2_psk",
                    "signal_level": self.device.signal_level,
                }
            ],
            "wep_supported": False,
            "start_index": 0,
            "sum": 1,
        }

    # ------------------------------------------------------------------ energy
    def get_energy_usage(self, params: Params) -> Reply:
        dev = self.device
        today = dev.local_time().date()
        month_days = dev.day_stats(today.year, today.month)
        today_stat = next((stat for day, stat in month_days if day == today), None)
        _, _, power = dev.realtime()
        return {
            "today_runtime": int(today_stat.on_seconds // 60) if today_stat else 0,
            "month_runtime": int(sum(s.on_seconds for _, s in month_days) // 60),
            "today_energy": round(today_stat.energy_wh) if today_stat else 0,
            "month_energy": round(sum(s.energy_wh for _, s in month_days)),
            "local_time": dev.local_time().strftime("%Y-%m-%d %H:%M:%S"),
            "electricity_charge": [0, 0, 0],
            "current_power": round(power * 1000),
        }

    def get_current_power(self, params: Params) -> Reply:
        _, _, power = self.device.realtime()
        return {"current_power": round(power)}

    def get_emeter_data(self, params: Params) -> Reply:
        voltage, current, power = self.device.realtime()
        return {
            "voltage_mv": round(voltage * 1000),
            "current_ma": round(current * 1000),
            "power_mw": round(power * 1000),
            "energy_wh": round(self.device.total_energy_wh()),
        }

    def get_emeter_vgain_igain(self, params: Params) -> Reply:
        return {"vgain": 118657, "igain": 10861}

    def get_price_config(self, params: Params) -> Reply:
        return {"type": "constant", "constant_price": 0}

    def get_protection_power(self, params: Params) -> Reply:
        dev = self.device
        return {
            "enabled": dev.protection_enabled,
            "protection_power": dev.protection_power_w,
        }

    def set_protection_power(self, params: Params) -> None:
        dev = self.device
        if "enabled" in params:
            dev.protection_enabled = _bool_param(params, "enabled")
        power = params.get("protection_power")
        if isinstance(power, int) and not isinstance(power, bool):
            dev.protection_power_w = power
        return None

    def get_max_power(self, params: Params) -> Reply:
        return {"max_power": self.device.smart_profile.max_power_w}

    def get_matter_setup_info(self, params: Params) -> Reply:
        digits = str(int(self.device.device_id[:8], 16)).zfill(11)[:11]
        return {"setup_code": digits, "setup_payload": f"MT:{digits}00000000"}
