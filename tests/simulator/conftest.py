"""Fixtures for the simulator's own tests, which drive it with python-kasa."""

from __future__ import annotations

from collections.abc import AsyncIterator

import kasa
from kasa import Credentials, Device, DeviceConfig
from kasa.deviceconfig import DeviceConnectionParameters
import pytest
import pytest_asyncio
import pytest_socket  # type: ignore[import-untyped]

from simulator import AuthenticatedDevice, SimulatedCamera, Simulator

# The Home Assistant harness allows sockets to 127.0.0.1 only; the simulated
# devices live on other loopback addresses.
LOOPBACK_HOSTS = [f"127.0.{a}.{b}" for a in range(2) for b in range(1, 255)] + [
    "127.255.255.255"
]
CLIENT_TIMEOUT = 1

KASA_VERSION = tuple(int(part) for part in kasa.__version__.split(".")[:2])
NEW_CLIENT = KASA_VERSION >= (0, 12)
"""python-kasa 0.12.0 (PYTHONPATH=.venv/python-kasa-0.12.0) rather than 0.10.2."""
only_old_client = pytest.mark.skipif(NEW_CLIENT, reason="python-kasa 0.10.2 only")
only_new_client = pytest.mark.skipif(not NEW_CLIENT, reason="python-kasa 0.12.0 only")


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


def credentials(
    device: AuthenticatedDevice, password: str | None = None
) -> Credentials:
    """Return the account of a device (or the same user with ``password``)."""
    return Credentials(
        device.username, device.password if password is None else password
    )


def smart_config(
    device: AuthenticatedDevice,
    password: str | None = None,
    timeout: int = CLIENT_TIMEOUT,
) -> DeviceConfig:
    """Return the config python-kasa stores after discovering ``device``."""
    assert device.host is not None
    if isinstance(device, SimulatedCamera):
        connection = DeviceConnectionParameters.from_values(
            device.profile.device_type,
            "AES",
            login_version=3,
            https=True,
            http_port=device.http_port,
        )
    else:
        connection = DeviceConnectionParameters.from_values(
            device.profile.device_type,
            "KLAP",
            login_version=2,
            https=False,
            http_port=device.http_port,
        )
    return DeviceConfig(
        host=device.host,
        timeout=timeout,
        connection_type=connection,
        credentials=credentials(device, password),
    )


async def smart_connect(
    device: AuthenticatedDevice,
    password: str | None = None,
    seconds: int = CLIENT_TIMEOUT,
) -> Device:
    """Connect to an authenticated device with its stored connection parameters."""
    return await Device.connect(config=smart_config(device, password, seconds))
