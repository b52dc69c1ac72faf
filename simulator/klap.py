"""KLAP: the SMART protocol of Tapo and newer Kasa plugs, over plain HTTP.

``POST /app/handshake1`` carries the client's 16-byte seed and gets the
device's seed and a hash proving the device knows the account; the session
cookie ``TP_SESSIONID`` comes with it. ``POST /app/handshake2`` carries the
client's proof, and ``POST /app/request?seq=N`` the encrypted requests:
a SHA-256 signature, then AES-CBC (PKCS#7) under a key, IV and signature key
derived from both seeds and the account hash. The reply reuses the request's
sequence number.

Version 2 (every SMART device) hashes the account as
``sha256(sha1(user) + sha1(password))``; version 1 (IOT devices on KLAP) as
``md5(md5(user) + md5(password))`` with different handshake hashes. A device
cannot tell a client with the wrong password: it answers handshake1 all the
same and the client finds that the hash does not match.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
import hashlib
import json
import logging
import secrets
import struct
from typing import Any, Literal

from aiohttp import web
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .httpserver import HttpEndpoint
from .legacy import MALFORMED_PAYLOAD, dumps
from .smartdevice import AuthenticatedDevice

_LOGGER = logging.getLogger(__name__)

KlapVersion = Literal[1, 2]
SESSION_COOKIE = "TP_SESSIONID"
SESSION_TIMEOUT = 86400
MAX_SESSIONS = 16
_SEQ = struct.Struct(">l")


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _sha1(data: bytes) -> bytes:
    return hashlib.sha1(data, usedforsecurity=False).digest()


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


def auth_hash(username: str, password: str, version: KlapVersion = 2) -> bytes:
    """Return the account hash both sides derive everything from."""
    if version == 1:
        return _md5(_md5(username.encode()) + _md5(password.encode()))
    return _sha256(_sha1(username.encode()) + _sha1(password.encode()))


def server_proof(
    local_seed: bytes, remote_seed: bytes, auth: bytes, version: KlapVersion = 2
) -> bytes:
    """Return the hash after the seed in the handshake1 reply."""
    if version == 1:
        return _sha256(local_seed + auth)
    return _sha256(local_seed + remote_seed + auth)


def client_proof(
    local_seed: bytes, remote_seed: bytes, auth: bytes, version: KlapVersion = 2
) -> bytes:
    """Return the handshake2 body a client with the right account sends."""
    if version == 1:
        return _sha256(remote_seed + auth)
    return _sha256(remote_seed + local_seed + auth)


@dataclass(slots=True)
class KlapSession:
    """The keys of one KLAP session (the same on both sides)."""

    local_seed: bytes
    remote_seed: bytes
    auth: bytes
    version: KlapVersion = 2
    confirmed: bool = False
    """handshake2 succeeded."""
    key: bytes = field(init=False)
    iv: bytes = field(init=False)
    signature_key: bytes = field(init=False)
    start_seq: int = field(init=False)

    def __post_init__(self) -> None:
        seeds = self.local_seed + self.remote_seed + self.auth
        self.key = _sha256(b"lsk" + seeds)[:16]
        full_iv = _sha256(b"iv" + seeds)
        self.iv = full_iv[:12]
        self.start_seq = int.from_bytes(full_iv[-4:], "big", signed=True)
        self.signature_key = _sha256(b"ldk" + seeds)[:28]

    def _cipher(self, seq: int) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.iv + _SEQ.pack(seq)))

    def signature(self, seq: int, ciphertext: bytes) -> bytes:
        """Return the SHA-256 signature that prefixes a message."""
        return _sha256(self.signature_key + _SEQ.pack(seq) + ciphertext)

    def encrypt(self, plain: bytes, seq: int) -> bytes:
        """Return signature + ciphertext of ``plain`` under sequence ``seq``."""
        padder = padding.PKCS7(128).padder()
        padded = padder.update(plain) + padder.finalize()
        encryptor = self._cipher(seq).encryptor()
        ciphertext = encryptor.update(padded) + encryptor.finalize()
        return self.signature(seq, ciphertext) + ciphertext

    def decrypt(self, message: bytes, seq: int) -> bytes:
        """Check the signature and decrypt; raise ValueError when invalid."""
        signature, ciphertext = message[:32], message[32:]
        if len(signature) != 32 or signature != self.signature(seq, ciphertext):
            raise ValueError("bad signature")
        decryptor = self._cipher(seq).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()


class KlapEndpoint(HttpEndpoint):
    """The KLAP HTTP server of one device (``/app/...``)."""

    name = "klap"

    def __init__(
        self,
        device: AuthenticatedDevice,
        handler: Callable[[Any], Any],
        *,
        port: int,
        version: KlapVersion = 2,
    ) -> None:
        super().__init__(device, port=port)
        self.handler = handler
        self.version = version
        self.sessions: OrderedDict[str, KlapSession] = OrderedDict()

    def forget_sessions(self) -> None:
        self.sessions.clear()

    async def respond(self, request: web.BaseRequest, body: bytes) -> web.Response:
        if request.method != "POST":
            return web.Response(status=405)
        path = request.path
        if path == "/app/handshake1":
            return self._handshake1(body)
        if path == "/app/handshake2":
            return self._handshake2(request, body)
        if path == "/app/request":
            return self._request(request, body)
        return web.Response(status=404)

    def _session(self, request: web.BaseRequest) -> KlapSession | None:
        sid = self.cookie(request, SESSION_COOKIE)
        return self.sessions.get(sid) if sid else None

    def _handshake1(self, body: bytes) -> web.Response:
        dev = self.device
        if dev.handshake_rejected:
            return web.Response(status=403)
        if len(body) != 16:
            return web.Response(status=400)
        session = KlapSession(
            local_seed=body,
            remote_seed=secrets.token_bytes(16),
            auth=auth_hash(dev.username, dev.password, self.version),
            version=self.version,
        )
        sid = secrets.token_hex(16).upper()
        self.sessions[sid] = session
        while len(self.sessions) > MAX_SESSIONS:
            self.sessions.popitem(last=False)
        proof = server_proof(
            session.local_seed, session.remote_seed, session.auth, self.version
        )
        return web.Response(
            body=session.remote_seed + proof,
            headers={"Set-Cookie": f"{SESSION_COOKIE}={sid};TIMEOUT={SESSION_TIMEOUT}"},
        )

    def _handshake2(self, request: web.BaseRequest, body: bytes) -> web.Response:
        session = self._session(request)
        if session is None or self.device.handshake_rejected:
            return web.Response(status=403)
        expected = client_proof(
            session.local_seed, session.remote_seed, session.auth, self.version
        )
        if body != expected:
            self.device.failed_login_count += 1
            return web.Response(status=403)
        session.confirmed = True
        self.device.handshake_count += 1
        return web.Response(status=200)

    def _request(self, request: web.BaseRequest, body: bytes) -> web.Response:
        session = self._session(request)
        if session is None or not session.confirmed:
            # Unknown or expired session (reboot, new password): the client
            # logs an error and performs a new handshake.
            return web.Response(status=403)
        try:
            seq = int(request.query.get("seq", ""))
            plain = session.decrypt(body, seq)
            decoded = json.loads(plain)
        except (ValueError, struct.error):
            return web.Response(status=400)
        self.device.record_request(decoded)
        if self.device.malformed_replies:
            payload = MALFORMED_PAYLOAD
        else:
            payload = dumps(self.handler(decoded))
        return web.Response(
            body=session.encrypt(payload, seq),
            content_type="application/octet-stream",
        )
