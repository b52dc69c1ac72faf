"""SMART discovery: UDP 20002, a 16-byte header, then JSON.

python-kasa sends a 16-byte header (version 2, "probe") followed by
``{"params": {"rsa_key": PEM}}`` and expects the reply from port 20002 of the
device's address: 16 bytes it skips, then ``{"error_code": 0, "result":
{device_type, device_model, device_id, ip, mac, mgt_encrypt_schm: {is_support_https,
encrypt_type, http_port, lv}, ...}}``. Cameras also send ``encrypt_info``:
an AES key and IV wrapped with the client's RSA key (OAEP, SHA-1) and the
extra data AES-CBC encrypted under them.

Each authenticated device has a :class:`SmartDiscoveryEndpoint` on its own
address; it also holds the legacy port 9999 (without answering it, as a real
SMART device) so that a legacy plug of another fleet never shares the address.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import os
import secrets
import socket
import struct
from typing import Any

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .device import Endpoint
from .legacy import DEFAULT_PORT, dumps
from .smartdevice import AuthenticatedDevice, SimulatedCamera

_LOGGER = logging.getLogger(__name__)

SMART_DISCOVERY_PORT = 20002
_HEADER = struct.Struct(">BBHHBBII")
HEADER_SIZE = _HEADER.size
_INITIAL_CRC = 0x5A6B7C8D


def build_packet(payload: bytes, *, op_code: int = 1, flags: int = 17) -> bytes:
    """Return a discovery packet: version-2 header with CRC-32, then payload."""
    serial = int.from_bytes(secrets.token_bytes(4), "big")
    header = _HEADER.pack(2, 0, op_code, len(payload), flags, 0, serial, _INITIAL_CRC)
    packet = bytearray(header + payload)
    packet[12:16] = binascii.crc32(packet).to_bytes(4, "big")
    return bytes(packet)


def parse_query(data: bytes) -> dict[str, Any] | None:
    """Return the JSON of a discovery query ({} without one); None if invalid."""
    if len(data) < HEADER_SIZE or data[0] != 2:
        return None
    if len(data) == HEADER_SIZE:
        return {}
    try:
        query = json.loads(data[HEADER_SIZE:])
    except ValueError:
        return None
    return query if isinstance(query, dict) else None


def client_public_key(query: dict[str, Any]) -> RSAPublicKey | None:
    """Return the RSA key a query carries in ``params.rsa_key`` (None if none)."""
    params = query.get("params")
    pem = params.get("rsa_key") if isinstance(params, dict) else None
    if not isinstance(pem, str):
        return None
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError:
        return None
    return key if isinstance(key, RSAPublicKey) else None


def encrypt_info(public_key: RSAPublicKey, data: dict[str, Any]) -> dict[str, str]:
    """Return ``encrypt_info``: ``data`` encrypted for the client's key."""
    key, iv = os.urandom(16), os.urandom(16)
    wrapped = public_key.encrypt(
        key + iv,
        asymmetric_padding.OAEP(
            mgf=asymmetric_padding.MGF1(algorithm=hashes.SHA1()),
            algorithm=hashes.SHA1(),
            label=None,
        ),
    )
    padder = padding.PKCS7(128).padder()
    padded = padder.update(dumps(data)) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    return {
        "sym_schm": "AES",
        "key": base64.b64encode(wrapped).decode(),
        "data": base64.b64encode(ciphertext).decode(),
    }


def discovery_result(
    device: AuthenticatedDevice, public_key: RSAPublicKey | None = None
) -> dict[str, Any]:
    """Return the ``result`` object a device's discovery reply carries."""
    result: dict[str, Any] = {
        "device_id": device.discovery_device_id,
        "owner": device.owner,
        "device_type": device.profile.device_type,
        "device_model": device.model,
        "ip": device.host,
        "mac": device.dashed_mac,
        "is_support_iot_cloud": True,
        "obd_src": "tplink",
        "factory_default": False,
    }
    if isinstance(device, SimulatedCamera):
        result.update(
            {
                "device_name": device.alias,
                "encrypt_type": ["3"],
                "firmware_version": device.profile.sw_ver,
                "hardware_version": device.profile.hw_ver,
                "protocol_version": 1,
            }
        )
        scheme: dict[str, Any] = {
            "is_support_https": True,
            "http_port": device.http_port,
        }
        if public_key is not None:
            result["encrypt_info"] = encrypt_info(
                public_key,
                {
                    "connect_ssid": "Simulated WiFi",
                    "connect_type": "wireless",
                    "device_id": device.device_id,
                    "http_port": device.http_port,
                    "owner": device.owner,
                    "sd_status": "offline",
                },
            )
        else:
            scheme["encrypt_type"] = "AES"
    else:
        scheme = {
            "is_support_https": False,
            "encrypt_type": "KLAP",
            "http_port": device.http_port,
            "lv": 2,
        }
    if device.discovery_encrypt_type is not None:
        scheme["encrypt_type"] = device.discovery_encrypt_type
    result["mgt_encrypt_schm"] = scheme
    return device.reported(result)


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, endpoint: SmartDiscoveryEndpoint | None) -> None:
        self.endpoint = endpoint

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if self.endpoint is not None:
            self.endpoint.answer_datagram(data, (str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        _LOGGER.debug("UDP error: %s", exc)


class SmartDiscoveryEndpoint(Endpoint):
    """UDP 20002 of one device (and a silent hold on the legacy port)."""

    name = "smart-discovery"

    def __init__(
        self,
        device: AuthenticatedDevice,
        *,
        port: int = SMART_DISCOVERY_PORT,
        hold_port: int | None = DEFAULT_PORT,
    ) -> None:
        self.device = device
        self.port = port
        self.hold_port = hold_port
        self.host: str | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._hold: asyncio.DatagramTransport | None = None

    @staticmethod
    def _bind_udp(host: str, port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            sock.bind((host, port))
        except BaseException:
            sock.close()
            raise
        return sock

    async def bind(self, host: str) -> None:
        udp = self._bind_udp(host, self.port)
        hold = None
        if self.hold_port is not None:
            try:
                hold = self._bind_udp(host, self.hold_port)
            except BaseException:
                udp.close()
                raise
        await self.close()
        loop = asyncio.get_running_loop()
        self.host = host
        self._udp, _ = await loop.create_datagram_endpoint(
            lambda: _Datagrams(self), sock=udp
        )
        if hold is not None:
            self._hold, _ = await loop.create_datagram_endpoint(
                lambda: _Datagrams(None), sock=hold
            )

    async def close(self) -> None:
        for transport in (self._udp, self._hold):
            if transport is not None:
                transport.close()
        self._udp = self._hold = None
        self.host = None

    async def apply_state(self) -> None:
        """Nothing to do: discovery follows the power state per datagram."""

    async def drop_connections(self, *, desynced_only: bool = False) -> None:
        """Nothing to do: UDP has no connections."""

    def answer_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        """Answer a discovery query from ``addr`` (if powered)."""
        if not self.device.answers_discovery or self._udp is None:
            return
        query = parse_query(data)
        if query is None:
            return
        reply = {
            "error_code": 0,
            "result": discovery_result(self.device, client_public_key(query)),
        }
        self._udp.sendto(build_packet(dumps(reply)), addr)
        self.device.discovery_count += 1
