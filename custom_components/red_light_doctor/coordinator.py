"""One coordinator per watched device: probe, remember, diagnose."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_MAC
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import (
    EventStateChangedData,
    async_track_state_change_event,
)
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util
from kasa import Credentials

from .const import (
    CONF_CONNECTION,
    CONF_CREDENTIALS_HASH,
    CONF_DEVICE_ID,
    CONF_FAMILY,
    CONF_GRACE_PERIOD,
    CONF_MODEL,
    CONF_POLL_INTERVAL,
    CONF_POWER_SWITCH,
    CONF_WEAK_SIGNAL_DBM,
    DEFAULT_GRACE_MINUTES,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WEAK_SIGNAL_DBM,
    DOMAIN,
    FIRMWARE_CHECK_INTERVAL,
    LOGGER,
    LOW_BATTERY_PERCENT,
    MAX_OFFLINE_BACKOFF,
    MOVED_DEVICE_SEARCH_INTERVAL,
    WATCHED_DEVICE_RECHECK_INTERVAL,
)
from .diagnosis import Cause, Family, Finding, Fix, FleetSnapshot, Settings, diagnose
from .history import History
from .observation import Failure, Observation, Reading
from .probe import Probe
from .probe.entities import WatchedDeviceProbe
from .probe.kasa import (
    FirmwareInfo,
    KasaIdentity,
    KasaProbe,
    async_asks_for_unsupported_login,
    async_find,
    async_login,
)
from .probe.kasa_spot import KasaSpotProbe
from .probe.power_switch import read_power_switch
from .texts import family_of

type RedLightDoctorConfigEntry = ConfigEntry[RedLightDoctorCoordinator]


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """What the presenters show after a poll."""

    observation: Observation
    findings: tuple[Finding, ...]
    # What changed since the poll before: the causes that appeared, and the
    # findings (as they last stood) whose cause went away.
    opened: tuple[Finding, ...] = ()
    closed: tuple[Finding, ...] = ()

    @classmethod
    def after(
        cls,
        previous: DeviceStatus | None,
        observation: Observation,
        findings: tuple[Finding, ...],
    ) -> DeviceStatus:
        """Return the status of a poll, with what changed since the previous one."""
        before = previous.findings if previous else ()
        now = {finding.cause for finding in findings}
        then = {finding.cause for finding in before}
        return cls(
            observation,
            findings,
            opened=tuple(f for f in findings if f.cause not in then),
            closed=tuple(f for f in before if f.cause not in now),
        )

    @property
    def causes(self) -> frozenset[Cause]:
        """Return the causes found."""
        return frozenset(finding.cause for finding in self.findings)


class ClosedMidPoll(Exception):
    """The coordinator was closed while it looked: the look says nothing."""


class RedLightDoctorCoordinator(DataUpdateCoordinator[DeviceStatus]):
    """Keeps one device's history and findings; a subclass says how to look."""

    config_entry: RedLightDoctorConfigEntry
    probe: Probe

    def __init__(
        self,
        hass: HomeAssistant,
        entry: RedLightDoctorConfigEntry,
        update_interval: timedelta,
    ) -> None:
        """Start with an empty history; nothing is read until the first refresh."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=update_interval,
        )
        self.history = History()
        # The entry data this coordinator was built from or wrote itself; any
        # other change (a reauth, a reconfigure) needs a reload to take effect.
        self._data_in_use = dict(entry.data)
        # Set by async_close: its entry is being unloaded or disabled.
        self._closed = False

    def follows(self, data: Mapping[str, Any]) -> bool:
        """Return whether the coordinator already uses this entry data."""
        return dict(data) == self._data_in_use

    @callback
    def _async_update_entry_data(self, **changes: Any) -> None:
        """Change the entry's data to what the coordinator now uses."""
        self._data_in_use = {**self.config_entry.data, **changes}
        self.hass.config_entries.async_update_entry(
            self.config_entry, data=self._data_in_use
        )

    @property
    def family(self) -> Family:
        """Return the device family, as chosen in the options or detected."""
        return family_of(self.config_entry)

    @property
    def readings(self) -> frozenset[Reading]:
        """Return what the probe can read besides whether the device answers."""
        return self.probe.readings

    @property
    def settings(self) -> Settings:
        """Return the thresholds from the entry's options."""
        options = self.config_entry.options
        return Settings(
            low_battery_percent=LOW_BATTERY_PERCENT,
            grace_period=timedelta(
                minutes=options.get(CONF_GRACE_PERIOD, DEFAULT_GRACE_MINUTES)
            ),
            weak_signal_dbm=options.get(CONF_WEAK_SIGNAL_DBM, DEFAULT_WEAK_SIGNAL_DBM),
        )

    async def _async_update_data(self) -> DeviceStatus:
        was_online = self.history.online
        try:
            observed = await self._async_observe()
            # A later step of the look (a firmware check) may have been cut
            # short as well.
            self._raise_if_closed()
        except ClosedMidPoll:
            return self._as_before()
        observation = replace(
            observed,
            power_switch_on=read_power_switch(
                self.hass, self.config_entry.options.get(CONF_POWER_SWITCH)
            ),
        )
        self.history.record(observation)
        self._log_transition(was_online, observation)
        self.update_interval = self._next_interval()
        return DeviceStatus.after(self.data, observation, self.diagnose())

    async def _async_observe(self) -> Observation:
        """Return what the device shows now, looked at as its kind needs."""
        raise NotImplementedError

    def _raise_if_closed(self) -> None:
        # A closed probe reports the device unreachable; that is not news
        # about the device, nor a reason to look for it elsewhere.
        if self._closed:
            raise ClosedMidPoll

    def _as_before(self) -> DeviceStatus:
        """Return the last status again, with nothing new to announce."""
        return replace(self.data, opened=(), closed=())

    def diagnose(self) -> tuple[Finding, ...]:
        """Return the findings for the history as it stands now."""
        active = self.data.causes if self.data else frozenset()
        return diagnose(
            self.history,
            fleet_snapshot(self.hass),
            self.settings,
            dt_util.utcnow(),
            family=self.family,
            active=active,
        )

    def supports(self, fix: Fix) -> bool:
        """Return whether this kind of device can take a fix at all."""
        return fix is Fix.TURN_ON_POWER_SWITCH

    async def async_find_now(self) -> None:
        """Look for the device at another address now, then poll it."""
        raise NotImplementedError

    async def async_restart(self) -> None:
        """Ask the device to reboot, or raise ProbeError."""
        raise NotImplementedError

    async def async_install_firmware(self) -> bool:
        """Install the offered firmware; return whether the device took it."""
        raise NotImplementedError

    async def async_log_in(self, credentials: Credentials) -> None:
        """Try a login on the device live and keep it, or raise ProbeError."""
        raise NotImplementedError

    async def async_close(self) -> None:
        """Close whatever the probe keeps open, whichever probe holds it now."""
        self._closed = True
        await self.probe.close()

    def apply_options(self) -> None:
        """Use changed options from the next poll on."""
        self.update_interval = self._next_interval()

    def _next_interval(self) -> timedelta:
        return poll_interval(self.config_entry)

    def _log_transition(self, was_online: bool | None, now: Observation) -> None:
        # One line per change of state, not one per failed poll.
        if now.reachable and was_online is False:
            LOGGER.info("%s answers again", self.config_entry.title)
        elif not now.reachable and was_online is not False:
            # Info, not a warning: a dark device is what we report, not a
            # fault of ours (Home Assistant's log-when-unavailable rule).
            LOGGER.info(
                "%s stopped answering (%s)", self.config_entry.title, now.failure
            )


class KasaCoordinator(RedLightDoctorCoordinator):
    """Polls a Kasa or Tapo device on the local network."""

    probe: KasaProbe | KasaSpotProbe

    def __init__(self, hass: HomeAssistant, entry: RedLightDoctorConfigEntry) -> None:
        """Set up the probe; no network traffic until the first refresh."""
        super().__init__(hass, entry, poll_interval(entry))
        self.probe = self._probe_at(entry.data[CONF_HOST])
        self._last_search: datetime | None = None
        self._firmware: FirmwareInfo | None = None
        self._firmware_checked: datetime | None = None
        self._search_requested = False
        # Set when discovery named a login python-kasa cannot do; kept until
        # the device answers again, as it is only checked now and then.
        self._login_unsupported = False

    async def _async_observe(self) -> Observation:
        observation = await self._async_poll()
        if not observation.reachable and self._time_to_search(observation):
            observation = await self._async_follow_moved_device(observation)
        if observation.reachable:
            self._login_unsupported = False
            return await self._async_with_firmware(observation)
        if self._login_unsupported and observation.failure is not Failure.AUTH:
            return replace(observation, failure=Failure.HANDSHAKE_REJECTED)
        return observation

    async def _async_poll(self) -> Observation:
        """Poll the probe; raise ClosedMidPoll if close() cut the poll short."""
        observation = await self.probe.poll()
        self._raise_if_closed()
        return observation

    def supports(self, fix: Fix) -> bool:
        """Return whether the device can take a fix: what its protocol allows."""
        probe = self.probe
        if fix is Fix.RESTART:
            return isinstance(probe, KasaProbe)
        if fix is Fix.INSTALL_FIRMWARE:
            return isinstance(probe, KasaProbe) and probe.smart and not probe.camera
        if fix is Fix.NEW_CREDENTIALS:
            return CONF_CONNECTION in self.config_entry.data
        return fix is Fix.FIND_DEVICE or super().supports(fix)

    async def async_find_now(self) -> None:
        """Look for the device at another address now, then poll it."""
        self._search_requested = True
        await self.async_refresh()

    def _time_to_search(self, failed: Observation) -> bool:
        """Search after a second silent poll in a row, then every few minutes."""
        if self._search_requested:
            return True
        if self.history.consecutive_failures < 1:
            return False
        return (
            self._last_search is None
            or failed.at - self._last_search >= MOVED_DEVICE_SEARCH_INTERVAL
        )

    async def _async_follow_moved_device(self, failed: Observation) -> Observation:
        """Follow a device whose MAC answers at another address, as the entry does."""
        self._search_requested = False
        self._last_search = failed.at
        host = await async_find(self.hass, self.config_entry.data[CONF_MAC])
        # A probe opened after close() would stay open.
        self._raise_if_closed()
        if host is None or host == self.probe.host:
            if CONF_CONNECTION in self.config_entry.data:
                self._login_unsupported = await async_asks_for_unsupported_login(
                    self.probe.host
                )
            return failed
        LOGGER.info(
            "%s now answers at another address; following it", self.config_entry.title
        )
        await self.probe.close()
        self.probe = self._probe_at(host)
        self._async_update_entry_data(**{CONF_HOST: host})
        return await self._async_poll()

    def _probe_at(self, host: str) -> KasaProbe | KasaSpotProbe:
        data = self.config_entry.data
        if data.get(CONF_FAMILY) == Family.KASA_CAMERA:
            return KasaSpotProbe(host)
        return KasaProbe(
            host, data.get(CONF_CONNECTION), data.get(CONF_CREDENTIALS_HASH)
        )

    async def async_log_in(self, credentials: Credentials) -> None:
        """Try a login on the device live and keep it, or raise ProbeError."""
        data = self.config_entry.data
        saved = KasaIdentity(
            host=self.probe.host,
            mac=data[CONF_MAC],
            alias=self.config_entry.title,
            model=data.get(CONF_MODEL, ""),
            connection=data[CONF_CONNECTION],
        )
        await self._async_use_login(await async_login(saved, credentials))

    async def _async_use_login(self, identity: KasaIdentity) -> None:
        """Keep a login that the device accepted, and poll with it at once."""
        self._async_update_entry_data(
            **{
                CONF_CONNECTION: identity.connection,
                CONF_CREDENTIALS_HASH: identity.credentials_hash,
            }
        )
        await self.probe.close()
        self.probe = self._probe_at(self.probe.host)
        await self.async_refresh()

    async def _async_with_firmware(self, observation: Observation) -> Observation:
        """Add what the last firmware check said, checking again when due."""
        probe = self.probe
        if not isinstance(probe, KasaProbe):
            return observation
        if probe.smart and (
            self._firmware_checked is None
            or observation.at - self._firmware_checked >= FIRMWARE_CHECK_INTERVAL
        ):
            self._firmware = await probe.check_firmware()
            self._firmware_checked = observation.at
        if self._firmware is None:
            return observation
        return replace(
            observation,
            firmware=self._firmware.current,
            latest_firmware=self._firmware.latest,
            update_available=self._firmware.available,
        )

    async def async_restart(self) -> None:
        """Ask the device to reboot, or raise ProbeError."""
        assert isinstance(self.probe, KasaProbe)
        await self.probe.restart()

    async def async_install_firmware(self) -> bool:
        """Install the offered firmware, then check again on the next poll."""
        assert isinstance(self.probe, KasaProbe)
        installed = await self.probe.install_firmware()
        self._firmware_checked = None
        return installed

    def _next_interval(self) -> timedelta:
        """Return the routine interval, backed off while the device is dark."""
        interval = poll_interval(self.config_entry)
        failures = self.history.consecutive_failures
        if failures < 2:
            return interval
        backed_off = interval * (1 << min(failures - 1, 10))
        return min(backed_off, max(interval, MAX_OFFLINE_BACKOFF))


class WatchedDeviceCoordinator(RedLightDoctorCoordinator):
    """Reads a device that another integration owns, whenever its entities change.

    Nothing is sent over the network: the owner already polls the device. The
    timer only lets grace periods run out while nothing changes.
    """

    probe: WatchedDeviceProbe

    def __init__(self, hass: HomeAssistant, entry: RedLightDoctorConfigEntry) -> None:
        """Set up the probe; the entities are looked at on the first refresh."""
        super().__init__(hass, entry, WATCHED_DEVICE_RECHECK_INTERVAL)
        self.probe = WatchedDeviceProbe(hass, entry.data[CONF_DEVICE_ID])
        self._tracked: tuple[str, ...] = ()
        self._stop_tracking: CALLBACK_TYPE | None = None

    async def _async_observe(self) -> Observation:
        observation = self.probe.look()
        self._track(tuple(sorted(self.probe.entity_ids())))
        return observation

    def supports(self, fix: Fix) -> bool:
        """Return whether a fix applies: removing our entry, or the power switch."""
        return fix is Fix.REMOVE_ENTRY or super().supports(fix)

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow the device's removal from Home Assistant; return how to stop."""
        stop_registry = self.hass.bus.async_listen(
            dr.EVENT_DEVICE_REGISTRY_UPDATED,
            self._async_device_changed,
            event_filter=self._is_our_device,
        )

        @callback
        def stop() -> None:
            stop_registry()
            self._track(())

        return stop

    @callback
    def _is_our_device(self, data: dr.EventDeviceRegistryUpdatedData) -> bool:
        return data["device_id"] == self.probe.device_id

    @callback
    def _async_device_changed(
        self, event: Event[dr.EventDeviceRegistryUpdatedData]
    ) -> None:
        self._request_refresh()

    @callback
    def _track(self, entity_ids: tuple[str, ...]) -> None:
        """Look again whenever one of these entities changes state."""
        if entity_ids == self._tracked:
            return
        if self._stop_tracking is not None:
            self._stop_tracking()
            self._stop_tracking = None
        self._tracked = entity_ids
        if entity_ids:
            self._stop_tracking = async_track_state_change_event(
                self.hass, entity_ids, self._async_state_changed
            )

    @callback
    def _async_state_changed(self, event: Event[EventStateChangedData]) -> None:
        self._request_refresh()

    @callback
    def _request_refresh(self) -> None:
        self.config_entry.async_create_background_task(
            self.hass,
            self.async_request_refresh(),
            f"{DOMAIN} look at {self.config_entry.title}",
        )

    def _next_interval(self) -> timedelta:
        return WATCHED_DEVICE_RECHECK_INTERVAL


def poll_interval(entry: ConfigEntry) -> timedelta:
    """Return the routine poll interval chosen in the options."""
    return timedelta(
        seconds=entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL)
    )


def fleet_snapshot(hass: HomeAssistant) -> FleetSnapshot:
    """Return what every watched device is doing, for network-wide causes."""
    coordinators: list[RedLightDoctorCoordinator] = [
        entry.runtime_data for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    ]
    return FleetSnapshot(
        watched=len(coordinators),
        offline_since=tuple(
            since
            for coordinator in coordinators
            if (since := coordinator.history.offline_since) is not None
        ),
    )
