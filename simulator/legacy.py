"""Legacy Kasa transport: XOR "autokey" cipher on TCP and UDP port 9999.

TCP frames are a 4-byte big-endian length followed by the XOR-encrypted JSON;
UDP datagrams (discovery) carry the encrypted JSON without the length prefix.
Each device has its own :class:`LegacyEndpoint` bound to its own loopback
address, because python-kasa ignores discovery replies that do not come from
port 9999 of the device's address. A broadcast to 127.255.255.255 is not
delivered to sockets bound to 127.0.0.x, so a fleet runs one
:class:`LegacyBroadcastListener` bound to the broadcast address that makes
every device answer from its own socket.

A device without the TCP protocol (a Kasa Spot camera) answers discovery
through a :class:`LegacyDiscoveryEndpoint`: the same datagram path, UDP only.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable
import contextlib
import json
import logging
import socket
import struct
from typing import Any, Protocol

from .device import Endpoint, SimulatedDevice, SimulatedPlug
from .iot import IotApi

_LOGGER = logging.getLogger(__name__)

DEFAULT_PORT = 9999
BROADCAST_ADDRESS = "127.255.255.255"
XOR_INITIAL_KEY = 171
MAX_FRAME = 1 << 20
MALFORMED_PAYLOAD = b"<html><body>garbage: this is not JSON</body></html>"
_LENGTH = struct.Struct(">I")


def xor_encrypt(plain: bytes) -> bytes:
    """Encrypt with the autokey XOR cipher (each output byte is the next key)."""
    key = XOR_INITIAL_KEY
    out = bytearray(len(plain))
    for i, byte in enumerate(plain):
        key ^= byte
        out[i] = key
    return bytes(out)


def xor_decrypt(cipher: bytes) -> bytes:
    """Decrypt the autokey XOR cipher (each input byte is the next key)."""
    key = XOR_INITIAL_KEY
    out = bytearray(len(cipher))
    for i, byte in enumerate(cipher):
        out[i] = key ^ byte
        key = byte
    return bytes(out)


def encode_frame(payload: bytes) -> bytes:
    """Return a TCP frame: big-endian length, then the encrypted payload."""
    return _LENGTH.pack(len(payload)) + xor_encrypt(payload)


def dumps(data: Any) -> bytes:
    """Serialize a reply compactly, as the firmware does."""
    return json.dumps(data, separators=(",", ":")).encode()


def _decode(payload: bytes) -> Any:
    return json.loads(xor_decrypt(payload).decode())


class IotResponder(Protocol):
    """Answers a decoded IOT request (``{"module": {"method": {...}}}``)."""

    def handle(self, request: Any) -> Any:
        """Return the reply to ``request``."""


def answer_xor_datagram(
    device: SimulatedDevice,
    api: IotResponder,
    transport: asyncio.DatagramTransport | None,
    data: bytes,
    addr: tuple[str, int],
) -> bool:
    """Answer one XOR datagram (discovery) from ``transport``'s own socket.

    Return True when a reply went out: the device is powered and ``data``
    decrypts to JSON.
    """
    if not device.answers_discovery or transport is None:
        return False
    try:
        request = _decode(data)
    except (UnicodeDecodeError, ValueError):
        return False
    transport.sendto(xor_encrypt(dumps(api.handle(request))), addr)
    device.discovery_count += 1
    return True


def bind_udp(host: str, port: int) -> socket.socket:
    """Return a non-blocking UDP socket bound to ``(host, port)``."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        udp.setblocking(False)
        udp.bind((host, port))
    except BaseException:
        udp.close()
        raise
    return udp


class _XorConnection(asyncio.Protocol):
    """One accepted TCP connection."""

    def __init__(self, endpoint: LegacyEndpoint) -> None:
        self.endpoint = endpoint
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.desynced = False
        """A request went unanswered on this connection."""
        self.pending: deque[Any] = deque()
        self.worker: asyncio.Task[None] | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.endpoint.connections.add(self)
        if self.endpoint.device.tcp_mode == "closed":
            # Accepted just before the port was closed.
            transport.abort()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(self.buffer)
            if length > MAX_FRAME:
                self.abort()
                return
            end = _LENGTH.size + length
            if len(self.buffer) < end:
                return
            payload = bytes(self.buffer[_LENGTH.size : end])
            del self.buffer[:end]
            self.endpoint.on_frame(self, payload)

    def eof_received(self) -> bool | None:
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.endpoint.connections.discard(self)
        if self.worker is not None and not self.worker.done():
            self.worker.cancel()
        if not self.closed.done():
            self.closed.set_result(None)

    def is_open(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()

    def write(self, data: bytes) -> None:
        if self.transport is not None:
            self.transport.write(data)

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


class _DatagramProtocol(asyncio.DatagramProtocol):
    def __init__(self, on_datagram: Callable[[bytes, tuple[str, int]], None]) -> None:
        self.on_datagram = on_datagram

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.on_datagram(data, (str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        _LOGGER.debug("UDP error: %s", exc)


class LegacyEndpoint(Endpoint):
    """XOR server of one device: TCP and UDP on (host, 9999)."""

    name = "legacy"

    def __init__(self, device: SimulatedPlug, *, port: int = DEFAULT_PORT) -> None:
        self.device = device
        self.port = port
        self.api = IotApi(device)
        self.host: str | None = None
        self.connections: set[_XorConnection] = set()
        self._tcp_sock: socket.socket | None = None
        self._server: asyncio.Server | None = None
        self._udp: asyncio.DatagramTransport | None = None

    # ---------------------------------------------------------------- sockets
    def _bind_sockets(self, host: str) -> tuple[socket.socket, socket.socket]:
        udp = bind_udp(host, self.port)
        try:
            tcp = self._bind_tcp(host, listen=self.device.tcp_mode != "closed")
        except BaseException:
            udp.close()
            raise
        return tcp, udp

    def _bind_tcp(self, host: str, *, listen: bool) -> socket.socket:
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.setblocking(False)
            # Our own dropped connections leave TIME_WAIT entries on the port.
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((host, self.port))
            if listen:
                tcp.listen(128)
        except BaseException:
            tcp.close()
            raise
        return tcp

    async def bind(self, host: str) -> None:
        tcp, udp = self._bind_sockets(host)
        await self._release()
        loop = asyncio.get_running_loop()
        self.host = host
        self._tcp_sock = tcp
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _DatagramProtocol(self.answer_datagram), sock=udp
        )
        self._udp = transport
        await self.apply_state()

    async def _release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        elif self._tcp_sock is not None:
            self._tcp_sock.close()
        self._tcp_sock = None
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        await self.drop_connections()

    async def close(self) -> None:
        await self._release()
        self.host = None

    async def apply_state(self) -> None:
        if self.host is None:
            return
        closed = self.device.tcp_mode == "closed"
        if closed and self._server is not None:
            # Closing the server closes its listening socket; keep the address
            # with a bound socket that does not listen (connections refused).
            self._server.close()
            self._server = None
            self._tcp_sock = self._bind_tcp(self.host, listen=False)
        elif not closed and self._server is None:
            assert self._tcp_sock is not None
            self._tcp_sock.listen(128)
            self._server = await asyncio.get_running_loop().create_server(
                lambda: _XorConnection(self), sock=self._tcp_sock, backlog=128
            )

    async def drop_connections(self, *, desynced_only: bool = False) -> None:
        victims = [
            conn
            for conn in list(self.connections)
            if conn.desynced or not desynced_only
        ]
        for conn in victims:
            conn.abort()
        if victims:
            await asyncio.gather(*(conn.closed for conn in victims))

    # ------------------------------------------------------------------- TCP
    def on_frame(self, conn: _XorConnection, payload: bytes) -> None:
        """Handle one complete request frame of a connection."""
        try:
            request = _decode(payload)
        except (UnicodeDecodeError, ValueError):
            _LOGGER.debug("%s: undecodable request, closing", self.host)
            conn.abort()
            return
        self.device.record_request(request)
        self.device.count_arrival()
        if self.device.tcp_mode == "closed":
            conn.abort()
            return
        if self.device.tcp_mode != "answer":
            self._drop(conn)
            return
        if self.device.slow_seconds or conn.pending:
            conn.pending.append(request)
            if conn.worker is None or conn.worker.done():
                conn.worker = self.device.spawn(self._slow_worker(conn))
            return
        self._reply(conn, request)

    def _drop(self, conn: _XorConnection) -> None:
        conn.desynced = True
        self.device.dropped_count += 1

    async def _slow_worker(self, conn: _XorConnection) -> None:
        while conn.pending and conn.is_open():
            if delay := self.device.slow_seconds:
                await asyncio.sleep(delay)
            request = conn.pending.popleft()
            if not conn.is_open():
                return
            if self.device.tcp_mode != "answer":
                self._drop(conn)
                continue
            self._reply(conn, request)

    def _reply(self, conn: _XorConnection, request: Any) -> None:
        if self.device.malformed_replies:
            payload = MALFORMED_PAYLOAD
        else:
            payload = dumps(self.api.handle(request))
        conn.write(encode_frame(payload))
        self.device.count_reply()
        self._after_reply()

    def _after_reply(self) -> None:
        if self.api.reboot_requested:
            self.api.reboot_requested = False
            self.device.request_reboot()

    # ------------------------------------------------------------------- UDP
    def answer_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        """Answer a discovery (or any IOT request) datagram from ``addr``."""
        if answer_xor_datagram(self.device, self.api, self._udp, data, addr):
            self._after_reply()


class LegacyDiscoveryEndpoint(Endpoint):
    """UDP 9999 alone: legacy discovery of a device without the TCP protocol.

    The XOR datagram path of :class:`LegacyEndpoint` with another command set
    (``api``); nothing listens on TCP 9999, so connections there are refused.
    """

    name = "legacy-discovery"

    def __init__(
        self, device: SimulatedDevice, api: IotResponder, *, port: int = DEFAULT_PORT
    ) -> None:
        self.device = device
        self.api = api
        self.port = port
        self.host: str | None = None
        self._udp: asyncio.DatagramTransport | None = None

    async def bind(self, host: str) -> None:
        udp = bind_udp(host, self.port)
        await self.close()
        self.host = host
        self._udp, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: _DatagramProtocol(self.answer_datagram), sock=udp
        )

    async def close(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        self.host = None

    async def apply_state(self) -> None:
        """Nothing to do: discovery follows the power state per datagram."""

    async def drop_connections(self, *, desynced_only: bool = False) -> None:
        """Nothing to do: UDP has no connections."""

    def answer_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        """Answer a discovery datagram from ``addr`` (if powered)."""
        answer_xor_datagram(self.device, self.api, self._udp, data, addr)


class DatagramAnswerer(Protocol):
    """An endpoint that answers discovery datagrams from its own socket."""

    def answer_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        """Answer ``data`` received from ``addr``."""


class LegacyBroadcastListener:
    """Receive broadcast discovery and let every device answer it.

    Used for the SMART discovery port (20002) too, with the devices'
    :class:`~simulator.discovery.SmartDiscoveryEndpoint` objects.
    """

    def __init__(
        self,
        endpoints: Callable[[], Iterable[DatagramAnswerer]],
        *,
        address: str = BROADCAST_ADDRESS,
        port: int = DEFAULT_PORT,
    ) -> None:
        self.endpoints = endpoints
        self.address = address
        self.port = port
        self._transport: asyncio.DatagramTransport | None = None

    async def start(self) -> None:
        """Bind the shared broadcast socket (shareable with other fleets)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            sock.bind((self.address, self.port))
        except BaseException:
            sock.close()
            raise
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: _DatagramProtocol(self._on_datagram), sock=sock
        )
        self._transport = transport

    def _on_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        for endpoint in list(self.endpoints()):
            endpoint.answer_datagram(data, addr)

    async def close(self) -> None:
        """Stop listening."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None
