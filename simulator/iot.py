"""The legacy Kasa (IOT) JSON command set of a simulated plug.

Requests look like ``{"module": {"method": {params}}, ...}``; several modules
and several methods per module may be merged into one request, and the reply
has the same shape. An unknown module answers
``{"err_code": -1, "err_msg": "module not support"}`` in place of the module,
an unknown method ``{"err_code": -2, "err_msg": "member not support"}`` in
place of the method, as the real firmware does. The transport (XOR over TCP or
UDP) lives in :mod:`simulator.legacy`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .device import SimulatedPlug

Params = dict[str, Any]
Reply = dict[str, Any]
Handler = Callable[[Params], Reply]

ERR_MODULE: Reply = {"err_code": -1, "err_msg": "module not support"}
ERR_MEMBER: Reply = {"err_code": -2, "err_msg": "member not support"}
ERR_ARGUMENT: Reply = {"err_code": -3, "err_msg": "invalid argument"}

TIMEZONE_INDEX_UTC = 38
"""Index of "UCT" in the firmware's timezone table (python-kasa maps it)."""


class InvalidArgumentError(Exception):
    """A method was called with missing or wrong parameters."""


def _int_param(params: Params, name: str) -> int:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(name)
    return value


def _ok(**values: Any) -> Reply:
    return {**values, "err_code": 0}


class IotApi:
    """Answer legacy IOT requests from the state of a :class:`SimulatedPlug`."""

    def __init__(self, device: SimulatedPlug) -> None:
        self.device = device
        self.reboot_requested = False
        """Set by ``system.reboot``; the transport reboots after replying."""

    # ----------------------------------------------------------------- routing
    def modules(self) -> dict[str, dict[str, Handler]]:
        """Return the supported modules and methods of this device."""
        modules: dict[str, dict[str, Handler]] = {
            "system": {
                "get_sysinfo": self.get_sysinfo,
                "set_relay_state": self.set_relay_state,
                "set_dev_alias": self.set_dev_alias,
                "set_led_off": self.set_led_off,
                "reboot": self.reboot,
            },
            "cnCloud": {"get_info": self.get_cloud_info},
            "schedule": {
                "get_rules": self.get_rules,
                "get_next_action": self.get_next_action,
                "get_daystat": self.get_usage_daystat,
                "get_monthstat": self.get_usage_monthstat,
            },
            "anti_theft": {
                "get_rules": self.get_rules,
                "get_next_action": self.get_next_action,
            },
            "count_down": {
                "get_rules": self.get_countdown_rules,
                "get_next_action": self.get_next_action,
            },
            "time": {"get_time": self.get_time, "get_timezone": self.get_timezone},
        }
        if self.device.has_emeter:
            modules["emeter"] = {
                "get_realtime": self.get_realtime,
                "get_daystat": self.get_emeter_daystat,
                "get_monthstat": self.get_emeter_monthstat,
                "erase_emeter_stat": self.erase_emeter_stat,
            }
        return modules

    def handle(self, request: Any) -> Reply:
        """Answer one (possibly merged) request."""
        if not isinstance(request, dict):
            return dict(ERR_ARGUMENT)
        modules = self.modules()
        reply: Reply = {}
        for module, methods in request.items():
            if module == "context":  # child ids of power strips
                continue
            handlers = modules.get(module)
            if handlers is None:
                reply[module] = dict(ERR_MODULE)
                continue
            if not isinstance(methods, dict):
                reply[module] = dict(ERR_ARGUMENT)
                continue
            answers: Reply = {}
            for method, raw_params in methods.items():
                handler = handlers.get(method)
                if handler is None:
                    answers[method] = dict(ERR_MEMBER)
                    continue
                params = raw_params if isinstance(raw_params, dict) else {}
                try:
                    answers[method] = handler(params)
                except InvalidArgumentError:
                    answers[method] = dict(ERR_ARGUMENT)
            reply[module] = answers
        return reply

    # ------------------------------------------------------------------ system
    def sysinfo(self) -> Reply:
        """Return the ``system.get_sysinfo`` payload."""
        dev = self.device
        profile = dev.profile
        info: Reply = {
            "sw_ver": profile.sw_ver,
            "hw_ver": profile.hw_ver,
            "model": profile.model,
            "deviceId": dev.device_id,
            "oemId": profile.oem_id,
            "hwId": profile.hw_id,
            "rssi": dev.rssi,
        }
        if profile.integer_location:
            info.update({"latitude_i": 0, "longitude_i": 0})
        else:
            info.update({"fwId": profile.fw_id, "latitude": 0, "longitude": 0})
        info.update(
            {
                "alias": dev.alias,
                "status": "new",
                "obd_src": "tplink",
                "mic_type" if profile.type_field == "mic_type" else "type": (
                    profile.device_type
                ),
                "mac": dev.mac,
                "updating": 0,
                "led_off": 0 if dev.led_on else 1,
                "relay_state": 1 if dev.relay_on else 0,
                "on_time": dev.on_time,
                "active_mode": "none",
                "icon_hash": "",
                "dev_name": profile.dev_name,
                "next_action": {"type": -1},
                "feature": profile.feature,
                "ntc_state": 0,
                "err_code": 0,
            }
        )
        return dev.reported(info)

    def get_sysinfo(self, params: Params) -> Reply:
        return self.sysinfo()

    def set_relay_state(self, params: Params) -> Reply:
        self.device.apply_relay(bool(_int_param(params, "state")))
        return _ok()

    def set_dev_alias(self, params: Params) -> Reply:
        alias = params.get("alias")
        if not isinstance(alias, str):
            raise InvalidArgumentError("alias")
        self.device.alias = alias
        return _ok()

    def set_led_off(self, params: Params) -> Reply:
        self.device.led_on = not _int_param(params, "off")
        return _ok()

    def reboot(self, params: Params) -> Reply:
        self.reboot_requested = True
        return _ok()

    # ------------------------------------------------------------------- cloud
    def get_cloud_info(self, params: Params) -> Reply:
        dev = self.device
        return _ok(
            username=dev.cloud_username if dev.cloud_bound else "",
            server="n-devs.tplinkcloud.com",
            binded=1 if dev.cloud_bound else 0,
            cld_connection=1 if dev.cloud_connected else 0,
            illegalType=0,
            stopConnect=0,
            tcspStatus=1 if dev.cloud_connected else 0,
            fwDlPage="",
            tcspInfo="",
            fwNotifyType=0,
        )

    # ------------------------------------------------------------------- rules
    def get_rules(self, params: Params) -> Reply:
        return _ok(rule_list=[], enable=0, version=2)

    def get_countdown_rules(self, params: Params) -> Reply:
        return _ok(rule_list=[])

    def get_next_action(self, params: Params) -> Reply:
        return _ok(type=-1)

    # -------------------------------------------------------------------- time
    def get_time(self, params: Params) -> Reply:
        now = self.device.local_time()
        return _ok(
            year=now.year,
            month=now.month,
            mday=now.day,
            hour=now.hour,
            min=now.minute,
            sec=now.second,
        )

    def get_timezone(self, params: Params) -> Reply:
        return _ok(
            index=TIMEZONE_INDEX_UTC,
            zone_str="(UTC) Coordinated Universal Time",
            tz_str="UTC0",
            dst_offset=0,
        )

    # ------------------------------------------------------------------- usage
    def get_usage_daystat(self, params: Params) -> Reply:
        year, month = _int_param(params, "year"), _int_param(params, "month")
        days = self.device.day_stats(year, month)
        return _ok(
            day_list=[
                {
                    "year": day.year,
                    "month": day.month,
                    "day": day.day,
                    "time": int(stat.on_seconds // 60),
                }
                for day, stat in days
            ]
        )

    def get_usage_monthstat(self, params: Params) -> Reply:
        year = _int_param(params, "year")
        months = self.device.month_stats(year)
        return _ok(
            month_list=[
                {"year": year, "month": month, "time": int(stat.on_seconds // 60)}
                for month, stat in months
            ]
        )

    # ------------------------------------------------------------------ emeter
    def _energy(self, wh: float) -> Reply:
        if self.device.profile.emeter == "milli":
            return {"energy_wh": round(wh)}
        return {"energy": round(wh / 1000, 3)}

    def get_realtime(self, params: Params) -> Reply:
        voltage, current, power = self.device.realtime()
        total_wh = self.device.total_energy_wh()
        if self.device.profile.emeter == "milli":
            return _ok(
                voltage_mv=round(voltage * 1000),
                current_ma=round(current * 1000),
                power_mw=round(power * 1000),
                total_wh=round(total_wh),
            )
        return _ok(
            voltage=round(voltage, 6),
            current=round(current, 6),
            power=round(power, 6),
            total=round(total_wh / 1000, 3),
        )

    def get_emeter_daystat(self, params: Params) -> Reply:
        year, month = _int_param(params, "year"), _int_param(params, "month")
        days = self.device.day_stats(year, month)
        return _ok(
            day_list=[
                {
                    "year": day.year,
                    "month": day.month,
                    "day": day.day,
                    **self._energy(stat.energy_wh),
                }
                for day, stat in days
            ]
        )

    def get_emeter_monthstat(self, params: Params) -> Reply:
        year = _int_param(params, "year")
        months = self.device.month_stats(year)
        return _ok(
            month_list=[
                {"year": year, "month": month, **self._energy(stat.energy_wh)}
                for month, stat in months
            ]
        )

    def erase_emeter_stat(self, params: Params) -> Reply:
        self.device.erase_stats()
        return _ok()
