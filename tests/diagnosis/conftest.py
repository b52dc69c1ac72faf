"""Helpers to write a device's past as a list of polls."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.red_light_doctor.diagnosis import (
    Cause,
    Finding,
    FleetSnapshot,
    Settings,
    diagnose,
)
from custom_components.red_light_doctor.history import History
from custom_components.red_light_doctor.observation import Failure, Observation

START = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
POLL = timedelta(seconds=30)
ALONE = FleetSnapshot()
SETTINGS = Settings(grace_period=timedelta(minutes=3), weak_signal_dbm=-70)


class Timeline:
    """Feeds polls into a history, 30 seconds apart, with a plug's counters."""

    def __init__(self) -> None:
        self.history = History()
        self.now = START
        self.on_time = 3600

    def answer(
        self,
        *,
        rssi: int = -50,
        cloud: bool | None = True,
        relay: bool = True,
        on_time: int | None = None,
        address: str = "192.0.2.10",
    ) -> None:
        if on_time is not None:
            self.on_time = on_time
        self.history.record(
            Observation(
                at=self.now,
                reachable=True,
                address=address,
                rssi=rssi,
                relay_on=relay,
                relay_on_time=self.on_time if relay else 0,
                cloud_connected=cloud,
            )
        )
        self.tick()

    def silence(
        self, failure: Failure = Failure.TIMEOUT, *, power_switch_on: bool | None = None
    ) -> None:
        self.history.record(
            replace(
                Observation.failed(self.now, failure, "192.0.2.10"),
                power_switch_on=power_switch_on,
            )
        )
        self.tick()

    def reboot(self, **answer: object) -> None:
        """The plug lost power for a moment: its on-time starts again."""
        self.answer(on_time=5, **answer)  # type: ignore[arg-type]

    def tick(self, delta: timedelta = POLL) -> None:
        self.now += delta
        self.on_time += int(delta.total_seconds())

    def diagnose(
        self,
        *,
        settings: Settings = SETTINGS,
        fleet: FleetSnapshot = ALONE,
        active: frozenset[Cause] = frozenset(),
    ) -> tuple[Finding, ...]:
        """Diagnose at the moment of the latest poll."""
        assert self.history.last_observation is not None
        return diagnose(
            self.history,
            fleet,
            settings,
            self.history.last_observation.at,
            active=active,
        )

    def causes(self, **kwargs: object) -> list[Cause]:
        return [finding.cause for finding in self.diagnose(**kwargs)]  # type: ignore[arg-type]


@pytest.fixture
def timeline() -> Timeline:
    return Timeline()
