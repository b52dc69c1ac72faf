"""SSL-AES: the protocol of Tapo cameras, JSON over HTTPS.

Login is two ``POST /`` requests of method ``login``. Step 1 sends the
client's nonce (``cnonce``) and a user name: the camera knows ``admin`` only
(python-kasa tries the cloud e-mail first and retries as ``admin`` after the
refusal, -40401). For ``admin`` it answers error -40413 with its ``nonce`` and
``device_confirm = SHA256(cnonce + pwdhash + nonce) + nonce + cnonce``
(upper-case hex; ``pwdhash`` = SHA256 of the password, upper-case hex), which
lets the client check the password. Step 2 sends ``digest_passwd =
SHA256(pwdhash + cnonce + nonce) + cnonce + nonce`` without the nonce; the
camera answers ``stok`` and ``start_seq``.

Requests then go to ``/stok=<stok>/ds`` as ``securePassthrough``: the request
AES-CBC encrypted under ``lsk``/``ivb`` = SHA256(kind + cnonce + nonce +
SHA256(cnonce + pwdhash + nonce))[:16], base64 in JSON, with headers ``Seq``
and ``Tapo_tag`` = SHA256(SHA256(pwdhash + cnonce) + body + seq) over the exact
body. An unknown ``stok`` answers -40401 (session expired: log in again).
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from dataclasses import dataclass, field
import hashlib
import json
import logging
import secrets
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .camapi import CameraApi
from .httpserver import HttpEndpoint, json_response, server_ssl_context
from .legacy import MALFORMED_PAYLOAD, dumps
from .smartdevice import CAMERA_LOGIN_USER, SimulatedCamera

_LOGGER = logging.getLogger(__name__)

SESSION_EXPIRED = -40401
DEVICE_BLOCKED = -40404
INVALID_NONCE = -40413
UNKNOWN_USER = -60502
"""Inner code of the refusal of a user name other than ``admin``."""
BLOCK_TIME = 1800
MAX_PENDING = 16


def sha256_hex(data: str) -> str:
    """Return the upper-case hex SHA-256 of a string."""
    return hashlib.sha256(data.encode()).hexdigest().upper()


def password_hash(password: str) -> str:
    """Return ``pwdhash``: the upper-case hex SHA-256 of the password."""
    return sha256_hex(password)


def device_confirm(cnonce: str, nonce: str, pwdhash: str) -> str:
    """Return the step-1 proof that the camera knows the password."""
    return sha256_hex(cnonce + pwdhash + nonce) + nonce + cnonce


def digest_password(cnonce: str, nonce: str, pwdhash: str) -> str:
    """Return the step-2 proof a client with the right password sends."""
    return sha256_hex(pwdhash + cnonce + nonce) + cnonce + nonce


def session_token(kind: str, cnonce: str, nonce: str, pwdhash: str) -> bytes:
    """Return ``lsk`` (key) or ``ivb`` (IV) of a session."""
    hashed = sha256_hex(cnonce + pwdhash + nonce)
    return hashlib.sha256((kind + cnonce + nonce + hashed).encode()).digest()[:16]


def tapo_tag(body: str, cnonce: str, pwdhash: str, seq: int) -> str:
    """Return the ``Tapo_tag`` header of a request body."""
    return sha256_hex(sha256_hex(pwdhash + cnonce) + body + str(seq))


@dataclass(slots=True)
class CameraSession:
    """One logged-in client (keys as the client derives them)."""

    cnonce: str
    nonce: str
    pwdhash: str
    stok: str
    start_seq: int
    key: bytes = field(init=False)
    iv: bytes = field(init=False)

    def __post_init__(self) -> None:
        self.key = session_token("lsk", self.cnonce, self.nonce, self.pwdhash)
        self.iv = session_token("ivb", self.cnonce, self.nonce, self.pwdhash)

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.iv))

    def encrypt(self, plain: bytes) -> str:
        """Return base64 of the AES-CBC (PKCS#7) encryption of ``plain``."""
        padder = padding.PKCS7(128).padder()
        padded = padder.update(plain) + padder.finalize()
        encryptor = self._cipher().encryptor()
        return base64.b64encode(
            encryptor.update(padded) + encryptor.finalize()
        ).decode()

    def decrypt(self, text: str) -> bytes:
        """Decrypt a base64 request; raise ValueError when invalid."""
        decryptor = self._cipher().decryptor()
        padded = decryptor.update(base64.b64decode(text)) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()


class SslAesEndpoint(HttpEndpoint):
    """The HTTPS server of one camera."""

    name = "ssl-aes"
    device: SimulatedCamera

    def __init__(self, device: SimulatedCamera, *, port: int) -> None:
        super().__init__(device, port=port, ssl_context=server_ssl_context())
        self.api = CameraApi(device)
        self.pending: OrderedDict[str, tuple[str, str]] = OrderedDict()
        """cnonce -> (nonce, pwdhash) of logins between step 1 and step 2."""
        self.sessions: OrderedDict[str, CameraSession] = OrderedDict()

    def forget_sessions(self) -> None:
        self.pending.clear()
        self.sessions.clear()

    async def respond(self, request: web.BaseRequest, body: bytes) -> web.Response:
        if request.method != "POST":
            return web.Response(status=405)
        path = request.path
        if path in ("", "/"):
            return self._app(body)
        if path.startswith("/stok=") and path.endswith("/ds"):
            return self._passthrough(request, path[len("/stok=") : -len("/ds")], body)
        return web.Response(status=404)

    # ------------------------------------------------------------------ login
    def _app(self, body: bytes) -> web.Response:
        try:
            request = json.loads(body)
        except ValueError:
            return json_response({"error_code": -40210})
        if not isinstance(request, dict) or request.get("method") != "login":
            # Anything but a login needs a session.
            return json_response({"error_code": SESSION_EXPIRED})
        params = request.get("params")
        if not isinstance(params, dict):
            return json_response({"error_code": -40209})
        dev = self.device
        if dev.handshake_rejected:
            return web.Response(status=403)
        if sec_left := dev.block_seconds_left:
            return json_response(
                {
                    "error_code": SESSION_EXPIRED,
                    "data": {
                        "code": DEVICE_BLOCKED,
                        "sec_left": sec_left,
                        "time": BLOCK_TIME,
                        "max_time": BLOCK_TIME,
                        "encrypt_type": ["3"],
                    },
                }
            )
        if "digest_passwd" in params:
            return self._login_step2(params)
        return self._login_step1(params)

    def _secret_hash(self) -> str:
        dev = self.device
        if not dev.third_party_compat:
            # Without third-party compatibility the camera does not take the
            # cloud password: its challenge matches no password the user knows.
            return password_hash(f"third-party-off:{dev.device_id}:{dev.password}")
        return password_hash(dev.password)

    def _login_step1(self, params: dict[str, Any]) -> web.Response:
        dev = self.device
        dev.login_attempts += 1
        cnonce = params.get("cnonce")
        if params.get("username") != CAMERA_LOGIN_USER or not isinstance(cnonce, str):
            dev.failed_login_count += 1
            return json_response(
                {
                    "error_code": SESSION_EXPIRED,
                    "result": {"data": {"code": UNKNOWN_USER, "encrypt_type": ["3"]}},
                }
            )
        nonce = secrets.token_hex(8).upper()
        pwdhash = self._secret_hash()
        self.pending[cnonce] = (nonce, pwdhash)
        while len(self.pending) > MAX_PENDING:
            self.pending.popitem(last=False)
        return json_response(
            {
                "error_code": INVALID_NONCE,
                "result": {
                    "data": {
                        "code": SESSION_EXPIRED,
                        "time": 5,
                        "max_time": 10,
                        "sec_left": 0,
                        "encrypt_type": ["3"],
                        "key": base64.b64encode(secrets.token_bytes(16)).decode(),
                        "nonce": nonce,
                        "device_confirm": device_confirm(cnonce, nonce, pwdhash),
                    }
                },
            }
        )

    def _login_step2(self, params: dict[str, Any]) -> web.Response:
        dev = self.device
        cnonce = params.get("cnonce")
        pending = self.pending.pop(cnonce, None) if isinstance(cnonce, str) else None
        if pending is None or params.get("username") != CAMERA_LOGIN_USER:
            return json_response({"error_code": SESSION_EXPIRED})
        assert isinstance(cnonce, str)
        nonce, pwdhash = pending
        if params.get("digest_passwd") != digest_password(cnonce, nonce, pwdhash):
            dev.failed_login_count += 1
            return json_response({"error_code": INVALID_NONCE})
        session = CameraSession(
            cnonce=cnonce,
            nonce=nonce,
            pwdhash=pwdhash,
            stok=secrets.token_hex(16),
            start_seq=100 + secrets.randbelow(20000),
        )
        self.sessions[session.stok] = session
        while len(self.sessions) > MAX_PENDING:
            self.sessions.popitem(last=False)
        dev.handshake_count += 1
        return json_response(
            {
                "error_code": 0,
                "result": {
                    "stok": session.stok,
                    "user_group": "root",
                    "start_seq": session.start_seq,
                },
            }
        )

    # ---------------------------------------------------------------- session
    def _passthrough(
        self, request: web.BaseRequest, stok: str, body: bytes
    ) -> web.Response:
        session = self.sessions.get(stok)
        if session is None:
            if self.device.expired_session_reply == "http_401":
                return web.Response(status=401)
            return json_response({"error_code": SESSION_EXPIRED})
        text = body.decode(errors="replace")
        try:
            seq = int(request.headers.get("Seq", ""))
        except ValueError:
            seq = -1
        tag = request.headers.get("Tapo_tag", "")
        if seq < 0 or tag != tapo_tag(text, session.cnonce, session.pwdhash, seq):
            return json_response(
                {
                    "error_code": -1,
                    "result": {
                        "responses": [
                            {"msg": "Check tapo tag failed", "error_code": -1}
                        ]
                    },
                },
                status=500,
            )
        try:
            outer = json.loads(text)
            inner = json.loads(session.decrypt(outer["params"]["request"]))
        except (ValueError, KeyError, TypeError):
            return json_response({"error_code": -40210})
        self.device.record_request(inner)
        if self.device.malformed_replies:
            payload = MALFORMED_PAYLOAD
        else:
            payload = dumps(self.api.handle(inner))
        return json_response(
            {"error_code": 0, "result": {"response": session.encrypt(payload)}}
        )
