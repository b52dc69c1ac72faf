"""Kasa Spot cameras (``IOT.IPCAMERA``): legacy discovery and an HTTPS port.

python-kasa refuses these cameras as devices, so only what an integration can
watch of one is simulated:

- legacy discovery on UDP 9999 (the XOR path of :mod:`simulator.legacy`: no
  length prefix, answered from the camera's own address), with the system
  info nested one level deeper than a plug's: ``{"system": {"get_sysinfo":
  {"err_code": 0, "system": {...}}}}`` (the shape of python-kasa's public
  fixture ``EC60(US)_4.0_2.3.22``). Nothing listens on TCP 9999 and nothing
  answers SMART discovery (UDP 20002);
- the service port, HTTPS on TCP 10443: the TLS handshake succeeds (with the
  self-signed certificate of the Tapo cameras) and every HTTP request gets
  401, as a real camera wants a login first.

The device's TCP mode acts on the service port. ``answer``: connections are
accepted, TLS, 401. ``silent`` (power off, blackhole): the port takes no new
connection at all, so a connect times out, as with a camera gone from the
network (the listening socket has a backlog of 0 and one connection of our
own waiting in its accept queue, so the kernel drops further SYNs); power off
closes open connections, blackhole leaves them hanging. ``closed`` (refuse):
connection refused. ``slow``: the TCP connect is immediate, the TLS handshake
and the HTTP answer each wait ``slow_seconds``.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from typing import Any

from .device import Clock, Endpoint, SimulatedDevice, TcpMode
from .httpserver import server_ssl_context
from .iot import ERR_ARGUMENT, ERR_MEMBER, ERR_MODULE, Reply
from .models import KasaSpotModelProfile

_LOGGER = logging.getLogger(__name__)

SERVICE_PORT = 10443
"""The cameras' HTTPS service port (unprivileged: the real port is used)."""
HANDSHAKE_TIMEOUT = 10.0
MAX_HEAD = 16384
"""Longest HTTP request head read before the connection is closed."""
UNAUTHORIZED_BODY = b"401 Unauthorized"


class SimulatedKasaSpotCamera(SimulatedDevice):
    """A Kasa Spot camera (EC60, KC400, KC410S): discovery and a service port.

    The power and network faults of :class:`~simulator.device.SimulatedDevice`
    apply; the camera has no relay, account, firmware nor battery to fault.
    """

    kind = "kasa_spot_camera"
    mac_oui = "74:FE:CE"

    def __init__(
        self,
        *,
        alias: str,
        mac: str,
        profile: KasaSpotModelProfile,
        rssi: int = -50,
        service_port: int = SERVICE_PORT,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(alias=alias, mac=mac, profile=profile, rssi=rssi, clock=clock)
        self.spot_profile = profile
        self.service_port = service_port
        self.handshake_count = 0
        """TLS handshakes completed on the service port."""

    @property
    def mic_mac(self) -> str:
        """Return the MAC as ``mic_mac`` reports it (``74FECE...``, no colons)."""
        return self.mac.replace(":", "")

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(
            {
                "service_port": self.service_port,
                "handshake_count": self.handshake_count,
            }
        )
        return info


class KasaSpotApi:
    """The IOT commands a Kasa Spot camera answers over UDP: ``get_sysinfo``."""

    def __init__(self, device: SimulatedKasaSpotCamera) -> None:
        self.device = device

    def sysinfo(self) -> Reply:
        """Return the nested ``system`` object of ``get_sysinfo``."""
        dev = self.device
        profile = dev.spot_profile
        info: Reply = {
            "alias": dev.alias,
            "dev_name": profile.dev_name,
            "deviceId": dev.device_id,
            "hwId": profile.hw_id,
            "hw_ver": profile.hw_ver,
            "mac": dev.mac,
            "mic_mac": dev.mic_mac,
            "model": profile.model,
            "oemId": profile.oem_id,
            "rssi": dev.rssi,
            "stream_version": profile.stream_version,
            "sw_ver": profile.sw_ver,
            "type": profile.device_type,
            "camera_switch": "on",
            "led_status": "on",
            "resolution": profile.resolution,
            "status": "configured",
            "system_time": int(dev.now()),
            "updating": False,
            "last_activity_timestamp": 0,
            "a_type": profile.a_type,
            "bind_status": True,
            "is_cal": 1,
            "c_opt": list(profile.c_opt),
            "f_list": list(profile.f_list),
            "new_feature": list(profile.new_feature),
            "latitude": 0,
            "longitude": 0,
        }
        return dev.reported(info)

    def handle(self, request: Any) -> Reply:
        """Answer one request: ``system.get_sysinfo``; anything else unknown."""
        if not isinstance(request, dict):
            return dict(ERR_ARGUMENT)
        reply: Reply = {}
        for module, methods in request.items():
            if module != "system":
                reply[module] = dict(ERR_MODULE)
            elif not isinstance(methods, dict):
                reply[module] = dict(ERR_ARGUMENT)
            else:
                reply[module] = {method: self._system(method) for method in methods}
        return reply

    def _system(self, method: str) -> Reply:
        if method != "get_sysinfo":
            return dict(ERR_MEMBER)
        return {"err_code": 0, "system": self.sysinfo()}


def unauthorized_response() -> bytes:
    """Return the HTTP answer to any request: 401, then the camera hangs up."""
    return (
        b"HTTP/1.1 401 Unauthorized\r\n"
        b'WWW-Authenticate: Basic realm="Kasa Spot"\r\n'
        b"Content-Type: text/plain\r\n"
        + f"Content-Length: {len(UNAUTHORIZED_BODY)}\r\n".encode()
        + b"Connection: close\r\n\r\n"
        + UNAUTHORIZED_BODY
    )


def _fill_accept_queue(host: str, port: int) -> socket.socket:
    """Connect once to a listener of backlog 0 and return the client socket.

    With that connection waiting in its accept queue the queue is full, and
    the kernel drops the SYN of every further connect: it times out.
    """
    filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        filler.settimeout(1.0)
        filler.connect((host, port))  # loopback: completes at once
        filler.setblocking(False)
    except BaseException:
        filler.close()
        raise
    return filler


class _ServiceConnection(asyncio.Protocol):
    """One connection of the service port: plain TCP until TLS starts, then HTTP.

    The same object is the protocol of the accepted transport and, once
    :meth:`KasaSpotServiceEndpoint.serve` has started TLS, of the TLS one.
    """

    def __init__(self, endpoint: KasaSpotServiceEndpoint) -> None:
        loop = asyncio.get_running_loop()
        self.endpoint = endpoint
        self.raw: asyncio.Transport | None = None
        self.tls: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.head: asyncio.Future[bytes] = loop.create_future()
        """The request head (up to the blank line), once received."""
        self.closed: asyncio.Future[None] = loop.create_future()
        self.task: asyncio.Task[None] | None = None
        self.desynced = False
        """A reply is held back for good (silent mode)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        if self.raw is not None:  # the TLS transport, after the handshake
            self.tls = transport
            return
        self.raw = transport
        # Nothing is read before TLS starts: the TLS layer reads the ClientHello.
        transport.pause_reading()
        self.endpoint.connections.add(self)
        if self.endpoint.device.tcp_mode == "closed":
            transport.abort()  # accepted just before the port was closed
            return
        self.task = self.endpoint.device.spawn(self.endpoint.serve(self))

    def data_received(self, data: bytes) -> None:
        if self.head.done():
            return
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end >= 0:
            self.head.set_result(bytes(self.buffer[:end]))
        elif len(self.buffer) > MAX_HEAD:
            self.finish()

    def eof_received(self) -> bool | None:
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.finish()
        if self.task is not None and not self.task.done():
            self.task.cancel()

    def finish(self) -> None:
        """Abort the connection (if still open) and forget it."""
        if self.raw is not None and not self.raw.is_closing():
            self.raw.abort()
        self.endpoint.connections.discard(self)
        if not self.closed.done():
            self.closed.set_result(None)


class KasaSpotServiceEndpoint(Endpoint):
    """The HTTPS service port (10443) of a Kasa Spot camera."""

    name = "kasa-spot-https"

    def __init__(
        self, device: SimulatedKasaSpotCamera, *, port: int = SERVICE_PORT
    ) -> None:
        self.device = device
        self.port = port
        self.ssl_context: ssl.SSLContext = server_ssl_context()
        self.host: str | None = None
        self.connections: set[_ServiceConnection] = set()
        self._mode: TcpMode | None = None
        """The mode the listener is in (None: no listener)."""
        self._sock: socket.socket | None = None
        """The bound socket while no server owns it (silent, closed)."""
        self._filler: socket.socket | None = None
        self._server: asyncio.Server | None = None

    @property
    def connection_count(self) -> int:
        """Return the number of open connections."""
        return len(self.connections)

    # ---------------------------------------------------------------- sockets
    def _open(
        self, host: str, mode: TcpMode
    ) -> tuple[socket.socket, socket.socket | None]:
        """Bind the port for ``mode``; return (socket, accept-queue filler).

        Silent mode listens with a full accept queue (the filler); closed mode
        binds without listening; answer mode leaves listening to the server.
        """
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            # Our own dropped connections leave TIME_WAIT entries on the port.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, self.port))
            if mode != "silent":
                return sock, None
            sock.listen(0)
            return sock, _fill_accept_queue(host, self.port)
        except BaseException:
            sock.close()
            raise

    async def _listen(
        self,
        host: str,
        mode: TcpMode,
        sock: socket.socket,
        filler: socket.socket | None,
    ) -> None:
        self.host = host
        self._mode = mode
        self._filler = filler
        if mode == "answer":
            self._server = await asyncio.get_running_loop().create_server(
                lambda: _ServiceConnection(self), sock=sock, backlog=128
            )
        else:
            self._sock = sock

    def _stop_listening(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for sock in (self._sock, self._filler):
            if sock is not None:
                sock.close()
        self._sock = self._filler = None
        self._mode = None

    async def bind(self, host: str) -> None:
        mode = self.device.tcp_mode
        sock, filler = self._open(host, mode)
        self._stop_listening()
        await self.drop_connections()
        await self._listen(host, mode, sock, filler)

    async def close(self) -> None:
        self._stop_listening()
        await self.drop_connections()
        self.host = None

    async def apply_state(self) -> None:
        mode = self.device.tcp_mode
        if self.host is None or mode == self._mode:
            return
        self._stop_listening()
        sock, filler = self._open(self.host, mode)
        await self._listen(self.host, mode, sock, filler)

    async def drop_connections(self, *, desynced_only: bool = False) -> None:
        victims = [
            conn
            for conn in list(self.connections)
            if conn.desynced or not desynced_only
        ]
        for conn in victims:
            conn.finish()
            if conn.task is not None:
                conn.task.cancel()
        if victims:
            await asyncio.gather(*(conn.closed for conn in victims))
            await asyncio.sleep(0)  # let the aborted transports close their sockets

    # -------------------------------------------------------------- requests
    async def serve(self, conn: _ServiceConnection) -> None:
        """Run one connection: TLS handshake, one request, 401, hang up."""
        assert conn.raw is not None
        try:
            await self._gate(conn)
            tls = await asyncio.get_running_loop().start_tls(
                conn.raw,
                conn,
                self.ssl_context,
                server_side=True,
                ssl_handshake_timeout=HANDSHAKE_TIMEOUT,
            )
            if tls is None:
                return
            conn.tls = tls
            self.device.handshake_count += 1
            head = await conn.head
            self.device.record_request(_request_line(head))
            self.device.count_arrival()
            await self._gate(conn)
            tls.write(unauthorized_response())
            self.device.count_reply()
            tls.close()  # sends the answer and close_notify, then closes
            await asyncio.wait([conn.closed], timeout=HANDSHAKE_TIMEOUT)
        except (OSError, TimeoutError) as err:  # ssl.SSLError is an OSError
            _LOGGER.debug("%s: service connection ended: %s", self.host, err)
        finally:
            conn.finish()

    async def _gate(self, conn: _ServiceConnection) -> None:
        """Wait ``slow_seconds``; return when the camera answers, else never.

        A refusing camera aborts the connection (ConnectionAbortedError).
        """
        if delay := self.device.slow_seconds:
            await asyncio.sleep(delay)
        mode = self.device.tcp_mode
        if mode == "answer":
            return
        if mode == "closed":
            raise ConnectionAbortedError("the service port closed")
        conn.desynced = True
        self.device.dropped_count += 1
        await asyncio.Event().wait()  # cancelled when the connection is dropped


def _request_line(head: bytes) -> dict[str, str]:
    """Return the first line of a request head, as :attr:`requests` keeps it."""
    return {"request": head.split(b"\r\n", 1)[0].decode("latin-1")}
