"""HTTP and HTTPS servers of the authenticated devices (aiohttp, low level).

:class:`HttpEndpoint` binds one TCP port on the device's address and applies
the device's power and network faults to every request, the way
:class:`~simulator.legacy.LegacyEndpoint` does for the XOR protocol:
``silent`` (powered off, blackhole) reads the request and never answers,
``closed`` (refuse) keeps the address bound but not listening, ``slow``
delays each answer. Subclasses answer requests in :meth:`HttpEndpoint.respond`.

:func:`server_ssl_context` makes the TLS context of the cameras: a self-signed
RSA certificate made at runtime, TLS 1.2 at most (as the cameras), with the
static-RSA suites python-kasa 0.10.2 offers allowed next to the defaults.
"""

from __future__ import annotations

from abc import abstractmethod
import asyncio
import contextlib
import datetime
import functools
import logging
from pathlib import Path
import socket
import ssl
import tempfile
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from .device import Endpoint
from .legacy import dumps
from .smartdevice import AuthenticatedDevice

_LOGGER = logging.getLogger(__name__)

STATIC_RSA_CIPHERS = (
    "AES256-GCM-SHA384",
    "AES256-SHA256",
    "AES128-GCM-SHA256",
    "AES128-SHA256",
    "AES256-SHA",
)
"""TLS 1.2 suites with RSA key exchange: all python-kasa 0.10.2 offers."""


def _self_signed_pem() -> tuple[bytes, bytes]:
    """Return (certificate, key) PEM of a new self-signed RSA certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tp-link")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@functools.cache
def server_ssl_context() -> ssl.SSLContext:
    """Return the (cached) TLS server context of the simulated cameras."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    default = [cipher["name"] for cipher in context.get_ciphers()]
    context.set_ciphers(":".join([*default, *STATIC_RSA_CIPHERS]))
    cert_pem, key_pem = _self_signed_pem()
    with tempfile.TemporaryDirectory() as directory:
        cert_file = Path(directory, "cert.pem")
        key_file = Path(directory, "key.pem")
        cert_file.write_bytes(cert_pem)
        key_file.write_bytes(key_pem)
        context.load_cert_chain(cert_file, key_file)
    return context


class _TrackingServer(web.Server):
    """aiohttp's low-level server, remembering each open connection."""

    def __init__(self, endpoint: HttpEndpoint) -> None:
        super().__init__(endpoint.handle, handler_cancellation=True, access_log=None)
        self.endpoint = endpoint
        self.transports: dict[RequestHandler, asyncio.Transport] = {}
        self.closed: dict[RequestHandler, asyncio.Future[None]] = {}

    def connection_made(
        self, handler: RequestHandler, transport: asyncio.Transport
    ) -> None:
        super().connection_made(handler, transport)
        self.transports[handler] = transport
        self.closed[handler] = asyncio.get_running_loop().create_future()
        if self.endpoint.device.tcp_mode == "closed":
            transport.abort()  # accepted just before the port was closed

    def connection_lost(
        self, handler: RequestHandler, exc: BaseException | None = None
    ) -> None:
        super().connection_lost(handler, exc)
        self.transports.pop(handler, None)
        self.endpoint.desynced.discard(handler)
        closed = self.closed.pop(handler, None)
        if closed is not None and not closed.done():
            closed.set_result(None)


class HttpEndpoint(Endpoint):
    """One HTTP(S) port of an authenticated device."""

    name = "http"

    def __init__(
        self,
        device: AuthenticatedDevice,
        *,
        port: int,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.device = device
        self.port = port
        self.ssl_context = ssl_context
        self.host: str | None = None
        self.desynced: set[RequestHandler] = set()
        """Connections with a request that went unanswered."""
        self.last_cipher: tuple[str, str, int] | None = None
        """TLS suite, version and bits of the last request (HTTPS)."""
        self._web = _TrackingServer(self)
        self._tcp_sock: socket.socket | None = None
        self._server: asyncio.Server | None = None

    # ---------------------------------------------------------------- sockets
    def _bind_tcp(self, host: str, *, listen: bool) -> socket.socket:
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.setblocking(False)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((host, self.port))
            if listen:
                tcp.listen(128)
        except BaseException:
            tcp.close()
            raise
        return tcp

    async def bind(self, host: str) -> None:
        tcp = self._bind_tcp(host, listen=self.device.tcp_mode != "closed")
        await self._release()
        self.host = host
        self._tcp_sock = tcp
        await self.apply_state()

    async def _release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        elif self._tcp_sock is not None:
            self._tcp_sock.close()
        self._tcp_sock = None
        await self.drop_connections()

    async def close(self) -> None:
        await self._release()
        self.host = None

    async def apply_state(self) -> None:
        if self.host is None:
            return
        closed = self.device.tcp_mode == "closed"
        if closed and self._server is not None:
            self._server.close()
            self._server = None
            self._tcp_sock = self._bind_tcp(self.host, listen=False)
        elif not closed and self._server is None:
            assert self._tcp_sock is not None
            self._tcp_sock.listen(128)
            self._server = await asyncio.get_running_loop().create_server(
                self._web, sock=self._tcp_sock, ssl=self.ssl_context, backlog=128
            )

    @property
    def connection_count(self) -> int:
        """Return the number of open connections."""
        return len(self._web.transports)

    async def wait_closed(self) -> None:
        """Wait until every connection open now has been closed by its client."""
        await asyncio.gather(*self._web.closed.values())

    async def drop_connections(self, *, desynced_only: bool = False) -> None:
        victims = [
            handler
            for handler in list(self._web.transports)
            if handler in self.desynced or not desynced_only
        ]
        waits = [self._web.closed[h] for h in victims if h in self._web.closed]
        for handler in victims:
            self._web.transports[handler].abort()
        if waits:
            await asyncio.gather(*waits)

    # ----------------------------------------------------------------- HTTP
    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """Apply the device's faults, then answer with :meth:`respond`."""
        body = await request.read()
        self.device.count_arrival()
        if self.ssl_context is not None and request.transport is not None:
            self.last_cipher = request.transport.get_extra_info("cipher")
        await self._gate(request)
        if delay := self.device.slow_seconds:
            await asyncio.sleep(delay)
            await self._gate(request)
        response = await self.respond(request, body)
        # Send the answer completely before work that may drop connections
        # (a reboot asked for by this request) runs.
        await response.prepare(request)
        await response.write_eof()
        self.device.count_reply()
        self.device.after_reply()
        return response

    async def _gate(self, request: web.BaseRequest) -> None:
        """Return when the device answers now; otherwise never (or abort)."""
        mode = self.device.tcp_mode
        if mode == "answer":
            return
        handler = request.protocol
        if mode == "closed":
            if request.transport is not None:
                request.transport.abort()
        else:
            self.desynced.add(handler)
            self.device.dropped_count += 1
        await asyncio.Event().wait()  # cancelled when the connection closes

    @abstractmethod
    async def respond(self, request: web.BaseRequest, body: bytes) -> web.Response:
        """Answer one request of a device that is up."""

    @staticmethod
    def cookie(request: web.BaseRequest, name: str) -> str | None:
        """Return a cookie of the request (None when absent)."""
        with contextlib.suppress(KeyError):
            return request.cookies[name]
        return None


def json_response(data: Any, *, status: int = 200) -> web.Response:
    """Return compact JSON, as the firmware sends it."""
    return web.Response(
        body=dumps(data), status=status, content_type="application/json"
    )
