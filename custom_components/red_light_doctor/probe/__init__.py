"""Probes: the only code that talks to a device or reads another integration."""

from __future__ import annotations

from typing import Protocol

from ..observation import Observation, Reading


class Probe(Protocol):
    """Turns one look at a device into an observation; never raises for the device."""

    @property
    def readings(self) -> frozenset[Reading]:
        """Return what the probe can read besides whether the device answers."""

    async def poll(self) -> Observation:
        """Return what the device shows now."""

    async def close(self) -> None:
        """Release whatever the probe keeps open between polls."""
