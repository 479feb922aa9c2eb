"""A stand-in for the AWS federation endpoint (`https://signin.aws.amazon.com/federation`), which
moto does not have, in its public request and answer shapes:

  GET /federation?Action=getSigninToken&Session=JSON   JSON {sessionId, sessionKey, sessionToken}
                                   (temporary credentials; all three, nothing else) → 200
                                   {"SigninToken": "..."}; a malformed session → 400
  GET /federation?Action=login&Issuer=I&Destination=URL&SigninToken=T
                                   a token issued here within 15 minutes → 302 to Destination;
                                   else 400
Control (for tests): GET /_fed/health, GET /_fed/requests (each: action, session_id (the access
key id, not a secret), destination, status; never the secret key, the token or the sign-in
token).

Dockpass reaches it through `AWS_ENDPOINT_URL_SIGNIN` (the base URL; it adds `/federation`).
Run: `python -m tests.standins.federation --port N`; `Federation` below starts it as a service.
"""

from __future__ import annotations

import argparse
import http.server
import json
import secrets
import signal
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from .procs import control, free_port, module_service

TOKEN_LIFE = 15 * 60


def make_handler(lock: threading.Lock, tokens: dict, requests: list):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            pass

        def _send(self, status: int, body: bytes = b"", headers: dict | None = None):
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _record(self, **doc):
            with lock:
                requests.append({"n": len(requests) + 1, "at": time.time(), **doc})

        def do_GET(self):  # noqa: N802 (http.server's naming)
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/_fed/health":
                return self._send(200, b"ok")
            if url.path == "/_fed/requests":
                with lock:
                    return self._send(200, json.dumps(requests).encode(), {"Content-Type": "application/json"})
            if url.path != "/federation":
                return self._send(404)
            q = dict(urllib.parse.parse_qsl(url.query))
            action = q.get("Action")
            if action == "getSigninToken":
                try:
                    session = json.loads(q.get("Session", ""))
                except ValueError:
                    session = None
                ok = (isinstance(session, dict) and set(session) == {"sessionId", "sessionKey", "sessionToken"}
                      and all(isinstance(v, str) and v for v in session.values()))
                if not ok:
                    self._record(action=action, status=400)
                    return self._send(400, b"Invalid session")
                token = secrets.token_urlsafe(96)
                with lock:
                    tokens[token] = time.time() + TOKEN_LIFE
                self._record(action=action, session_id=session["sessionId"], status=200)
                return self._send(200, json.dumps({"SigninToken": token}).encode(),
                                  {"Content-Type": "application/json"})
            if action == "login":
                with lock:
                    expires = tokens.get(q.get("SigninToken", ""), 0)
                destination = q.get("Destination", "")
                if expires < time.time() or not destination.startswith("https://"):
                    self._record(action=action, status=400)
                    return self._send(400, b"Invalid sign-in token")
                self._record(action=action, destination=destination, issuer=q.get("Issuer"), status=302)
                return self._send(302, b"", {"Location": destination})
            self._record(action=action, status=400)
            return self._send(400, b"Unknown action")

    return Handler


def serve(port: int) -> None:
    lock, tokens, requests = threading.Lock(), {}, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(lock, tokens, requests))

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()


class Federation:
    """The stand-in on 127.0.0.1:port, in its own process."""

    def __init__(self, workdir: Path, port: int | None = None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.service = module_service("federation", "federation", ["--port", str(self.port)],
                                      self.workdir / f"federation-{self.port}.log", self.url + "/_fed/health")

    def requests(self) -> list[dict[str, Any]]:
        return control(self.url + "/_fed/requests")

    def stop(self) -> None:
        self.service.stop()


def main() -> None:  # pragma: no cover - run as a service
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    serve(ap.parse_args().port)


if __name__ == "__main__":  # pragma: no cover
    main()
