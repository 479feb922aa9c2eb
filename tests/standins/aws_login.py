"""A stand-in for the AWS Sign-In token endpoint behind `aws login` (AWS CLI 2.32+), which moto
does not have, and the cache file `aws login` leaves for the SDKs.

The SDKs read `login_session = ARN` from the shared config, load
`~/.aws/login/cache/SHA256(ARN).json` (`$AWS_LOGIN_CACHE_DIRECTORY` instead when set) and, once
the cached keys expire within five minutes, call CreateOAuth2Token with the refresh token and a
DPoP proof signed by the P-256 key in the file. aws-config (Rust) resolves the Sign-In endpoint
like any service's, so `AWS_ENDPOINT_URL_SIGNIN` (or `AWS_ENDPOINT_URL`, or the profile's
`endpoint_url`) points it here.

Public API shape (restJson1, service `Signin`, unsigned: the DPoP proof is the authentication):
  POST /v1/token   CreateOAuth2Token, JSON body {clientId, grantType: refresh_token, refreshToken};
                   header `DPoP`: an ES256 JWT whose header carries the public key (`jwk`) and
                   whose claims are htm POST, htu (this URL), iat, jti. Answers {accessToken:
                   {accessKeyId, secretAccessKey, sessionToken}, tokenType: aws_sigv4, expiresIn,
                   refreshToken}; the keys come from moto's STS (AssumeRole in the session's
                   account), so ECR on moto accepts them. Errors carry `x-amzn-ErrorType` and
                   {error, message}: an ended session is 401 AccessDeniedException TOKEN_EXPIRED
                   (the SDKs turn it into "Your session has expired. Please reauthenticate.");
                   a bad request or DPoP proof is 400 ValidationException INVALID_REQUEST.
The stand-in checks the proof fully: structure, htm/htu, iat within 5 minutes, jti not seen
before, the ES256 signature, and that the key is the one the session was created with (RFC 7638
thumbprint), as a refresh token is bound to its DPoP key. Refresh tokens rotate; earlier ones of
a session stay valid until the session ends (AWS documents refresh as idempotent).

Control (for tests, not for the SDK): GET /_login/health, GET /_login/requests (no secrets),
POST /_login/sessions ({login_session, jkt, client_id}: what `aws login` ends with: a session,
its first keys and refresh token), POST /_login/revoke ({login_session?, error?}: end one or
every session; refreshes then fail with `error`, default TOKEN_EXPIRED), POST /_login/config
({expires_in}: lifetime of issued keys, 1..900 s).

Run: `python -m tests.standins.aws_login --port N --moto URL`; `AwsLogin` below starts it as a
service, and `write_login_cache` writes a cache file as `aws login` does.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.server
import json
import os
import secrets
import signal
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from .identity_center import _moto_role_credentials
from .procs import control, free_port, module_service

SAME_DEVICE = "arn:aws:signin:::devtools/same-device"
CROSS_DEVICE = "arn:aws:signin:::devtools/cross-device"
MAX_EXPIRES_IN = 900  # the model's bound: Sign-In's keys last 15 minutes
PROOF_MAX_AGE = 300
ERROR_STATUS = {"TOKEN_EXPIRED": 401, "AUTHCODE_EXPIRED": 401,
                "USER_CREDENTIALS_CHANGED": 403, "INSUFFICIENT_PERMISSIONS": 403}


# -- shared by the cache writer, the proof builder and the server --------------------------------

def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json_compact(doc: dict) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def account_of(login_session: str) -> str:
    """The account field of the session ARN (`aws login` stores it as accessToken.accountId)."""
    parts = login_session.strip().split(":")
    if len(parts) < 6 or parts[0] != "arn" or not parts[4].isdigit() or len(parts[4]) != 12:
        raise ValueError(f"not a login session ARN: {login_session!r}")
    return parts[4]


def public_jwk(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> dict:
    """The P-256 public key as the SDKs put it in the DPoP header (x, y: 32 bytes, base64url)."""
    pub = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    nums = pub.public_numbers()
    return {"kty": "EC", "x": _b64url(nums.x.to_bytes(32, "big")),
            "y": _b64url(nums.y.to_bytes(32, "big")), "crv": "P-256"}


def jwk_thumbprint(jwk: dict) -> str:
    """RFC 7638: SHA-256 of the required members in lexicographic order, no whitespace."""
    canon = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    return _b64url(hashlib.sha256(_json_compact(canon)).digest())


def dpop_proof(key: ec.EllipticCurvePrivateKey, url: str, *, method: str = "POST",
               jti: str | None = None, iat: int | None = None) -> str:
    """A DPoP proof as aws-config's login/dpop.rs builds it (same members and order)."""
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": public_jwk(key)}
    claims = {"jti": jti or str(uuid.uuid4()), "htm": method, "htu": url,
              "iat": int(time.time()) if iat is None else iat}
    signing_input = f"{_b64url(_json_compact(header))}.{_b64url(_json_compact(claims))}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _unsigned_jwt(claims: dict) -> str:
    """Shaped like Sign-In's id token (the AWS CLI reads only `sub`); the SDKs never verify it."""
    return f"{_b64url(_json_compact({'alg': 'none', 'typ': 'JWT'}))}.{_b64url(_json_compact(claims))}."


# -- the cache file ----------------------------------------------------------------------------

def cache_path(home: Path, login_session: str, cache_dir: Path | None = None) -> Path:
    """Where the SDKs look: CACHE_DIR/hex(SHA-256(ARN)).json; CACHE_DIR is $AWS_LOGIN_CACHE_DIRECTORY
    when set (pass it as `cache_dir`), else ~/.aws/login/cache. aws-config trims the ARN first."""
    directory = Path(cache_dir) if cache_dir is not None else Path(home) / ".aws" / "login" / "cache"
    return directory / (hashlib.sha256(login_session.strip().encode()).hexdigest() + ".json")


def dpop_key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    """SEC1 'EC PRIVATE KEY' PEM, 64-column lines: what `aws login` stores and p256's from_sec1_pem reads."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def load_dpop_key(cache: dict) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(cache["dpopKey"].encode(), password=None)
    if not (isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1)):
        raise ValueError("dpopKey is not a P-256 EC private key")
    return key


def write_login_cache(home: Path, login_session: str, *, refresh_token: str | None = None,
                      credentials: dict | None = None, key: ec.EllipticCurvePrivateKey | None = None,
                      expired: bool = False, expires_in: int = MAX_EXPIRES_IN,
                      client_id: str = SAME_DEVICE, id_token: str | None = None,
                      cache_dir: Path | None = None) -> Path:
    """Write the cache file `aws login` writes (AWS CLI v2 awscli/customizations/login/utils.py):
    same keys and order, expiresAt in whole UTC seconds with Z, mode 0600 as botocore's
    JSONFileCache creates it. `expired` dates the keys a minute in the past so the next use
    refreshes them. Without `credentials` the keys are placeholders (no AWS service accepts them);
    without `refresh_token` only a stand-in that never saw it answers (with INVALID_REQUEST):
    `AwsLogin.login` supplies both from a real session. Returns the path."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    creds = credentials or {"accessKeyId": "ASIA" + secrets.token_hex(8).upper(),
                            "secretAccessKey": secrets.token_urlsafe(30),
                            "sessionToken": secrets.token_urlsafe(96)}
    now = datetime.now(timezone.utc)
    expires = now - timedelta(seconds=60) if expired else now + timedelta(seconds=expires_in)
    doc = {
        "accessToken": {
            "accessKeyId": creds["accessKeyId"],
            "secretAccessKey": creds["secretAccessKey"],
            "sessionToken": creds["sessionToken"],
            "accountId": account_of(login_session),
            "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "tokenType": "aws_sigv4",
        "clientId": client_id,
        "refreshToken": refresh_token or "standin-refresh-" + secrets.token_urlsafe(32),
        "idToken": id_token or _unsigned_jwt({"sub": login_session.strip(), "aud": client_id,
                                              "iat": int(now.timestamp())}),
        "dpopKey": dpop_key_pem(key),
    }
    path = cache_path(home, login_session, cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(doc))
    return path


def profile_config(profile: str, login_session: str, region: str | None = None) -> str:
    """The shared-config section `aws login --profile PROFILE` writes."""
    name = "default" if profile == "default" else f"profile {profile}"
    lines = [f"[{name}]", f"login_session = {login_session}"] + ([f"region = {region}"] if region else [])
    return "\n".join(lines) + "\n"


# -- the server --------------------------------------------------------------------------------

class SigninError(Exception):
    def __init__(self, status: int, kind: str, error: str, message: str):
        super().__init__(message)
        self.status, self.kind, self.error, self.message = status, kind, error, message


def _invalid(message: str) -> SigninError:
    return SigninError(400, "ValidationException", "INVALID_REQUEST", message)


def verify_dpop(proof: str, method: str, url: str, seen_jti: set[str], now: float | None = None) -> str:
    """Check a DPoP proof (RFC 9449 section 4.3, as Sign-In needs it); its key's thumbprint, or
    SigninError. `seen_jti` is updated (replay check)."""
    now = time.time() if now is None else now
    if not proof:
        raise _invalid("no DPoP header")
    parts = proof.split(".")
    if len(parts) != 3:
        raise _invalid("DPoP proof is not a JWS compact serialization")
    try:
        header, claims = json.loads(_unb64url(parts[0])), json.loads(_unb64url(parts[1]))
        sig = _unb64url(parts[2])
    except ValueError as e:
        raise _invalid(f"DPoP proof does not decode: {e}") from None
    if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256":
        raise _invalid("DPoP proof header needs typ dpop+jwt and alg ES256")
    jwk = header.get("jwk") or {}
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" in jwk:
        raise _invalid("DPoP proof jwk must be a public P-256 EC key")
    if claims.get("htm") != method:
        raise _invalid(f"DPoP htm {claims.get('htm')!r} is not {method}")
    htu = urllib.parse.urlsplit(str(claims.get("htu", "")))
    if htu._replace(query="", fragment="").geturl() != url:
        raise _invalid(f"DPoP htu {claims.get('htu')!r} is not {url}")
    if not isinstance(claims.get("iat"), int) or abs(now - claims["iat"]) > PROOF_MAX_AGE:
        raise _invalid("DPoP iat missing or too far from now")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or jti in seen_jti:
        raise _invalid("DPoP jti missing or used before")
    try:
        pub = ec.EllipticCurvePublicNumbers(int.from_bytes(_unb64url(jwk["x"]), "big"),
                                            int.from_bytes(_unb64url(jwk["y"]), "big"),
                                            ec.SECP256R1()).public_key()
    except (KeyError, ValueError):
        raise _invalid("DPoP jwk is not a point on P-256") from None
    if len(sig) != 64:
        raise _invalid("DPoP signature is not 64 bytes (r || s)")
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        pub.verify(der, f"{parts[0]}.{parts[1]}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise _invalid("DPoP signature does not verify") from None
    seen_jti.add(jti)
    return jwk_thumbprint(jwk)


class State:
    def __init__(self, moto: str):
        self.lock = threading.Lock()
        self.moto = moto.rstrip("/")
        self.sessions: dict[str, dict] = {}   # ARN -> {jkt, client_id, account, role, ended}
        self.refresh: dict[str, str] = {}     # refresh token -> ARN
        self.seen_jti: set[str] = set()
        self.expires_in = MAX_EXPIRES_IN
        self.requests: list[dict] = []


def make_handler(state: State):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def _body(self) -> bytes:
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _json(self, status: int, doc: Any, headers: dict | None = None):
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _record(self, op: str, **extra):
            with state.lock:
                state.requests.append({
                    "n": len(state.requests) + 1, "at": time.time(), "method": self.command,
                    "path": self.path.split("?")[0], "op": op,
                    "invocation_id": self.headers.get("amz-sdk-invocation-id"),
                    "user_agent": self.headers.get("user-agent"), **extra})

        def do_GET(self):  # noqa: N802 (http.server's naming)
            path = self.path.split("?")[0]
            if path == "/_login/health":
                return self._json(200, {"ok": True})
            if path == "/_login/requests":
                with state.lock:
                    return self._json(200, list(state.requests))
            self._json(404, {"message": "not found"})

        def do_POST(self):  # noqa: N802
            path = self.path.split("?")[0]
            body = self._body()
            if path == "/v1/token":
                return self._token(body)
            if path.startswith("/_login/"):
                return self._control(path, json.loads(body or b"{}"))
            self._json(404, {"message": "not found"})

        # -- CreateOAuth2Token ---------------------------------------------------------------
        def _token(self, body: bytes):
            info: dict = {"dpop": None}
            try:
                self._refresh(body, info)
            except SigninError as e:
                self._record("CreateOAuth2Token", outcome=e.error, reason=e.message, **info)
                self._json(e.status, {"error": e.error, "message": e.message}, {"x-amzn-ErrorType": e.kind})

        def _refresh(self, body: bytes, info: dict):
            try:
                doc = json.loads(body or b"{}")
            except ValueError:
                doc = None
            if not isinstance(doc, dict):
                raise _invalid("the body is not a JSON object")
            info.update(grant=doc.get("grantType"), client_id=doc.get("clientId"))
            if doc.get("clientId") not in (SAME_DEVICE, CROSS_DEVICE):
                raise _invalid("clientId must be a devtools client ARN")
            if doc.get("grantType") != "refresh_token":
                raise _invalid("the stand-in supports grantType refresh_token only")
            url = f"http://{self.headers.get('Host')}{self.path.split('?')[0]}"
            try:
                with state.lock:
                    jkt = verify_dpop(self.headers.get("DPoP") or "", "POST", url, state.seen_jti)
            except SigninError as e:
                info["dpop"] = e.message
                raise
            info["dpop"] = "ok"
            with state.lock:
                arn = state.refresh.get(doc.get("refreshToken") or "")
                session = state.sessions.get(arn or "")
            if session is None:
                raise _invalid("invalid refresh token")
            info["login_session"] = arn
            if session["ended"]:
                err = session["ended"]
                raise SigninError(ERROR_STATUS.get(err, 400), "AccessDeniedException", err,
                                  "The session has ended. Sign in again.")
            if session["jkt"] != jkt or session["client_id"] != doc["clientId"]:
                raise _invalid("the refresh token is bound to another DPoP key or client")
            out = self._issue(arn, session)
            self._record("CreateOAuth2Token", outcome="ok", **info)
            self._json(200, out)

        def _issue(self, arn: str, session: dict) -> dict:
            try:
                creds = _moto_role_credentials(state.moto, session["account"], session["role"])
            except (OSError, RuntimeError) as e:
                raise SigninError(500, "InternalServerException", "server_error", f"moto: {e}") from None
            refresh = "standin-refresh-" + secrets.token_urlsafe(32)
            with state.lock:
                state.refresh[refresh] = arn
                ttl = state.expires_in
            return {"accessToken": {"accessKeyId": creds["AccessKeyId"],
                                    "secretAccessKey": creds["SecretAccessKey"],
                                    "sessionToken": creds["SessionToken"]},
                    "tokenType": "aws_sigv4", "expiresIn": ttl, "refreshToken": refresh}

        # -- control -------------------------------------------------------------------------
        def _control(self, path: str, doc: dict):
            if path == "/_login/sessions":
                return self._new_session(doc)
            if path == "/_login/revoke":
                error = doc.get("error") or "TOKEN_EXPIRED"
                with state.lock:
                    hit = [s for arn, s in state.sessions.items()
                           if doc.get("login_session") in (None, arn) and not s["ended"]]
                    for s in hit:
                        s["ended"] = error
                self._record("_revoke", error=error, count=len(hit))
                return self._json(200, {"revoked": len(hit)})
            if path == "/_login/config":
                if "expires_in" in doc:
                    if not 1 <= int(doc["expires_in"]) <= MAX_EXPIRES_IN:
                        return self._json(400, {"message": f"expires_in must be 1..{MAX_EXPIRES_IN}"})
                    with state.lock:
                        state.expires_in = int(doc["expires_in"])
                return self._json(200, {"expires_in": state.expires_in})
            self._json(404, {"message": "not found"})

        def _new_session(self, doc: dict):
            arn = (doc.get("login_session") or "").strip()
            try:
                account = account_of(arn)
            except ValueError as e:
                return self._json(400, {"message": str(e)})
            # moto mints keys for an account through AssumeRole: the session's role when the ARN
            # is an assumed role, else a stand-in role name (IAM users have no role).
            resource = arn.split(":", 5)[5]
            role = resource.split("/")[1] if resource.startswith("assumed-role/") else "aws-login"
            session = {"jkt": doc.get("jkt"), "client_id": doc.get("client_id") or SAME_DEVICE,
                       "account": account, "role": role, "ended": None}
            if not session["jkt"]:
                return self._json(400, {"message": "jkt (the DPoP key's thumbprint) is required"})
            with state.lock:
                state.sessions[arn] = session
            try:
                out = self._issue(arn, session)
            except SigninError as e:
                return self._json(e.status, {"message": e.message})
            self._record("_session", login_session=arn)
            now = int(time.time())
            out["idToken"] = _unsigned_jwt({"sub": arn, "aud": session["client_id"], "iat": now})
            self._json(200, out)

    return Handler


def serve(port: int, moto: str) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(State(moto)))

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()


class AwsLogin:
    """The Sign-In token endpoint stand-in on 127.0.0.1:port, in its own process, with moto's keys.
    Point the SDK at it with `env` (AWS_ENDPOINT_URL_SIGNIN)."""

    def __init__(self, workdir: Path, moto_url: str, port: int | None = None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token_url = self.url + "/v1/token"
        self.env = {"AWS_ENDPOINT_URL_SIGNIN": self.url}
        self.service = module_service(
            "aws-login", "aws_login", ["--port", str(self.port), "--moto", moto_url],
            self.workdir / f"aws-login-{self.port}.log", self.url + "/_login/health")

    def _control(self, method: str, path: str, doc: Any = None) -> Any:
        return control(self.url + path, method, doc)

    def login(self, home: Path, login_session: str, *, expired: bool = False,
              client_id: str = SAME_DEVICE, cache_dir: Path | None = None) -> Path:
        """What `aws login` does: a fresh DPoP key, a session here bound to it (moto keys and a
        refresh token), the cache file. Returns its path; the shared config is up to the caller
        (`profile_config`)."""
        key = ec.generate_private_key(ec.SECP256R1())
        out = self._control("POST", "/_login/sessions", {
            "login_session": login_session, "client_id": client_id, "jkt": jwk_thumbprint(public_jwk(key))})
        return write_login_cache(home, login_session, refresh_token=out["refreshToken"],
                                 credentials=out["accessToken"], key=key, expired=expired,
                                 expires_in=out["expiresIn"], client_id=client_id,
                                 id_token=out["idToken"], cache_dir=cache_dir)

    def revoke(self, login_session: str | None = None, error: str = "TOKEN_EXPIRED") -> int:
        """End one session (or all): its refreshes then fail with AccessDeniedException `error`."""
        doc = {"error": error} | ({"login_session": login_session} if login_session else {})
        return int(self._control("POST", "/_login/revoke", doc)["revoked"])

    def configure(self, expires_in: int) -> dict:
        return self._control("POST", "/_login/config", {"expires_in": expires_in})

    def requests(self) -> list[dict]:
        return self._control("GET", "/_login/requests")

    def stop(self) -> None:
        self.service.stop()


def main() -> None:  # pragma: no cover - run as a service
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--moto", required=True)
    a = ap.parse_args()
    serve(a.port, a.moto)


if __name__ == "__main__":
    main()
