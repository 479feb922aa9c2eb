"""Local "IdP" pages for the login window, rendered from templates in tests/gui/pages/.

A `PageServer` (http.server in a thread of the test process, 127.0.0.1, port picked at run
time) serves each published page under its own path `/p/<token>/`, so one test's pages never
mix with another's. A test publishes a template with values (a real SAMLResponse from the
stand-in saml-idp, the form action, ...) and uses the page's URL as the profile's `idp_url`:

    page = pages.publish("submit", trigger="dom", saml_response=b64, submit_with="submit")
    page.url          # http://127.0.0.1:PORT/p/<token>/
    page.release()    # opens the gate of a trigger="server" page
    page.requests     # what the webview asked for: [(method, path), ...]

Templates use `string.Template` placeholders: `$name` is the value HTML-escaped, `$name_js` a
JavaScript string literal, `$when_go` the trigger helper below. A template whose first
comment is `<!-- csp: POLICY -->` is served with that Content-Security-Policy header, where
`$script_hashes` is the sha256 of every inline script without `data-unhashed`.

Triggers (`<html data-trigger=...>`, for pages that submit by script):
  now     at once
  dom     when the test sets the attribute data-go on <html> through WebDriver
  server  when the test calls page.release() (the page polls `gate`); for windows WebDriver
          cannot reach
Standalone, to look at the pages in a browser: `python -m tests.gui.capture_pages --port N`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import string
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PAGES_DIR = Path(__file__).resolve().parent / "pages"

ACS_URL = "https://signin.aws.amazon.com/saml"
REGIONAL_ACS_URL = "https://us-east-1.signin.aws.amazon.com/saml/acs/SAMLSP4SHN3UIS2D558H46"

WHEN_GO = r"""    function whenGo(fn) {
      var root = document.documentElement, mode = root.getAttribute("data-trigger");
      if (mode === "now") { fn(); return; }
      if (mode === "server") {
        (function poll() {
          fetch("gate", { cache: "no-store" }).then(function (r) {
            if (r.status === 200) fn(); else setTimeout(poll, 100);
          }, function () { setTimeout(poll, 250); });
        })();
        return;
      }
      if (root.hasAttribute("data-go")) { fn(); return; }
      new MutationObserver(function (m, o) {
        if (root.hasAttribute("data-go")) { o.disconnect(); fn(); }
      }).observe(root, { attributes: true });
    }"""

_CSP_COMMENT = re.compile(r"<!--\s*csp:\s*(.*?)\s*-->", re.S)
_SCRIPT = re.compile(r"<script(\s[^>]*)?>(.*?)</script>", re.S | re.I)


def js_literal(value: Any) -> str:
    """A JavaScript literal for `value`, safe inside an inline <script>."""
    return json.dumps(value).replace("</", "<\\/").replace("<!--", "<\\!--")


@dataclass
class Page:
    token: str
    template: str
    values: dict
    base_url: str
    gate: threading.Event = field(default_factory=threading.Event)
    requests: list = field(default_factory=list)
    csp: str | None = None

    @property
    def url(self) -> str:
        return f"{self.base_url}/p/{self.token}/"

    @property
    def path(self) -> str:
        return f"/p/{self.token}/"

    def release(self) -> None:
        self.gate.set()


def render(template: str, values: dict) -> tuple[str, str | None]:
    """(HTML, Content-Security-Policy or None) of a template with `values`."""
    text = (PAGES_DIR / f"{template}.html").read_text(encoding="utf-8")
    mapping: dict[str, str] = {}
    for k, v in values.items():
        mapping[k] = html.escape(str(v), quote=True)
        mapping[f"{k}_js"] = js_literal(v)
    mapping["when_go"] = WHEN_GO
    mapping.setdefault("script_hashes", "'none'")
    page = string.Template(text).substitute(mapping)
    m = _CSP_COMMENT.search(text)
    if not m:
        return page, None
    hashes = []
    for attrs, body in _SCRIPT.findall(page):
        if "data-unhashed" in (attrs or ""):
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    mapping["script_hashes"] = " ".join(hashes) or "'none'"
    page = string.Template(text).substitute(mapping)
    policy = string.Template(m.group(1)).substitute(mapping)
    # The hashes must not change by putting them into the page (they are in comments only).
    again = [f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'"
             for a, b in _SCRIPT.findall(page) if "data-unhashed" not in (a or "")]
    assert " ".join(again) == mapping["script_hashes"], "a script changed with its own hash"
    return page, policy


class PageServer:
    """Serves published pages on 127.0.0.1 from a daemon thread of this process."""

    def __init__(self, port: int = 0):
        self.pages: dict[str, Page] = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):  # quiet; requests are recorded per page
                pass

            def _send(self, status: int, body: bytes = b"", ctype: str = "text/plain; charset=utf-8",
                      headers: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _page(self) -> tuple[Page | None, str]:
                path = urllib.parse.urlsplit(self.path).path
                m = re.fullmatch(r"/p/([A-Za-z0-9_-]+)/(.*)", path)
                if not m:
                    return None, path
                with server.lock:
                    page = server.pages.get(m.group(1))
                if page is not None:
                    page.requests.append((self.command, path))
                return page, m.group(2)

            def do_GET(self):
                page, rest = self._page()
                if page is None:
                    return self._send(404, b"no such page\n")
                if rest == "":
                    body, csp = render(page.template, page.values)
                    page.csp = csp
                    headers = {"Content-Security-Policy": csp} if csp else {}
                    return self._send(200, body.encode("utf-8"), "text/html; charset=utf-8", headers)
                if rest == "gate":
                    return self._send(200 if page.gate.is_set() else 204, b"go" if page.gate.is_set() else b"")
                if rest == "favicon.ico":
                    return self._send(204)
                return self._send(404, b"not found\n")

            do_HEAD = do_GET

            def do_POST(self):
                page, _ = self._page()
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(min(length, 1 << 20))
                return self._send(405 if page else 404, b"this test IdP takes no posts\n")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="capture-pages", daemon=True)
        self.thread.start()

    def publish(self, template: str, trigger: str = "dom", **values: Any) -> Page:
        if not (PAGES_DIR / f"{template}.html").exists():
            raise ValueError(f"no template {template!r} in {PAGES_DIR}")
        values.setdefault("action", ACS_URL)
        values.setdefault("relay_state", "")
        values.setdefault("trigger", trigger)
        values.setdefault("saml_response", "")
        page = Page(secrets.token_urlsafe(9), template, dict(values), self.url)
        render(template, page.values)  # fail here, not in the webview, on a bad template
        with self.lock:
            self.pages[page.token] = page
        return page

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def main() -> None:  # pragma: no cover - a manual look at the pages
    import argparse
    import time

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--saml-response", default=base64.b64encode(b"<not-a-real-response/>").decode())
    args = ap.parse_args()
    srv = PageServer(args.port)
    for name in sorted(p.stem for p in PAGES_DIR.glob("*.html")):
        extra = {"submit_with": "submit"} if name == "submit" else {}
        if name == "ipc":
            extra = {"profile": "test", "other_role": "arn:aws:iam::222222222222:role/Developer"}
        if name == "acs_refusal":
            extra = {"acs_url": REGIONAL_ACS_URL}
        page = srv.publish(name, trigger="server", saml_response=args.saml_response, **extra)
        print(f"{name:12} {page.url}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
