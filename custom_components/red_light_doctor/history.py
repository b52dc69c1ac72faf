"""A bounded memory of one device's recent polls, kept small enough for hundreds."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from .observation import Failure, Observation

DAY = timedelta(hours=24)
WEEK = timedelta(days=7)
SIGNAL_WINDOW = timedelta(hours=1)
RECENT_SIGNAL_READINGS = 10
# A counter that restarts by less than this is clock jitter, not a reboot.
RESTART_TOLERANCE_SECONDS = 10
# No device runs this long: a counter beyond it, or below zero, is a broken
# reading, not a time since boot.
LONGEST_RUN_SECONDS = int(timedelta(days=100 * 365).total_seconds())


@dataclass(frozen=True, slots=True)
class Outage:
    """A stretch of unanswered polls that ended with the device answering."""

    started: datetime
    ended: datetime
    rebooted: bool

    @property
    def duration(self) -> timedelta:
        """Return how long the device was silent."""
        return self.ended - self.started


@dataclass(slots=True)
class History:
    """What the diagnosis needs to know about a device's past, and no more."""

    first_poll: datetime | None = None
    last_observation: Observation | None = None
    last_answer: Observation | None = None
    offline_since: datetime | None = None
    consecutive_failures: int = 0
    last_failure: Failure | None = None
    cloud_lost_since: datetime | None = None
    reboots: deque[datetime] = field(default_factory=lambda: deque(maxlen=100))
    outages: deque[Outage] = field(default_factory=lambda: deque(maxlen=100))
    signal: deque[tuple[datetime, int]] = field(
        default_factory=lambda: deque(maxlen=120)
    )
    signal_levels: deque[tuple[datetime, int]] = field(
        default_factory=lambda: deque(maxlen=RECENT_SIGNAL_READINGS)
    )
    power_changes: deque[tuple[datetime, bool]] = field(
        default_factory=lambda: deque(maxlen=100)
    )
    address_changes: deque[tuple[datetime, str]] = field(
        default_factory=lambda: deque(maxlen=20)
    )

    @property
    def last_seen(self) -> datetime | None:
        """Return when the device last answered."""
        return self.last_answer.at if self.last_answer else None

    @property
    def online(self) -> bool | None:
        """Return whether the latest poll got an answer; None before any poll."""
        return self.last_observation.reachable if self.last_observation else None

    def record(self, observation: Observation) -> None:
        """Fold one poll into the history."""
        observation = _without_broken_counters(observation)
        if self.first_poll is None:
            self.first_poll = observation.at
        self.last_observation = observation
        if observation.reachable:
            self._record_answer(observation)
        else:
            self._record_silence(observation)
        self._forget_before(observation.at)

    def _record_silence(self, observation: Observation) -> None:
        self.consecutive_failures += 1
        self.last_failure = observation.failure
        if self.offline_since is None:
            self.offline_since = observation.at

    def _record_answer(self, observation: Observation) -> None:
        previous = self.last_answer
        rebooted_at = _boot_time(previous, observation) if previous else None
        if rebooted_at is not None:
            self.reboots.append(rebooted_at)
        if self.offline_since is not None:
            self.outages.append(
                Outage(self.offline_since, observation.at, rebooted_at is not None)
            )
        self.offline_since = None
        self.consecutive_failures = 0
        self.last_failure = None

        if observation.rssi is not None:
            self.signal.append((observation.at, observation.rssi))
        if observation.signal_level is not None:
            self.signal_levels.append((observation.at, observation.signal_level))
        if observation.relay_on is not None and (
            previous is None or previous.relay_on != observation.relay_on
        ):
            self.power_changes.append((observation.at, observation.relay_on))
        if (
            observation.address is not None
            and previous is not None
            and previous.address is not None
            and previous.address != observation.address
        ):
            self.address_changes.append((observation.at, observation.address))
        if observation.cloud_connected is True:
            self.cloud_lost_since = None
        elif observation.cloud_connected is False and self.cloud_lost_since is None:
            self.cloud_lost_since = observation.at
        self.last_answer = observation

    def _forget_before(self, now: datetime) -> None:
        cutoff = now - DAY
        while self.reboots and self.reboots[0] < cutoff:
            self.reboots.popleft()
        while self.outages and self.outages[0].ended < cutoff:
            self.outages.popleft()
        while self.power_changes and self.power_changes[0][0] < cutoff:
            self.power_changes.popleft()
        # Address changes matter over a week: DHCP leases outlive a day.
        while self.address_changes and self.address_changes[0][0] < now - WEEK:
            self.address_changes.popleft()
        # Signal is kept relative to the last answer, so that after a drop the
        # readings from the hour before it are still there to explain it.
        if self.last_answer is not None:
            signal_cutoff = self.last_answer.at - SIGNAL_WINDOW
            while self.signal and self.signal[0][0] < signal_cutoff:
                self.signal.popleft()

    def reboots_since(self, since: datetime) -> int:
        """Return how many reboots were seen since a moment."""
        return sum(1 for rebooted in self.reboots if rebooted >= since)

    def short_outages_since(self, since: datetime, shorter_than: timedelta) -> int:
        """Return how many brief silences without a reboot ended since a moment."""
        return sum(
            1
            for outage in self.outages
            if outage.ended >= since
            and not outage.rebooted
            and outage.duration < shorter_than
        )

    def recent_signal(self) -> int | None:
        """Return the median of the latest signal readings, in dBm."""
        if len(self.signal) < 3:
            return None
        readings = [rssi for _, rssi in list(self.signal)[-RECENT_SIGNAL_READINGS:]]
        return round(median(readings))

    def recent_signal_level(self) -> int | None:
        """Return the median of the latest 0-3 signal levels, where reported."""
        if len(self.signal_levels) < 3:
            return None
        return round(median(level for _, level in self.signal_levels))

    def as_dict(self) -> dict[str, Any]:
        """Return the history in a form fit for diagnostics downloads."""
        return {
            "first_poll": _iso(self.first_poll),
            "last_seen": _iso(self.last_seen),
            "offline_since": _iso(self.offline_since),
            "consecutive_failures": self.consecutive_failures,
            "last_failure": self.last_failure,
            "cloud_lost_since": _iso(self.cloud_lost_since),
            "reboots": [_iso(at) for at in self.reboots],
            "outages": [
                {
                    "started": _iso(outage.started),
                    "ended": _iso(outage.ended),
                    "rebooted": outage.rebooted,
                }
                for outage in self.outages
            ],
            "signal": [[_iso(at), rssi] for at, rssi in self.signal],
            "power_changes": [[_iso(at), on] for at, on in self.power_changes],
            "address_changes": [_iso(at) for at, _ in self.address_changes],
        }


def _without_broken_counters(observation: Observation) -> Observation:
    """Return the observation without the counters no running device shows."""
    return replace(
        observation,
        relay_on_time=_plausible_counter(observation.relay_on_time),
        uptime=_plausible_counter(observation.uptime),
    )


def _plausible_counter(seconds: int | None) -> int | None:
    if seconds is None or not 0 <= seconds <= LONGEST_RUN_SECONDS:
        return None
    return seconds


def _boot_time(previous: Observation, current: Observation) -> datetime | None:
    """Return when the device booted between two answers, or None if it did not.

    A counter that should have kept running (uptime, or the relay's on-time
    while the relay stayed on) but started again from zero means the device
    restarted.
    """
    elapsed = (current.at - previous.at).total_seconds()
    if current.uptime is not None and previous.uptime is not None:
        counter, before = current.uptime, previous.uptime
    elif (
        current.relay_on_time is not None
        and previous.relay_on_time is not None
        and current.relay_on
        and previous.relay_on
    ):
        counter, before = current.relay_on_time, previous.relay_on_time
    else:
        return None
    if not _restarted(before, counter, elapsed):
        return None
    return current.at - timedelta(seconds=counter)


def _restarted(before: int, counter: int, elapsed: float) -> bool:
    """Return whether a counter started again between two readings.

    A counter that did not move at all is stuck, not restarted: some firmware
    reports the same on-time poll after poll, which would otherwise count as
    a reboot every time.
    """
    if counter == before:
        return False
    return before + elapsed - counter > RESTART_TOLERANCE_SECONDS


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
