"""The user's own browser for the browser sign-in tests: Debian's Chromium driven by
chromedriver with the unpacked Dockpass extension loaded, and a stand-in for AWS sign-in
(an HTTPS server on loopback that records what is posted to it; Chromium reaches it for
signin.aws.amazon.com through --host-resolver-rules).

Chromium reads per-user native messaging host manifests from `USER_DATA_DIR/
NativeMessagingHosts`; with the user data dir at `$XDG_CONFIG_HOME/chromium` that is where
`dockpass browser install` writes them. chromedriver, Chromium and the host it starts all
run with the test's environment, so the host finds the test's sign-in socket.
"""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Mapping

from tests.gui.webdriver_client import Session, wait
from tests.standins.procs import REPO_ROOT, Service, StandinError, free_port, http_status, wait_until

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
EXTENSION_DIR = REPO_ROOT / "extension"
AWS_SIGNIN_HOST = "signin.aws.amazon.com"


def have_chromium() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


class AwsSignin:
    """An HTTPS server standing in for AWS sign-in: records each POST's form fields."""

    def __init__(self, workdir: Path):
        self.posts: list[dict[str, str]] = []
        workdir.mkdir(parents=True, exist_ok=True)
        key, cert = workdir / "signin-key.pem", workdir / "signin-cert.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes",
             "-subj", f"/CN={AWS_SIGNIN_HOST}", "-keyout", str(key), "-out", str(cert), "-days", "30"],
            check=True, capture_output=True, timeout=60,
        )
        posts = self.posts

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                n = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(n).decode())
                posts.append({k: v[0] for k, v in form.items()} | {"_path": self.path})
                body = b"<!doctype html><title>AWS console stand-in</title><h1 id=console>AWS console</h1>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Chromium:
    """chromedriver + Chromium (headless) with the Dockpass extension unpacked."""

    def __init__(self, workdir: Path, user_data_dir: Path, env: Mapping[str, str],
                 aws_signin_port: int | None = None, extension: bool = True):
        if not have_chromium():
            raise StandinError("chromium and chromium-driver are not installed: run scripts/setup")
        self.port = free_port()
        self.user_data_dir = user_data_dir
        self.driver = Service(
            "chromedriver", [CHROMEDRIVER, f"--port={self.port}", "--allowed-ips=127.0.0.1"],
            workdir / f"chromedriver-{self.port}.log", env=env,
        )
        url = f"http://127.0.0.1:{self.port}"
        wait_until(self.driver, lambda: http_status(url + "/status", timeout=1.0) == 200,
                   "chromedriver answering", timeout=30)
        args = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-features=DisableLoadExtensionCommandLineSwitch",
            f"--user-data-dir={user_data_dir}", "--window-size=1200,900",
        ]
        if extension:
            args.append(f"--load-extension={EXTENSION_DIR}")
        if aws_signin_port:
            args += [f"--host-resolver-rules=MAP {AWS_SIGNIN_HOST} 127.0.0.1:{aws_signin_port}",
                     "--ignore-certificate-errors"]
        caps = {"browserName": "chrome", "pageLoadStrategy": "none",
                "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}
        self.session = Session(url, caps)

    def open(self, url: str) -> None:
        self.session.cmd("POST", "/url", {"url": url})

    def sign_in_at_idp(self, url: str) -> None:
        """Opens saml-idp's page and presses its Sign in button (the page then auto-posts)."""
        self.open(url)
        self.session.wait_for("#btn-sign-in", 20, "saml-idp's Sign in button").click()

    def wait_url(self, predicate, timeout: float, what: str) -> str:
        return wait(lambda: (lambda u: u if predicate(u) else None)(self.current_url()), timeout, what,
                    lambda: f" (at {self.current_url()})")

    def current_url(self) -> str:
        try:
            return self.session.current_url or ""
        except Exception:  # noqa: BLE001 - a navigation in flight
            return ""

    def stop(self) -> None:
        try:
            self.session.delete()
        except Exception:  # noqa: BLE001 - the browser may be gone already
            pass
        self.driver.stop()


def browser_opener(bin_dir: Path, record: Path) -> Path:
    """A `$BROWSER` that records the URL Dockpass opens (the test then opens it in Chromium)."""
    p = bin_dir / "record-browser"
    p.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{record}'\n")
    p.chmod(0o755)
    return p


def chromium_missing_reason() -> str | None:
    if not have_chromium():
        return "chromium and chromium-driver are not installed (scripts/setup installs them)"
    if not shutil.which("openssl"):
        return "openssl is not installed"
    return None


FIREFOX = "/usr/bin/firefox-esr"


def have_firefox() -> bool:
    return Path(FIREFOX).exists()


class Firefox:
    """Debian's Firefox ESR (headless) driven over Marionette, its own remote protocol (a
    length-prefixed JSON exchange; the few commands the tests need are here), with the
    unpacked Dockpass extension installed as a temporary add-on. Firefox reads native
    messaging host manifests from `$HOME/.mozilla/native-messaging-hosts/`."""

    ELEMENT = "element-6066-11e4-a52e-4f735466cecf"

    def __init__(self, workdir: Path, env: Mapping[str, str], extension: bool = True):
        import json as _json
        import socket

        if not have_firefox():
            raise StandinError("firefox-esr is not installed: run scripts/setup")
        self._json = _json
        self.port = free_port()
        profile = workdir / f"firefox-{self.port}"
        profile.mkdir(parents=True)
        prefs = {
            "marionette.port": self.port,
            "browser.shell.checkDefaultBrowser": False,
            "browser.startup.homepage_override.mstone": "ignore",
            "datareporting.policy.dataSubmissionEnabled": False,
            "toolkit.telemetry.reportingpolicy.firstRun": False,
            "app.update.disabledForTesting": True,
            "network.captive-portal-service.enabled": False,
            "network.connectivity-service.enabled": False,
            "extensions.update.enabled": False,
            "browser.safebrowsing.malware.enabled": False,
            "browser.safebrowsing.phishing.enabled": False,
        }
        (profile / "user.js").write_text("".join(
            f"user_pref({_json.dumps(k)}, {_json.dumps(v)});\n" for k, v in prefs.items()))
        self.proc = Service("firefox", [FIREFOX, "--headless", "--marionette", "--no-remote",
                                        "--profile", str(profile)],
                            workdir / f"firefox-{self.port}.log", env={**env, "MOZ_HEADLESS": "1"})
        deadline = time.monotonic() + 60
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
                break
            except OSError:
                if time.monotonic() > deadline or not self.proc.alive():
                    raise StandinError(f"Firefox's Marionette did not answer: {self.proc.log_tail()}")
                time.sleep(0.2)
        self.buf = b""
        self._read()  # the server's hello
        self.next_id = 0
        self.cmd("WebDriver:NewSession", {"capabilities": {"alwaysMatch": {"pageLoadStrategy": "none"}}})
        if extension:
            self.addon = self.cmd("Addon:Install", {"path": str(EXTENSION_DIR), "temporary": True})["value"]

    def _read(self):
        while b":" not in self.buf:
            self.buf += self._recv()
        n, _, rest = self.buf.partition(b":")
        size = int(n)
        while len(rest) < size:
            rest += self._recv()
        self.buf = rest[size:]
        return self._json.loads(rest[:size])

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise StandinError("Firefox closed the Marionette connection")
        return chunk

    def cmd(self, name: str, params: dict | None = None):
        self.next_id += 1
        body = self._json.dumps([0, self.next_id, name, params or {}]).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body)
        while True:
            kind, msg_id, error, result = self._read()
            if kind == 1 and msg_id == self.next_id:
                if error:
                    raise StandinError(f"Marionette {name}: {error}")
                return result

    def open(self, url: str) -> None:
        self.cmd("WebDriver:Navigate", {"url": url})

    def find(self, css: str, timeout: float = 20) -> str:
        def probe():
            try:
                return self.cmd("WebDriver:FindElement", {"using": "css selector", "value": css})["value"][self.ELEMENT]
            except StandinError:
                return None
        return wait(probe, timeout, f"element {css!r} in Firefox")

    def text(self, css: str) -> str:
        return self.cmd("WebDriver:GetElementText", {"id": self.find(css)})["value"]

    def sign_in_at_idp(self, url: str) -> None:
        self.open(url)
        try:
            self.cmd("WebDriver:ElementClick", {"id": self.find("#btn-sign-in")})
        except StandinError as e:
            # The click waits for the navigation it starts: AWS sign-in cannot be reached
            # here, which is no concern of the sign-in (the extension saw the POST already).
            if "Reached error page" not in str(e):
                raise

    def current_url(self) -> str:
        try:
            return self.cmd("WebDriver:GetCurrentURL")["value"]
        except StandinError:
            return ""

    def wait_url(self, predicate, timeout: float, what: str) -> str:
        return wait(lambda: (lambda u: u if predicate(u) else None)(self.current_url()), timeout, what,
                    lambda: f" (at {self.current_url()})")

    def stop(self) -> None:
        try:
            self.cmd("Marionette:Quit", {"flags": ["eForceQuit"]})
        except Exception:  # noqa: BLE001 - it may be gone already
            pass
        try:
            self.sock.close()
        except OSError:
            pass
        self.proc.stop()
