"""A small W3C WebDriver client over urllib (what the GUI tests need of tauri-driver, no more).

tauri-driver (port P) forwards to WebKitWebDriver, which starts the app given in the
capabilities' `tauri:options` and drives its webviews. Every request is bounded by a timeout;
errors come back as `WebDriverError` with the W3C error code ("no such window", ...).
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Sequence

ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"


class WebDriverError(RuntimeError):
    def __init__(self, status: int, error: str, message: str, method: str, path: str):
        super().__init__(f"{method} {path}: HTTP {status} {error}: {message}")
        self.status, self.error, self.message = status, error, message


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def request(base: str, method: str, path: str, body: Any = None, timeout: float = 30.0) -> Any:
    """One WebDriver command; the answer's `value`."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with _opener().open(req, timeout=timeout) as resp:
            payload = resp.read()
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            value = json.loads(raw).get("value") or {}
        except ValueError:
            value = {"error": "unknown error", "message": raw.decode("utf-8", "replace")[:500]}
        raise WebDriverError(e.code, value.get("error", "?"), value.get("message", ""), method, path) from None
    return json.loads(payload or b"{}").get("value")


class Element:
    def __init__(self, session: "Session", element_id: str):
        self.session, self.id = session, element_id

    def _cmd(self, method: str, suffix: str, body: Any = None) -> Any:
        return self.session.cmd(method, f"/element/{self.id}{suffix}", body)

    def click(self) -> None:
        self._cmd("POST", "/click", {})

    @property
    def text(self) -> str:
        return self._cmd("GET", "/text")

    def attribute(self, name: str) -> str | None:
        return self._cmd("GET", f"/attribute/{name}")

    def property(self, name: str) -> Any:
        return self._cmd("GET", f"/property/{name}")

    def send_keys(self, text: str) -> None:
        self._cmd("POST", "/value", {"text": text})

    def displayed(self) -> bool:
        return bool(self._cmd("GET", "/displayed"))

    def __repr__(self) -> str:
        return f"<Element {self.id}>"


class Session:
    """A WebDriver session on one running app."""

    def __init__(self, url: str, capabilities: dict, timeout: float = 60.0):
        self.url = url.rstrip("/")
        value = request(self.url, "POST", "/session", {"capabilities": {"alwaysMatch": capabilities}},
                        timeout=timeout)
        self.id = value["sessionId"]
        self.capabilities = value.get("capabilities", {})
        self.base = f"{self.url}/session/{self.id}"
        self.closed = False

    def route_to(self, url: str) -> None:
        """Send the session's later commands to another endpoint (the native driver)."""
        self.base = f"{url.rstrip('/')}/session/{self.id}"

    def cmd(self, method: str, path: str, body: Any = None, timeout: float = 30.0) -> Any:
        return request(self.base, method, path, body, timeout)

    def delete(self, timeout: float = 10.0) -> None:
        if self.closed:
            return
        self.closed = True
        request(self.base, "DELETE", "", timeout=timeout)

    # -- windows ---------------------------------------------------------------------------
    def handles(self) -> list[str]:
        return list(self.cmd("GET", "/window/handles") or [])

    def current_handle(self) -> str:
        return self.cmd("GET", "/window")

    def switch_to(self, handle: str) -> None:
        self.cmd("POST", "/window", {"handle": handle})

    @property
    def current_url(self) -> str:
        return self.cmd("GET", "/url")

    @property
    def title(self) -> str:
        return self.cmd("GET", "/title")

    def windows(self) -> dict[str, str]:
        """{handle: URL} of every window the driver sees (switches around; ends on the last)."""
        out = {}
        for h in self.handles():
            try:
                self.switch_to(h)
                out[h] = self.current_url
            except WebDriverError as e:
                if e.error != "no such window":
                    raise
        return out

    # -- elements and scripts --------------------------------------------------------------
    def find(self, css: str) -> Element:
        v = self.cmd("POST", "/element", {"using": "css selector", "value": css})
        return Element(self, v[ELEMENT_KEY])

    def find_all(self, css: str) -> list[Element]:
        vs = self.cmd("POST", "/elements", {"using": "css selector", "value": css}) or []
        return [Element(self, v[ELEMENT_KEY]) for v in vs]

    def execute(self, script: str, *args: Any) -> Any:
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def execute_async(self, script: str, *args: Any, timeout: float = 30.0) -> Any:
        return self.cmd("POST", "/execute/async", {"script": script, "args": list(args)}, timeout=timeout)

    def screenshot(self, path: Path) -> Path:
        png = base64.b64decode(self.cmd("GET", "/screenshot"))
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        return path

    # -- waiting ---------------------------------------------------------------------------
    def wait_for(self, css: str, timeout: float = 15.0, what: str | None = None,
                 visible: bool = False) -> Element:
        """The first element matching `css`, polling until it exists (and is displayed)."""
        last: Exception | None = None

        def probe():
            nonlocal last
            try:
                els = self.find_all(css)
            except WebDriverError as e:
                last = e
                return None
            for el in els:
                try:
                    if not visible or el.displayed():
                        return el
                except WebDriverError as e:  # stale after a re-render
                    last = e
            return None

        return wait(probe, timeout, what or f"element {css!r}", lambda: f" (last error: {last})" if last else "")


def wait(probe: Callable[[], Any], timeout: float, what: str,
         detail: Callable[[], str] = lambda: "", interval: float = 0.1) -> Any:
    """Poll `probe()` until it returns something truthy; AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        v = probe()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{detail()}")
        time.sleep(interval)


def capabilities(application: str, args: Sequence[str]) -> dict:
    # pageLoadStrategy none: commands never wait for a load. A click that posts a SAML form
    # starts a navigation the app cancels (the capture), which a "normal" wait never sees end.
    return {"browserName": "wry", "pageLoadStrategy": "none",
            "tauri:options": {"application": application, "args": list(args)}}
