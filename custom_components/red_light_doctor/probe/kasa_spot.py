"""Probe for Kasa Spot cameras, which python-kasa does not read as devices.

They answer broadcast discovery and keep their service port open while they
are on the network; a connection to that port is all a poll asks.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from homeassistant.util import dt as dt_util

from ..const import DEVICE_TIMEOUT
from ..observation import Failure, Observation, Reading
from .errors import failure_of_os_error

SERVICE_PORT = 10443
CAMERA_TYPE = "IOT.IPCAMERA"


class KasaSpotProbe:
    """Checks that a Kasa Spot camera accepts a connection on its service port."""

    readings = frozenset({Reading.RESPONSE_TIME})

    def __init__(self, host: str, port: int = SERVICE_PORT) -> None:
        """Remember where the camera listens; nothing is sent until a poll."""
        self.host = host
        self.port = port

    async def poll(self) -> Observation:
        """Open a connection and close it again: one round trip, no login."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(DEVICE_TIMEOUT):
                _, writer = await asyncio.open_connection(self.host, self.port)
        except TimeoutError:
            return Observation.failed(dt_util.utcnow(), Failure.TIMEOUT, self.host)
        except OSError as err:
            return Observation.failed(
                dt_util.utcnow(), failure_of_os_error(err), self.host
            )
        elapsed = time.perf_counter() - started
        # No reply is awaited, so there is nothing to close politely.
        writer.transport.abort()
        return Observation(
            at=dt_util.utcnow(),
            reachable=True,
            address=self.host,
            response_time=elapsed,
        )

    async def close(self) -> None:
        """Nothing stays open between polls."""


def kasa_spot_sysinfo(reply: dict[str, Any]) -> dict[str, Any] | None:
    """Return a Kasa Spot camera's system info from a discovery reply, if it is one.

    These cameras nest their system info one level deeper than plugs do.
    """
    try:
        sysinfo = reply["system"]["get_sysinfo"]["system"]
    except (KeyError, TypeError):
        return None
    if not isinstance(sysinfo, dict) or sysinfo.get("type") != CAMERA_TYPE:
        return None
    if not sysinfo.get("mac") or not sysinfo.get("model"):
        return None
    return sysinfo
