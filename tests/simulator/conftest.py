"""Fixtures for the simulator's own tests, which drive it with python-kasa."""

from __future__ import annotations

from collections.abc import AsyncIterator

from kasa import Device, DeviceConfig
import pytest
import pytest_asyncio
import pytest_socket  # type: ignore[import-untyped]

from simulator import Simulator

# The Home Assistant harness allows sockets to 127.0.0.1 only; the simulated
# devices live on other loopback addresses.
LOOPBACK_HOSTS = [f"127.0.{a}.{b}" for a in range(2) for b in range(1, 255)] + [
    "127.255.255.255"
]
CLIENT_TIMEOUT = 1


@pytest.fixture(autouse=True)
def allow_loopback() -> None:
    """Allow sockets to every loopback address the simulator hands out."""
    pytest_socket.enable_socket()
    pytest_socket.socket_allow_hosts(LOOPBACK_HOSTS, allow_unix_socket=True)


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    """Run a fleet of simulated devices."""
    async with Simulator() as simulator:
        yield simulator


def config(host: str, timeout: int = CLIENT_TIMEOUT) -> DeviceConfig:
    """Return a python-kasa config for the legacy protocol with a short timeout."""
    return DeviceConfig(host=host, timeout=timeout)


async def connect(host: str | None, seconds: int = CLIENT_TIMEOUT) -> Device:
    """Connect to a device the way an integration does."""
    assert host is not None
    return await Device.connect(config=config(host, seconds))
