"""A stand-in for IAM Identity Center's two public APIs, which moto does not have: SSO OIDC
(`oidc.REGION.amazonaws.com`) and the access portal (`portal.sso.REGION.amazonaws.com`), on one
loopback port (`AWS_ENDPOINT_URL_SSO_OIDC` and `AWS_ENDPOINT_URL_SSO` both point at it; their
paths do not overlap). It follows the public API shapes (restJson1, the errors' `x-amzn-ErrorType`
header and OAuth-style bodies), so the real AWS SDKs talk to it unchanged.

SSO OIDC:
  POST /client/register        RegisterClient: clientId, clientSecret (public client; the
                               authorization_code grant needs redirectUris and issuerUrl)
  POST /device_authorization   StartDeviceAuthorization: deviceCode, userCode, verificationUri(Complete)
  POST /token                  CreateToken, grants: urn:ietf:params:oauth:grant-type:device_code,
                               authorization_code (PKCE S256 checked against the verifier),
                               refresh_token; errors authorization_pending, slow_down, expired_token,
                               invalid_grant, invalid_client, access_denied
  GET  /authorize              the authorize endpoint (PKCE): a consent page with an "Allow" button
                               (`#allow`) and "Deny" (`#deny`); POST /authorize/decide redirects to
                               the client's loopback redirect_uri with `code` and `state`, or with
                               `error=access_denied`
  GET  /device                 the device verification page (`?user_code=`): "Allow" approves it
Portal (bearer token in `x-amz-sso_bearer_token`):
  GET  /assignment/accounts    ListAccounts (accountId, accountName, emailAddress), paged
  GET  /assignment/roles       ListAccountRoles (?account_id), paged
  GET  /federation/credentials GetRoleCredentials (?account_id&role_name): keys that moto's STS
                               issued (AssumeRole of arn:aws:iam::ACCOUNT:role/ROLE), so ECR on moto
                               accepts them for that account
  POST /logout                 Logout: the token stops working
Control (for tests, not for the SDK): GET /_ic/health, GET /_ic/requests, POST /_ic/approve
({"user_code"}), POST /_ic/revoke (every access and refresh token), POST /_ic/config
({"access_token_ttl", "refresh": bool}).

Run: `python -m tests.standins.identity_center --port N --moto URL --accounts FILE` (FILE: JSON
list of {"accountId", "accountName", "emailAddress", "roles": [names]}); `IdentityCenter` below
starts it as a service.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import http.server
import json
import re
import secrets
import signal
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from .procs import control, free_port, module_service

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_ACCOUNTS = [
    {"accountId": "111111111111", "accountName": "Platform Prod", "emailAddress": "prod@example.com",
     "roles": ["Developer", "ReadOnly"]},
    {"accountId": "222222222222", "accountName": "Platform Staging", "emailAddress": "staging@example.com",
     "roles": ["Developer"]},
]


class State:
    def __init__(self, moto: str, accounts: list[dict]):
        self.lock = threading.Lock()
        self.moto = moto.rstrip("/")
        self.accounts = accounts
        self.clients: dict[str, dict] = {}
        self.devices: dict[str, dict] = {}      # deviceCode -> {client, user_code, approved, denied, exp}
        self.codes: dict[str, dict] = {}        # auth code -> {client, redirect, challenge, exp, used}
        self.tokens: dict[str, float] = {}      # access token -> expiry (epoch s)
        self.refresh: dict[str, str] = {}       # refresh token -> clientId
        self.access_ttl = 3600
        self.issue_refresh = True
        self.requests: list[dict] = []


class OidcError(Exception):
    def __init__(self, status: int, kind: str, error: str, description: str):
        super().__init__(description)
        self.status, self.kind, self.error, self.description = status, kind, error, description


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _moto_role_credentials(moto: str, account: str, role: str) -> dict:
    """AssumeRole at moto for arn:aws:iam::ACCOUNT:role/ROLE: keys moto knows for that account."""
    form = urllib.parse.urlencode({
        "Action": "AssumeRole", "Version": "2011-06-15", "DurationSeconds": "3600",
        "RoleArn": f"arn:aws:iam::{account}:role/{role}", "RoleSessionName": "identity-center",
    }).encode()
    req = urllib.request.Request(moto + "/", data=form, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded",
        # moto reads the service from the credential scope; the keys themselves are not checked.
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/sts/aws4_request, "
                         "SignedHeaders=host, Signature=0",
    })
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=15) as resp:
        xml = resp.read().decode()
    got = {k: re.search(f"<{k}>([^<]+)</{k}>", xml) for k in
           ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")}
    if not all(got.values()):
        raise RuntimeError(f"moto's AssumeRole answered no credentials: {xml[:300]}")
    return {k: m.group(1) for k, m in got.items()}


def make_handler(state: State):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        # -- plumbing ------------------------------------------------------------------------
        def _body(self) -> bytes:
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, doc: Any, headers: dict | None = None):
            self._send(status, json.dumps(doc).encode(), "application/json", headers)

        def _html(self, status: int, page: str):
            self._send(status, page.encode(), "text/html; charset=utf-8")

        def _oidc_error(self, e: OidcError):
            self._json(e.status, {"error": e.error, "error_description": e.description},
                       {"x-amzn-ErrorType": e.kind})

        def _portal_error(self, status: int, kind: str, message: str):
            self._json(status, {"message": message}, {"x-amzn-ErrorType": kind})

        def _record(self, op: str, **extra):
            with state.lock:
                state.requests.append({"n": len(state.requests) + 1, "at": time.time(),
                                       "method": self.command, "path": self.path.split("?")[0],
                                       "op": op, **extra})

        # -- routing -------------------------------------------------------------------------
        def do_GET(self):  # noqa: N802 (http.server's naming)
            url = urllib.parse.urlsplit(self.path)
            q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
            if url.path == "/_ic/health":
                return self._send(200, b"ok", "text/plain")
            if url.path == "/_ic/requests":
                with state.lock:
                    return self._json(200, list(state.requests))
            if url.path == "/authorize":
                return self._authorize_page(q)
            if url.path == "/device":
                return self._device_page(q)
            if url.path in ("/assignment/accounts", "/assignment/roles", "/federation/credentials"):
                return self._portal(url.path, q)
            self._send(404, b"not found", "text/plain")

        def do_POST(self):  # noqa: N802
            url = urllib.parse.urlsplit(self.path)
            body = self._body()
            try:
                if url.path == "/client/register":
                    return self._register(json.loads(body or b"{}"))
                if url.path == "/device_authorization":
                    return self._device_authorization(json.loads(body or b"{}"))
                if url.path == "/token":
                    return self._token(json.loads(body or b"{}"))
            except OidcError as e:
                self._record(url.path.strip("/"), error=e.error)
                return self._oidc_error(e)
            if url.path == "/authorize/decide":
                return self._decide(dict(urllib.parse.parse_qsl(body.decode())))
            if url.path == "/device/decide":
                return self._device_decide(dict(urllib.parse.parse_qsl(body.decode())))
            if url.path == "/logout":
                token = self.headers.get("x-amz-sso_bearer_token") or ""
                with state.lock:
                    state.tokens.pop(token, None)
                self._record("Logout")
                return self._send(200, b"", "application/json")
            if url.path.startswith("/_ic/"):
                return self._control(url.path, json.loads(body or b"{}"))
            self._send(404, b"not found", "text/plain")

        # -- SSO OIDC ------------------------------------------------------------------------
        def _client(self, doc: dict) -> dict:
            with state.lock:
                c = state.clients.get(doc.get("clientId") or "")
            if not c or c["secret"] != doc.get("clientSecret"):
                raise OidcError(400, "InvalidClientException", "invalid_client", "Invalid client")
            return c

        def _register(self, doc: dict):
            if not doc.get("clientName") or doc.get("clientType") != "public":
                raise OidcError(400, "InvalidRequestException", "invalid_request",
                                "clientName and clientType public are required")
            grants = doc.get("grantTypes") or [DEVICE_GRANT, "refresh_token"]
            if "authorization_code" in grants and not (doc.get("redirectUris") and doc.get("issuerUrl")):
                raise OidcError(400, "InvalidRequestException", "invalid_request",
                                "authorization_code needs redirectUris and issuerUrl")
            cid, secret = "client-" + secrets.token_hex(8), secrets.token_urlsafe(24)
            now = int(time.time())
            with state.lock:
                state.clients[cid] = {"secret": secret, "redirects": doc.get("redirectUris") or [],
                                      "grants": grants, "scopes": doc.get("scopes") or []}
            self._record("RegisterClient", grants=grants)
            host = self.headers.get("Host")
            self._json(200, {"clientId": cid, "clientSecret": secret, "clientIdIssuedAt": now,
                             "clientSecretExpiresAt": now + 90 * 86400,
                             "authorizationEndpoint": f"http://{host}/authorize",
                             "tokenEndpoint": f"http://{host}/token"})

        def _device_authorization(self, doc: dict):
            c = self._client(doc)
            if not doc.get("startUrl"):
                raise OidcError(400, "InvalidRequestException", "invalid_request", "startUrl is required")
            device, user = secrets.token_urlsafe(24), "-".join(secrets.token_hex(2).upper() for _ in range(2))
            with state.lock:
                state.devices[device] = {"client": doc["clientId"], "user_code": user, "approved": False,
                                         "denied": False, "exp": time.time() + 600, "scopes": c["scopes"]}
            self._record("StartDeviceAuthorization")
            host = self.headers.get("Host")
            self._json(200, {"deviceCode": device, "userCode": user, "expiresIn": 600, "interval": 1,
                             "verificationUri": f"http://{host}/device",
                             "verificationUriComplete": f"http://{host}/device?user_code={user}"})

        def _issue(self, client_id: str) -> dict:
            token = "ic-access-" + secrets.token_urlsafe(24)
            out = {"accessToken": token, "tokenType": "Bearer", "expiresIn": state.access_ttl}
            with state.lock:
                state.tokens[token] = time.time() + state.access_ttl
                if state.issue_refresh:
                    rt = "ic-refresh-" + secrets.token_urlsafe(24)
                    state.refresh[rt] = client_id
                    out["refreshToken"] = rt
            return out

        def _token(self, doc: dict):
            self._client(doc)
            grant = doc.get("grantType")
            cid = doc["clientId"]
            if grant == DEVICE_GRANT:
                with state.lock:
                    d = state.devices.get(doc.get("deviceCode") or "")
                    if not d or d["client"] != cid:
                        raise OidcError(400, "InvalidGrantException", "invalid_grant", "Invalid device code")
                    if time.time() > d["exp"]:
                        raise OidcError(400, "ExpiredTokenException", "expired_token", "Device code expired")
                    if d["denied"]:
                        raise OidcError(400, "AccessDeniedException", "access_denied", "The user denied access")
                    if not d["approved"]:
                        raise OidcError(400, "AuthorizationPendingException", "authorization_pending",
                                        "Authorization pending")
                    del state.devices[doc["deviceCode"]]
            elif grant == "authorization_code":
                with state.lock:
                    c = state.codes.pop(doc.get("code") or "", None)
                if not c or c["client"] != cid or time.time() > c["exp"]:
                    raise OidcError(400, "InvalidGrantException", "invalid_grant", "Invalid authorization code")
                if doc.get("redirectUri") != c["redirect"]:
                    raise OidcError(400, "InvalidGrantException", "invalid_grant", "redirect_uri mismatch")
                verifier = doc.get("codeVerifier") or ""
                if _b64url(hashlib.sha256(verifier.encode()).digest()) != c["challenge"]:
                    raise OidcError(400, "InvalidGrantException", "invalid_grant", "PKCE verification failed")
            elif grant == "refresh_token":
                with state.lock:
                    owner = state.refresh.pop(doc.get("refreshToken") or "", None)
                if owner != cid:
                    raise OidcError(400, "InvalidGrantException", "invalid_grant", "Invalid refresh token")
            else:
                raise OidcError(400, "UnsupportedGrantTypeException", "unsupported_grant_type",
                                f"Unsupported grant type {grant!r}")
            self._record("CreateToken", grant=grant)
            self._json(200, self._issue(cid))

        def _authorize_page(self, q: dict):
            with state.lock:
                c = state.clients.get(q.get("client_id") or "")
            redirect = q.get("redirect_uri") or ""
            if not c or redirect not in c["redirects"] or q.get("response_type") != "code":
                return self._html(400, "<!doctype html><title>Error</title><h1>Invalid request</h1>")
            if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
                return self._html(400, "<!doctype html><title>Error</title><h1>PKCE is required</h1>")
            self._record("Authorize")
            hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                             for k, v in q.items())
            self._html(200, f"""<!doctype html><html><head><meta charset="utf-8">
<title>Allow access · IAM Identity Center stand-in</title></head><body>
<h1>Allow Dockpass to access your data?</h1>
<form method="post" action="/authorize/decide">{hidden}
<button type="submit" name="decision" value="allow" id="allow">Allow access</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button></form></body></html>""")

        def _decide(self, form: dict):
            redirect = form.get("redirect_uri") or ""
            with state.lock:
                c = state.clients.get(form.get("client_id") or "")
            if not c or redirect not in c["redirects"]:
                return self._html(400, "<!doctype html><title>Error</title><h1>Invalid request</h1>")
            sep = "&" if "?" in redirect else "?"
            state_q = urllib.parse.urlencode({"state": form.get("state", "")})
            if form.get("decision") != "allow":
                self._record("AuthorizeDenied")
                target = f"{redirect}{sep}error=access_denied&{state_q}"
            else:
                code = secrets.token_urlsafe(24)
                with state.lock:
                    state.codes[code] = {"client": form["client_id"], "redirect": redirect,
                                         "challenge": form.get("code_challenge"), "exp": time.time() + 300}
                self._record("AuthorizeAllowed")
                target = f"{redirect}{sep}code={code}&{state_q}"
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _device_page(self, q: dict):
            code = html.escape(q.get("user_code") or "")
            self._html(200, f"""<!doctype html><html><head><meta charset="utf-8">
<title>Authorize request · IAM Identity Center stand-in</title></head><body>
<h1>Authorize request</h1><form method="post" action="/device/decide">
<input name="user_code" id="user_code" value="{code}">
<button type="submit" name="decision" value="allow" id="allow">Allow access</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button></form></body></html>""")

        def _device_decide(self, form: dict):
            ok = self._approve(form.get("user_code") or "", form.get("decision") == "allow")
            self._html(200 if ok else 404, "<!doctype html><title>Done</title><h1 id=done>"
                       + ("Request approved" if ok else "Unknown code") + "</h1>")

        def _approve(self, user_code: str, allow: bool = True) -> bool:
            with state.lock:
                for d in state.devices.values():
                    if d["user_code"] == user_code:
                        d["approved"], d["denied"] = allow, not allow
                        return True
            return False

        # -- portal --------------------------------------------------------------------------
        def _portal(self, path: str, q: dict):
            token = self.headers.get("x-amz-sso_bearer_token") or ""
            with state.lock:
                exp = state.tokens.get(token)
            if exp is None or time.time() > exp:
                self._record(path, error="unauthorized")
                return self._portal_error(401, "UnauthorizedException", "Session token not found or invalid")
            if path == "/assignment/accounts":
                self._record("ListAccounts")
                items = [{k: a[k] for k in ("accountId", "accountName", "emailAddress")} for a in state.accounts]
                return self._json(200, self._page(items, q, "accountList"))
            account = next((a for a in state.accounts if a["accountId"] == q.get("account_id")), None)
            if account is None:
                # What AWS answers (an unmodelled ForbiddenException, as the AWS CLI shows it).
                return self._portal_error(403, "ForbiddenException", "No access")
            if path == "/assignment/roles":
                self._record("ListAccountRoles", account=account["accountId"])
                items = [{"roleName": r, "accountId": account["accountId"]} for r in account["roles"]]
                return self._json(200, self._page(items, q, "roleList"))
            role = q.get("role_name") or ""
            if role not in account["roles"]:
                return self._portal_error(403, "ForbiddenException", "No access")
            creds = _moto_role_credentials(state.moto, account["accountId"], role)
            self._record("GetRoleCredentials", account=account["accountId"], role=role)
            exp_ms = int(time.time() + 3600) * 1000
            self._json(200, {"roleCredentials": {"accessKeyId": creds["AccessKeyId"],
                                                 "secretAccessKey": creds["SecretAccessKey"],
                                                 "sessionToken": creds["SessionToken"],
                                                 "expiration": exp_ms}})

        @staticmethod
        def _page(items: list, q: dict, key: str) -> dict:
            size = max(1, min(int(q.get("max_result") or 100), 100))
            start = int(q.get("next_token") or 0)
            out: dict = {key: items[start:start + size]}
            if start + size < len(items):
                out["nextToken"] = str(start + size)
            return out

        # -- control -------------------------------------------------------------------------
        def _control(self, path: str, doc: dict):
            if path == "/_ic/approve":
                return self._json(200 if self._approve(doc.get("user_code") or "") else 404, {})
            if path == "/_ic/revoke":
                with state.lock:
                    n = len(state.tokens) + len(state.refresh)
                    state.tokens.clear()
                    state.refresh.clear()
                return self._json(200, {"revoked": n})
            if path == "/_ic/config":
                with state.lock:
                    if "access_token_ttl" in doc:
                        state.access_ttl = int(doc["access_token_ttl"])
                    if "refresh" in doc:
                        state.issue_refresh = bool(doc["refresh"])
                return self._json(200, {"access_token_ttl": state.access_ttl, "refresh": state.issue_refresh})
            self._send(404, b"not found", "text/plain")

    return Handler


def serve(port: int, moto: str, accounts: list[dict]) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(State(moto, accounts)))

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()


class IdentityCenter:
    """The stand-in on 127.0.0.1:port, in its own process, issuing role keys from moto."""

    def __init__(self, workdir: Path, moto_url: str, accounts: list[dict] | None = None,
                 port: int | None = None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.accounts = accounts or DEFAULT_ACCOUNTS
        accounts_file = self.workdir / "accounts.json"
        accounts_file.write_text(json.dumps(self.accounts))
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.service = module_service(
            "identity-center", "identity_center",
            ["--port", str(self.port), "--moto", moto_url, "--accounts", str(accounts_file)],
            self.workdir / f"identity-center-{self.port}.log", self.url + "/_ic/health")

    def _control(self, method: str, path: str, doc: Any = None) -> Any:
        return control(self.url + path, method, doc)

    def approve(self, user_code: str) -> None:
        self._control("POST", "/_ic/approve", {"user_code": user_code})

    def revoke(self) -> int:
        return int(self._control("POST", "/_ic/revoke", {})["revoked"])

    def configure(self, access_token_ttl: int | None = None, refresh: bool | None = None) -> dict:
        doc: dict = {}
        if access_token_ttl is not None:
            doc["access_token_ttl"] = access_token_ttl
        if refresh is not None:
            doc["refresh"] = refresh
        return self._control("POST", "/_ic/config", doc)

    def requests(self) -> list[dict]:
        return self._control("GET", "/_ic/requests")

    def stop(self) -> None:
        self.service.stop()


def main() -> None:  # pragma: no cover - run as a service
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--moto", required=True)
    ap.add_argument("--accounts", type=Path)
    a = ap.parse_args()
    accounts = json.loads(a.accounts.read_text()) if a.accounts else DEFAULT_ACCOUNTS
    serve(a.port, a.moto, accounts)


if __name__ == "__main__":
    main()
