"""An SSO-session front for saml-idp: an IdP that remembers the user, as Okta, Entra or ADFS do.

saml-idp always shows its sign-in form at GET /; a real IdP answers a returning browser whose
session cookie is still valid at once with the auto-submitting SAMLResponse page. That is what
Dockpass's silent re-login (a hidden login window sharing the profile's cookies) relies on, so
the GUI tests put this front between the app and saml-idp:

  GET  /aws         the profile's idp_url. A valid session cookie: the IdP's SAMLResponse page
                    at once (fetched server-side from saml-idp with `idp.sign_in`, the same user,
                    roles and SessionDuration every time). No cookie, or one that is no longer
                    valid: a plain login form (user, password, Sign in) posting to /login.
  POST /login       right user and password: sets the session cookie (HttpOnly, Path=/,
                    SameSite=Lax, a persistent Max-Age so WebKit keeps it in its data directory)
                    and answers the SAMLResponse page; else the form again (401).
  GET  other paths  saml-idp's static assets (its page links /css/..., /dist/...) are relayed;
                    anything else is 404.
  control (not recorded, not for browsers):
  GET  /_sso/health       200 "ok"
  GET  /_sso/requests     JSON list of every request so far (see `Request` below)
  POST /_sso/invalidate   ends every session (a cookie sent later counts as "invalid"): the
                          IdP wants the user again

Every request is recorded: {"n", "at" (epoch seconds), "method", "path", "cookie": "valid" |
"invalid" | "none", "answer": "saml" | "form" | "denied" | "asset" | "not-found" | "error",
"status", "user_agent"}.

Run: `python -m tests.standins.sso --port N --idp-url URL --fields FILE` (FILE: JSON object of
saml-idp form fields, a list for several values); `SsoFront` below starts it as a service.
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import http.server
import json
import os
import secrets
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http import cookies
from pathlib import Path
from typing import Any

from .idp import Idp, _normalise_overrides, sign_in
from .procs import REPO_ROOT, VENV_PYTHON, Service, free_port, http_status, no_proxy_opener, wait_until

COOKIE = "sso_session"
DEFAULT_USER = "dev@example.com"
DEFAULT_PASSWORD = "correct horse battery staple"
DEFAULT_SESSION_TTL = 8 * 3600
ASSET_PREFIXES = ("/css/", "/dist/", "/js/", "/img/", "/fonts/")

LOGIN_FORM = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in · Test SSO</title>
<style>body{{font:16px sans-serif;margin:3em}}label{{display:block;margin:.8em 0}}
input{{font-size:1em;width:18em}}.error{{color:#b00}}</style></head>
<body>
<h1>Test SSO</h1>
<p>Sign in to continue to Amazon Web Services.</p>
{error}
<form id="login" method="post" action="/login">
  <label>User name <input id="username" name="username" autocomplete="username" autofocus></label>
  <label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
  <button id="sign-in" type="submit">Sign in</button>
</form>
</body>
</html>
"""


class _State:
    def __init__(self, idp_url: str, fields: dict, user: str, password: str, session_ttl: int):
        self.idp_url = idp_url
        self.fields = fields
        self.user = user
        self.password = password
        self.session_ttl = session_ttl
        self.lock = threading.Lock()
        self.sessions: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self.log: list[dict] = []

    def cookie_state(self, header: str | None) -> tuple[str, str | None]:
        if not header:
            return "none", None
        jar = cookies.SimpleCookie()
        try:
            jar.load(header)
        except cookies.CookieError:
            return "invalid", None
        morsel = jar.get(COOKIE)
        if morsel is None:
            return "none", None
        with self.lock:
            expiry = self.sessions.get(morsel.value)
        if expiry is None or expiry < time.time():
            return "invalid", None
        return "valid", morsel.value

    def new_session(self) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.sessions[token] = time.time() + self.session_ttl
        return token

    def invalidate(self) -> int:
        with self.lock:
            n = len(self.sessions)
            self.sessions.clear()
        return n

    def record(self, entry: dict) -> None:
        with self.lock:
            entry["n"] = len(self.log)
            self.log.append(entry)

    def saml_page(self) -> str:
        return sign_in(self.idp_url, fields=self.fields)


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "TestSSO/1"
    state: _State  # set on the subclass

    def log_message(self, fmt: str, *args: Any) -> None:
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    # -- answers ------------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _form(self, status: int = 200, error: str = "") -> None:
        err = f'<p class="error" id="error">{html.escape(error)}</p>' if error else ""
        self._send(status, LOGIN_FORM.format(error=err).encode())

    def _entry(self, cookie: str) -> dict:
        return {"at": time.time(), "method": self.command, "path": self.path, "cookie": cookie,
                "user_agent": self.headers.get("User-Agent", "")}

    def _saml(self, entry: dict, headers: dict[str, str] | None = None) -> None:
        try:
            page = self.state.saml_page()
        except Exception as e:  # noqa: BLE001 - answer and record, never crash the front
            entry.update(answer="error", status=502)
            self.state.record(entry)
            self._send(502, f"saml-idp sign-in failed: {e}".encode(), "text/plain; charset=utf-8")
            return
        entry.update(answer="saml", status=200)
        self.state.record(entry)
        self._send(200, page.encode(), headers=headers)

    # -- methods ------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/_sso/"):
            return self._control(path)
        cookie, _ = self.state.cookie_state(self.headers.get("Cookie"))
        entry = self._entry(cookie)
        if path == "/aws":
            if cookie == "valid":
                return self._saml(entry)
            entry.update(answer="form", status=200)
            self.state.record(entry)
            return self._form()
        if path.startswith(ASSET_PREFIXES):
            return self._asset(entry)
        entry.update(answer="not-found", status=404)
        self.state.record(entry)
        self._send(404, b"not found", "text/plain; charset=utf-8")

    def do_POST(self) -> None:  # noqa: N802
        path = urllib.parse.urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if path.startswith("/_sso/"):
            return self._control(path)
        cookie, _ = self.state.cookie_state(self.headers.get("Cookie"))
        entry = self._entry(cookie)
        if path != "/login":
            entry.update(answer="not-found", status=404)
            self.state.record(entry)
            return self._send(404, b"not found", "text/plain; charset=utf-8")
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        user = (form.get("username") or [""])[0]
        password = (form.get("password") or [""])[0]
        entry["user"] = user
        if user != self.state.user or password != self.state.password:
            entry.update(answer="denied", status=401)
            self.state.record(entry)
            return self._form(401, "Wrong user name or password.")
        token = self.state.new_session()
        morsel = (f"{COOKIE}={token}; Path=/; Max-Age={self.state.session_ttl}; HttpOnly; "
                  "SameSite=Lax")
        self._saml(entry, headers={"Set-Cookie": morsel})

    def _asset(self, entry: dict) -> None:
        url = urllib.parse.urljoin(self.state.idp_url, self.path.lstrip("/"))
        try:
            with no_proxy_opener().open(url, timeout=10) as resp:
                data, ctype = resp.read(), resp.headers.get("Content-Type", "application/octet-stream")
        except urllib.error.HTTPError as e:
            entry.update(answer="not-found", status=e.code)
            self.state.record(entry)
            return self._send(e.code, b"", "text/plain")
        except (urllib.error.URLError, OSError):
            entry.update(answer="error", status=502)
            self.state.record(entry)
            return self._send(502, b"", "text/plain")
        entry.update(answer="asset", status=200)
        self.state.record(entry)
        self._send(200, data, ctype)

    def _control(self, path: str) -> None:
        if path == "/_sso/health" and self.command == "GET":
            return self._send(200, b"ok", "text/plain; charset=utf-8")
        if path == "/_sso/requests" and self.command == "GET":
            with self.state.lock:
                data = json.dumps(self.state.log).encode()
            return self._send(200, data, "application/json")
        if path == "/_sso/invalidate" and self.command == "POST":
            n = self.state.invalidate()
            return self._send(200, json.dumps({"invalidated": n}).encode(), "application/json")
        self._send(404, b"no such control", "text/plain; charset=utf-8")

    do_HEAD = do_GET


def serve(port: int, idp_url: str, fields: dict, user: str = DEFAULT_USER,
          password: str = DEFAULT_PASSWORD, session_ttl: int = DEFAULT_SESSION_TTL) -> None:
    """Serve on 127.0.0.1:port until SIGTERM/SIGINT."""
    handler = type("Handler", (_Handler,), {"state": _State(idp_url, fields, user, password, session_ttl)})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    httpd.daemon_threads = True

    def stop(signum, frame):
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()


class SsoFront:
    """A running SSO front for `idp` on 127.0.0.1:port; `url` is what a profile's idp_url names."""

    def __init__(self, workdir: Path, idp: Idp, port: int | None = None, user: str = DEFAULT_USER,
                 password: str = DEFAULT_PASSWORD, session_ttl: int = DEFAULT_SESSION_TTL,
                 **overrides: Any):
        """`overrides` are `Idp.sign_in` keyword overrides (e.g. `roles=[...]`) baked into every
        assertion the front hands out. Like every POST /signin they also become saml-idp's
        in-memory user, which plain `sign_in(idp.url)` callers then get: give the front an
        IdP of its own when overriding."""
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.idp = idp
        self.user, self.password = user, password
        fields: dict[str, Any] = {k: v for k, v in idp.profile.items() if k not in ("firstName", "lastName")}
        fields.update(_normalise_overrides(overrides))
        self.fields_path = self.workdir / f"sso-fields-{id(self)}.json"
        self.fields_path.write_text(json.dumps(fields, indent=2))
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/aws"
        python = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
        self.service = Service(
            "sso-front",
            [python, "-m", "tests.standins.sso", "--port", str(self.port), "--idp-url", idp.url,
             "--fields", str(self.fields_path), "--user", user, "--password", password,
             "--session-ttl", str(session_ttl)],
            self.workdir / f"sso-{self.port}.log",
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"},
            cwd=str(REPO_ROOT),
        )
        wait_until(self.service, lambda: http_status(self.base + "/_sso/health", timeout=1.0) == 200,
                   "serving /_sso/health", timeout=30)

    def _control(self, method: str, path: str) -> Any:
        req = urllib.request.Request(self.base + path, method=method, data=b"" if method == "POST" else None)
        with no_proxy_opener().open(req, timeout=10) as resp:
            return json.loads(resp.read())

    def requests(self, since: int = 0) -> list[dict]:
        """Every recorded request (from number `since` on)."""
        return [r for r in self._control("GET", "/_sso/requests") if r["n"] >= since]

    def invalidate_sessions(self) -> int:
        """End every session: the next visit gets the login form. Returns how many ended."""
        return int(self._control("POST", "/_sso/invalidate")["invalidated"])

    def browser(self) -> "Browser":
        return Browser(self)

    def stop(self) -> None:
        self.service.stop()

    def info(self) -> dict:
        return {"url": self.url, "port": self.port, "pid": self.service.pid, "user": self.user,
                "log": str(self.service.log_path)}


class Browser:
    """A cookie-keeping HTTP client (for the stand-in's self-tests and scripts)."""

    def __init__(self, front: SsoFront):
        self.front = front
        self.jar = http.cookiejar.CookieJar()
        self.opener = no_proxy_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str = "/aws") -> tuple[int, str]:
        try:
            with self.opener.open(self.front.base + path, timeout=15) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def login(self, user: str | None = None, password: str | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode({"username": user if user is not None else self.front.user,
                                       "password": password if password is not None else self.front.password})
        req = urllib.request.Request(self.front.base + "/login", data=body.encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with self.opener.open(req, timeout=15) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m tests.standins.sso", description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--idp-url", required=True, help="saml-idp's base URL (its sign-in form at GET /)")
    ap.add_argument("--fields", type=Path, required=True, help="JSON object of saml-idp form fields")
    ap.add_argument("--user", default=DEFAULT_USER)
    ap.add_argument("--password", default=DEFAULT_PASSWORD)
    ap.add_argument("--session-ttl", type=int, default=DEFAULT_SESSION_TTL)
    a = ap.parse_args(argv)
    serve(a.port, a.idp_url, json.loads(a.fields.read_text()), a.user, a.password, a.session_ttl)


if __name__ == "__main__":
    main()
