"""State and faults of the authenticated (SMART) devices, without protocol.

:class:`SmartPlug` is a Tapo or newer Kasa plug spoken to over KLAP,
:class:`SimulatedCamera` a Tapo camera spoken to over SSL-AES. Both have an
account (the TP-Link cloud e-mail and password the app set up) and the faults
of :class:`AuthenticatedDevice` on top of the power and network faults of
:class:`~simulator.device.SimulatedDevice`. The protocol servers live in
:mod:`simulator.klap`, :mod:`simulator.sslaes` and :mod:`simulator.discovery`.
"""

from __future__ import annotations

from collections.abc import Iterable
import hashlib
from typing import Any, Literal

from .device import Clock, SimulatedDevice, SimulatedPlug
from .models import CameraModelProfile, SmartModelProfile

UpdateOutcome = Literal["succeed", "fail", "reject"]
ExpiryReply = Literal["error", "http_401"]
UPDATE_OUTCOMES: tuple[UpdateOutcome, ...] = ("succeed", "fail", "reject")

DEFAULT_USERNAME = "user@example.com"
DEFAULT_PASSWORD = "simulated-Passw0rd"
DEFAULT_CAMERA_PASSWORD = "simulated-Cam3ra"
CAMERA_LOGIN_USER = "admin"
"""The only user name a camera's local login accepts (python-kasa retries it)."""


class AuthenticatedDevice(SimulatedDevice):
    """Account, session and discovery faults of a device that needs a login.

    Subclasses call :meth:`_setup_auth` from their ``__init__``.
    """

    username: str
    password: str
    http_port: int
    handshake_rejected: bool
    discovery_encrypt_type: str | None
    rssi_reported: bool
    signal_level_override: int | None
    handshake_count: int
    """Successful logins (KLAP handshake2 or camera login step 2)."""
    failed_login_count: int
    """Logins refused by the device (camera) or hashes a client cannot match."""

    def _setup_auth(self, *, username: str, password: str, http_port: int) -> None:
        self.username = username
        self.password = password
        self.http_port = http_port
        self.handshake_rejected = False
        self.discovery_encrypt_type = None
        self.rssi_reported = True
        self.signal_level_override = None
        self.handshake_count = 0
        self.failed_login_count = 0
        self.pending_reboot = False
        self.unsupported_methods: set[str] = set()
        """Methods answered as unknown, as by an older firmware."""

    def after_reply(self) -> None:
        """Run what a request asked for once its reply is out (a reboot)."""
        if self.pending_reboot:
            self.pending_reboot = False
            self.spawn(self.reboot())

    # ------------------------------------------------------------- identity
    @property
    def owner(self) -> str:
        """Return the discovery ``owner``: MD5 of the account name, upper-case."""
        return (
            hashlib.md5(self.username.encode(), usedforsecurity=False)
            .hexdigest()
            .upper()
        )

    @property
    def discovery_device_id(self) -> str:
        """Return the 32 hex digit id the discovery reply carries."""
        return (
            hashlib.md5(self.device_id.encode(), usedforsecurity=False)
            .hexdigest()
            .upper()
        )

    @property
    def dashed_mac(self) -> str:
        """Return the MAC the way SMART firmware writes it (``48-22-54-...``)."""
        return self.mac.replace(":", "-")

    def level_for(self, dbm: int) -> int:
        """Return the signal level the firmware derives from an RSSI."""
        raise NotImplementedError

    @property
    def signal_level(self) -> int:
        """Return the reported signal level (derived from RSSI unless pinned)."""
        if self.signal_level_override is not None:
            return self.signal_level_override
        return self.level_for(self.rssi)

    def auth_faults(self) -> dict[str, Any]:
        """Return the account and session faults for :meth:`describe`."""
        return {
            "reject_handshake": self.handshake_rejected,
            "discovery_encryption": self.discovery_encrypt_type,
            "unsupported_methods": sorted(self.unsupported_methods) or None,
        }

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["faults"].update(self.auth_faults())
        info.update(
            {
                "username": self.username,
                "http_port": self.http_port,
                "signal_level": self.signal_level,
                "rssi": self.rssi if self.rssi_reported else None,
                "handshake_count": self.handshake_count,
            }
        )
        return info

    # --------------------------------------------------------------- faults
    async def set_credentials(
        self, username: str | None = None, password: str | None = None
    ) -> None:
        """Change the account (as after a password change in the app).

        Open sessions end: the next request of a connected client is refused
        and its new login uses the new account.
        """
        async with self._lock:
            if username is not None:
                self.username = username
            if password is not None:
                self.password = password
            self._forget_sessions()

    async def reject_handshake(self, on: bool = True) -> None:
        """Answer the first login step with HTTP 403 (as after a firmware update)."""
        async with self._lock:
            self.handshake_rejected = on
            if on:
                self._forget_sessions()

    async def set_discovery_encryption(self, encrypt_type: str | None) -> None:
        """Advertise ``encrypt_type`` (``TPAP``...) in discovery; None: the real one."""
        self.discovery_encrypt_type = encrypt_type or None

    async def expire_sessions(self) -> None:
        """End every session: the next request needs a new login."""
        async with self._lock:
            self._forget_sessions()

    async def set_rssi(self, dbm: int | None) -> None:
        """Change the RSSI; None: the firmware stops reporting it (level stays)."""
        if dbm is None:
            self.rssi_reported = False
            return
        self.rssi = int(dbm)
        self.rssi_reported = True

    async def set_unsupported_methods(self, methods: Iterable[str]) -> None:
        """Answer these methods as unknown (-1002 plugs, -40106 cameras)."""
        self.unsupported_methods = set(methods)

    async def set_signal_level(self, level: int | None) -> None:
        """Pin the reported signal level; None: derive it from the RSSI."""
        self.signal_level_override = None if level is None else int(level)

    def _forget_sessions(self) -> None:
        for endpoint in self.endpoints:
            endpoint.forget_sessions()


class SmartPlug(SimulatedPlug, AuthenticatedDevice):
    """A Tapo P100/P110 or Kasa KP125M plug on the SMART firmware (KLAP)."""

    def __init__(
        self,
        *,
        alias: str,
        mac: str,
        profile: SmartModelProfile,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        http_port: int,
        rssi: int = -50,
        relay_on: bool = True,
        power_on_relay: bool = True,
        led_on: bool = True,
        cloud_connected: bool = True,
        load_w: float = 60.0,
        initial_total_wh: float = 0.0,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            alias=alias,
            mac=mac,
            profile=profile,
            rssi=rssi,
            relay_on=relay_on,
            power_on_relay=power_on_relay,
            led_on=led_on,
            cloud_connected=cloud_connected,
            cloud_bound=True,
            cloud_username=username,
            load_w=load_w,
            initial_total_wh=initial_total_wh,
            clock=clock,
        )
        self._setup_auth(username=username, password=password, http_port=http_port)
        self.smart_profile = profile
        self.kind = "kasa_smart_plug" if profile.brand == "kasa" else "tapo_plug"
        self.fw_ver = profile.sw_ver
        self.overheated = False
        self.latest_fw: str | None = None
        """A newer firmware the cloud offers (None: up to date)."""
        self.update_outcome: UpdateOutcome = "succeed"
        self.update_state: list[tuple[int, int]] = []
        """Remaining (status, progress) steps of a running firmware install."""
        self.flash_pending = False
        self.auto_update = True
        self.auto_off_enabled = False
        self.auto_off_minutes = 120
        self.protection_enabled = False
        self.protection_power_w = 0

    @property
    def short_model(self) -> str:
        """Return the model without its region (``P110``)."""
        return self.smart_profile.short_model

    def level_for(self, dbm: int) -> int:
        """Return the plug's 0-3 signal level for an RSSI."""
        if dbm >= -50:
            return 3
        if dbm >= -60:
            return 2
        if dbm >= -70:
            return 1
        return 0

    @property
    def update_available(self) -> bool:
        """Return True when the cloud offers a newer firmware."""
        return self.latest_fw is not None and self.latest_fw != self.fw_ver

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["faults"].update(
            {
                "overheated": self.overheated,
                "firmware_update": self.latest_fw if self.update_available else None,
                "update_outcome": self.update_outcome,
            }
        )
        info["fw_ver"] = self.fw_ver
        return info

    # --------------------------------------------------------------- faults
    async def set_overheated(self, on: bool = True) -> None:
        """Report the plug as overheated (Tapo ``overheated``, Kasa status)."""
        self.overheated = on

    async def set_firmware_update(
        self, version: str | None, *, outcome: UpdateOutcome | None = None
    ) -> None:
        """Offer firmware ``version`` through ``get_latest_fw`` (None: none).

        ``outcome`` decides what installing it does: ``succeed`` (download,
        flash, reboot into the new version), ``fail`` (the download state
        reports an error, nothing changes) or ``reject`` (``fw_download``
        answers an error).
        """
        self.latest_fw = version or None
        if outcome is not None:
            await self.set_update_outcome(outcome)

    async def set_update_outcome(self, outcome: UpdateOutcome) -> None:
        """Decide whether the next firmware install succeeds (see above)."""
        if outcome not in UPDATE_OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(UPDATE_OUTCOMES)}")
        self.update_outcome = outcome

    # ------------------------------------------------------ firmware install
    def start_firmware_install(self) -> bool:
        """Begin installing the offered firmware (``fw_download``).

        Return False when the device refuses (``reject`` or nothing offered).
        """
        if self.update_outcome == "reject" or not self.update_available:
            return False
        if self.update_outcome == "fail":
            self.update_state = [(2, 40), (-1001, 40)]
        else:
            self.update_state = [(2, 50), (2, 100), (3, 100)]
        return True

    def next_install_step(self) -> tuple[int, int]:
        """Return the next (status, progress) of ``get_fw_download_state``.

        Reaching the flashing step (3) reboots the plug into the new firmware
        once the reply is out; a failed download ends idle again.
        """
        if not self.update_state:
            return 0, 0
        status, progress = self.update_state.pop(0)
        if status == 3:
            self.update_state.clear()
            self.flash_pending = True
        elif status < 0:
            self.update_state.clear()
        return status, progress

    def after_reply(self) -> None:
        """Flash the downloaded firmware once the flashing reply is out."""
        if self.flash_pending:
            self.flash_pending = False
            if self.latest_fw is not None:
                self.fw_ver = self.latest_fw
                self.latest_fw = None
            self.pending_reboot = True
        super().after_reply()


class SimulatedCamera(AuthenticatedDevice):
    """A Tapo camera (C200/C210, battery C460) on SSL-AES."""

    def __init__(
        self,
        *,
        alias: str,
        mac: str,
        profile: CameraModelProfile,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_CAMERA_PASSWORD,
        http_port: int,
        rssi: int = -55,
        battery_percent: int = 85,
        battery_details: bool = True,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(alias=alias, mac=mac, profile=profile, rssi=rssi, clock=clock)
        self._setup_auth(username=username, password=password, http_port=http_port)
        self.camera_profile = profile
        self.kind = "battery_camera" if profile.battery else "tapo_camera"
        self.privacy_mode = False
        self.led_on = True
        self.motion_detection = True
        self.battery_percent = battery_percent
        self.battery_low_override: bool | None = None
        self.battery_charging = False
        self.battery_details = battery_details
        """Report ``battery_temperature``/``battery_voltage`` (some firmware not)."""
        self.battery_temperature_c = 22
        self.battery_voltage_mv = 3950
        self.expired_session_reply: ExpiryReply = "error"
        """How a request of an unknown session is answered: -40401 or HTTP 401."""
        self.third_party_compat = True
        self.blocked_until: float | None = None
        self.login_attempts = 0
        """Login step 1 requests received (any user name)."""

    @property
    def short_model(self) -> str:
        """Return the model without its region."""
        return self.camera_profile.short_model

    @property
    def has_battery(self) -> bool:
        """Return True for battery models."""
        return self.camera_profile.battery

    @property
    def battery_low(self) -> bool:
        """Return the low-battery flag (below 20 % unless pinned)."""
        if self.battery_low_override is not None:
            return self.battery_low_override
        return self.battery_percent < 20

    @property
    def block_seconds_left(self) -> int:
        """Return how long logins stay blocked (0: not blocked)."""
        if self.blocked_until is None:
            return 0
        left = int(self.blocked_until - self.clock() + 0.999)
        if left <= 0:
            self.blocked_until = None
            return 0
        return left

    def level_for(self, dbm: int) -> int:
        """Return the camera's 0-4 signal level for an RSSI."""
        if dbm >= -45:
            return 4
        if dbm >= -60:
            return 3
        if dbm >= -70:
            return 2
        if dbm >= -80:
            return 1
        return 0

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["faults"].update(
            {
                "third_party_compat": self.third_party_compat,
                "blocked": self.block_seconds_left or None,
            }
        )
        info["privacy_mode"] = self.privacy_mode
        if self.has_battery:
            info["battery"] = {
                "percent": self.battery_percent,
                "low": self.battery_low,
                "charging": self.battery_charging,
            }
        return info

    # --------------------------------------------------------------- faults
    async def set_battery(
        self,
        percent: int | None = None,
        *,
        low: bool | None = None,
        charging: bool | None = None,
    ) -> None:
        """Change the battery level, charging state and low flag.

        ``low`` pins the low-battery flag; None derives it (below 20 %).
        Changing only ``charging`` leaves the flag as it was.
        """
        if percent is not None:
            self.battery_percent = max(0, min(100, int(percent)))
        if percent is not None or low is not None or charging is None:
            self.battery_low_override = low
        if charging is not None:
            self.battery_charging = charging

    async def set_third_party_compat(self, on: bool) -> None:
        """Turn the app's "Third-Party Compatibility" on or off.

        Off, the camera's local login does not use the cloud password: the
        challenge it answers matches no password the client knows, which
        python-kasa reports as a wrong password (the real replies are not
        documented; this is the failure users report).
        """
        async with self._lock:
            self.third_party_compat = on
            if not on:
                self._forget_sessions()

    async def block(self, seconds: float | None) -> None:
        """Block logins for ``seconds`` (-40404 with ``sec_left``); None ends it."""
        async with self._lock:
            if not seconds:
                self.blocked_until = None
                return
            self.blocked_until = self.clock() + float(seconds)
            self._forget_sessions()

    async def set_expired_session_reply(self, reply: ExpiryReply) -> None:
        """Answer requests of an ended session with -40401 or with HTTP 401."""
        if reply not in ("error", "http_401"):
            raise ValueError("reply must be error or http_401")
        self.expired_session_reply = reply

    async def set_privacy(self, on: bool) -> None:
        """Turn the lens mask (privacy mode) on or off."""
        self.privacy_mode = on

    async def set_led(self, on: bool) -> None:
        """Turn the status LED on or off."""
        self.led_on = on
