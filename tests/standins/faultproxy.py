"""A fault-injecting reverse proxy in front of moto: latency, 5xx, throttling, dropped and hung
connections, per AWS service, set at run time.

Dockpass's AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL_ECR point at the proxy; it forwards every
request to the upstream (moto) unless a fault rule matches. Only 127.0.0.1: it listens there,
and refuses an upstream anywhere else.

Requests are told apart by what the SDK sends:
  sts         a form body with `Action=...` (query protocol; AssumeRoleWithSAML, AssumeRole, ...)
  ecr         `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Action>` (JSON 1.1)
  ecr-public  `X-Amz-Target: SpencerFrontendService.<Action>`
  other       anything else (e.g. moto's own /moto-api/), always forwarded

Faults (a rule matches a service, "any", and optionally one action; it applies to the next
`count` matching requests, or until cleared when `count` is null; the first live rule wins):
  latency  {"seconds": S}            wait S seconds, then forward
  status   {"status": 500, "code": ..., "message": ...}
                                     answer that status with the service's own error shape
                                     (STS: XML ErrorResponse, code InternalFailure; ECR: JSON
                                     `__type` ServerException), or `"body": "..."` as text/plain
  throttle {}                        STS: 400 XML `<Code>Throttling</Code>`; ECR: 400 JSON
                                     `{"__type":"ThrottlingException","message":"Rate exceeded"}`
  drop     {"reset": false}          read the request, then close the connection without a
                                     byte of answer (FIN; with reset: RST)
  hang     {}                        read the request and never answer; the exchange ends when
                                     the client gives up (closes) or the proxy stops

Control (HTTP on the same port, paths the SDK never uses; not recorded):
  GET  /_fault/health      200 "ok"
  GET  /_fault/rules       the rules, each with `applied` (how often it fired) and `remaining`
  POST /_fault/rules       add a rule: {"service": "sts"|"ecr"|"ecr-public"|"any",
                           "fault": ..., "count": N|null, "action": NAME|null, ...params}
  POST /_fault/clear       remove rules: {} all, {"service": ...} that service's
  GET  /_fault/requests    every request so far (see below)
  POST /_fault/reset       remove every rule and forget the requests

Every proxied request is recorded: {"n", "at" (epoch seconds when its headers and body were
read), "conn" (connection number: several requests on one keep-alive connection share it),
"method", "path", "service", "action", "invocation" (the SDK's `amz-sdk-invocation-id`: one
per operation, shared by its retries), "attempt" (from `amz-sdk-request: attempt=N; max=M`),
"fault" (null when forwarded untouched), "rule", "status" (what the client got, null when
nothing), "outcome" ("answered" | "dropped" | "client-closed" | "stopped" | "upstream-error"),
"ended" (epoch seconds when the exchange ended)}. No bodies, no credentials are kept.

Run: `python -m tests.standins.faultproxy --port N --upstream http://127.0.0.1:MOTO`;
`FaultProxy` below starts it as a tracked-style service (its own session, stopped by group).
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import json
import os
import re
import select
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from .procs import REPO_ROOT, VENV_PYTHON, Service, free_port, http_status, no_proxy_opener, wait_until

SERVICES = ("sts", "ecr", "ecr-public", "any")
FAULTS = ("latency", "status", "throttle", "drop", "hang")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921."
ECR_PUBLIC_TARGET = "SpencerFrontendService."
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailers", "transfer-encoding", "upgrade", "content-length"}
UPSTREAM_TIMEOUT = 30.0


def classify(headers, body: bytes) -> tuple[str, str | None]:
    """(service, action) of a request, from X-Amz-Target or the form body's Action."""
    target = headers.get("X-Amz-Target") or ""
    if target.startswith(ECR_TARGET):
        return "ecr", target[len(ECR_TARGET):]
    if target.startswith(ECR_PUBLIC_TARGET):
        return "ecr-public", target[len(ECR_PUBLIC_TARGET):]
    ctype = (headers.get("Content-Type") or "").lower()
    if "x-www-form-urlencoded" in ctype and body:
        try:
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), max_num_fields=200)
        except ValueError:
            form = {}
        if form.get("Action"):
            return "sts", form["Action"][0]
    return "other", None


def error_answer(service: str, status: int, code: str | None, message: str | None,
                 request_id: str) -> tuple[bytes, str]:
    """The body and content type AWS sends for an error of `service`."""
    if service == "sts":
        code = code or ("Throttling" if status == 400 else "InternalFailure")
        message = message or ("Rate exceeded" if code == "Throttling" else "injected by the fault proxy")
        kind = "Sender" if status < 500 else "Receiver"
        body = ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                f"<Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>")
        return body.encode(), "text/xml"
    code = code or ("ThrottlingException" if status == 400 else "ServerException")
    message = message or ("Rate exceeded" if code == "ThrottlingException" else "injected by the fault proxy")
    return json.dumps({"__type": code, "message": message}).encode(), "application/x-amz-json-1.1"


class _State:
    def __init__(self, upstream: str):
        u = urllib.parse.urlsplit(upstream)
        self.upstream_host = u.hostname or "127.0.0.1"
        self.upstream_port = u.port or 80
        self.lock = threading.Lock()
        self.rules: list[dict] = []
        self.log: list[dict] = []
        self.next_rule = 0
        self.next_conn = 0
        self.stopping = threading.Event()

    def conn_id(self) -> int:
        with self.lock:
            self.next_conn += 1
            return self.next_conn

    def add_rule(self, spec: dict) -> dict:
        service = spec.get("service", "any")
        fault = spec.get("fault")
        if service not in SERVICES:
            raise ValueError(f"service must be one of {SERVICES}, not {service!r}")
        if fault not in FAULTS:
            raise ValueError(f"fault must be one of {FAULTS}, not {fault!r}")
        count = spec.get("count")
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ValueError("count must be a positive integer or null (until cleared)")
        if fault == "latency" and not isinstance(spec.get("seconds"), (int, float)):
            raise ValueError("latency needs seconds")
        if fault == "status" and not isinstance(spec.get("status", 500), int):
            raise ValueError("status must be an integer")
        params = {k: v for k, v in spec.items() if k not in ("service", "fault", "count", "action")}
        with self.lock:
            self.next_rule += 1
            rule = {"id": self.next_rule, "service": service, "action": spec.get("action"),
                    "fault": fault, "params": params, "remaining": count, "applied": 0}
            self.rules.append(rule)
            return dict(rule)

    def take(self, service: str, action: str | None) -> dict | None:
        """The first live rule for this request, consumed once."""
        with self.lock:
            for rule in self.rules:
                if rule["remaining"] == 0:
                    continue
                if rule["service"] not in ("any", service):
                    continue
                if rule["action"] is not None and rule["action"] != action:
                    continue
                if rule["service"] == "any" and service == "other":
                    continue  # never break the upstream's own API
                if rule["remaining"] is not None:
                    rule["remaining"] -= 1
                rule["applied"] += 1
                return dict(rule)
        return None

    def clear(self, service: str | None) -> int:
        with self.lock:
            before = len(self.rules)
            self.rules = [r for r in self.rules if service is not None and r["service"] != service]
            return before - len(self.rules)

    def record(self, entry: dict) -> dict:
        with self.lock:
            entry["n"] = len(self.log)
            self.log.append(entry)
        return entry

    def finish(self, entry: dict, outcome: str, status: int | None) -> None:
        with self.lock:
            entry.update(outcome=outcome, status=status, ended=time.time())


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "FaultProxy/1"
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK expects of AWS
    state: _State  # set on the subclass

    def log_message(self, fmt: str, *args: Any) -> None:
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    def setup(self) -> None:
        super().setup()
        self.conn = self.state.conn_id()

    # -- plumbing ---------------------------------------------------------------------------
    def _body(self) -> bytes:
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, doc: Any) -> None:
        self._send(status, json.dumps(doc).encode(), "application/json")

    # -- methods ----------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    def _handle(self) -> None:
        body = self._body()
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/_fault/"):
            return self._control(path, body)
        service, action = classify(self.headers, body)
        attempt = None
        m = re.search(r"attempt=(\d+)", self.headers.get("amz-sdk-request") or "")
        if m:
            attempt = int(m.group(1))
        rule = self.state.take(service, action)
        entry = self.state.record({
            "at": time.time(), "conn": self.conn, "method": self.command, "path": self.path,
            "service": service, "action": action,
            "invocation": self.headers.get("amz-sdk-invocation-id"), "attempt": attempt,
            "fault": rule["fault"] if rule else None, "rule": rule["id"] if rule else None,
            "status": None, "outcome": None, "ended": None,
        })
        if rule is None:
            return self._forward(entry, body)
        fault, params = rule["fault"], rule["params"]
        if fault == "latency":
            if self.state.stopping.wait(float(params["seconds"])):
                return self._abandon(entry, "stopped")
            return self._forward(entry, body)
        if fault in ("status", "throttle"):
            status = 400 if fault == "throttle" else int(params.get("status", 500))
            rid = str(uuid.uuid4())
            if fault == "status" and "body" in params:
                data, ctype = str(params["body"]).encode(), "text/plain; charset=utf-8"
            else:
                data, ctype = error_answer("sts" if service == "sts" else "ecr", status,
                                           params.get("code"), params.get("message"), rid)
            self._send(status, data, ctype, {"x-amzn-RequestId": rid})
            return self.state.finish(entry, "answered", status)
        if fault == "drop":
            return self._abandon(entry, "dropped", rst=bool(params.get("reset")))
        if fault == "hang":
            return self._hang(entry)

    def _abandon(self, entry: dict, outcome: str, rst: bool = False) -> None:
        """Close the connection without answering: FIN, or RST with `rst`."""
        self.close_connection = True
        try:
            if rst:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()  # with linger 0: RST at once
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.state.finish(entry, outcome, None)

    def _hang(self, entry: dict) -> None:
        """Never answer; return when the client closes its end or the proxy stops."""
        sock = self.connection
        while not self.state.stopping.is_set():
            try:
                ready, _, _ = select.select([sock], [], [], 0.2)
                if ready and not sock.recv(1, socket.MSG_PEEK):
                    self.close_connection = True
                    return self.state.finish(entry, "client-closed", None)
            except OSError:
                self.close_connection = True
                return self.state.finish(entry, "client-closed", None)
        self._abandon(entry, "stopped")

    def _forward(self, entry: dict, body: bytes) -> None:
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        conn = http.client.HTTPConnection(self.state.upstream_host, self.state.upstream_port,
                                          timeout=UPSTREAM_TIMEOUT)
        try:
            conn.request(self.command, self.path, body=body if body or self.command in ("POST", "PUT") else None,
                         headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            out = {k: v for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP | {"content-type", "server", "date"}}
            status, ctype = resp.status, resp.getheader("Content-Type") or "application/octet-stream"
        except (OSError, http.client.HTTPException) as e:
            msg = f"fault proxy: upstream failed: {e}".encode()
            self._send(502, msg, "text/plain; charset=utf-8")
            return self.state.finish(entry, "upstream-error", 502)
        finally:
            conn.close()
        self._send(status, data, ctype, out)
        self.state.finish(entry, "answered", status)

    # -- control ----------------------------------------------------------------------------
    def _control(self, path: str, body: bytes) -> None:
        try:
            doc = json.loads(body) if body.strip() else {}
        except ValueError:
            return self._json(400, {"error": "body is not JSON"})
        st = self.state
        if path == "/_fault/health" and self.command == "GET":
            return self._send(200, b"ok", "text/plain; charset=utf-8")
        if path == "/_fault/requests" and self.command == "GET":
            with st.lock:
                data = json.dumps(st.log)
            return self._send(200, data.encode(), "application/json")
        if path == "/_fault/rules" and self.command == "GET":
            with st.lock:
                data = json.dumps(st.rules)
            return self._send(200, data.encode(), "application/json")
        if path == "/_fault/rules" and self.command == "POST":
            try:
                return self._json(200, st.add_rule(doc))
            except ValueError as e:
                return self._json(400, {"error": str(e)})
        if path == "/_fault/clear" and self.command == "POST":
            return self._json(200, {"cleared": st.clear(doc.get("service"))})
        if path == "/_fault/reset" and self.command == "POST":
            st.clear(None)
            with st.lock:
                st.log.clear()
            return self._json(200, {"reset": True})
        self._json(404, {"error": f"no such control: {self.command} {path}"})


def serve(port: int, upstream: str) -> None:
    """Serve on 127.0.0.1:port until SIGTERM/SIGINT; hung exchanges end with the process."""
    state = _State(upstream)
    handler = type("Handler", (_Handler,), {"state": state})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    httpd.daemon_threads = True  # a hung exchange never holds up the exit

    def stop(signum, frame):
        state.stopping.set()
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()


def _local_upstream(url: str) -> str:
    """`url` when it is http on this machine (127.0.0.1); ValueError otherwise."""
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http" or u.hostname not in LOCAL_HOSTS or not u.port:
        raise ValueError(f"upstream must be http://127.0.0.1:PORT, not {url!r}")
    return url


def _upstream_arg(url: str) -> str:
    try:
        return _local_upstream(url)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


class FaultProxy:
    """A running fault proxy on 127.0.0.1:port in front of `upstream` (moto's URL)."""

    def __init__(self, workdir: Path, upstream: str, port: int | None = None):
        _local_upstream(upstream)
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.upstream = upstream
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        python = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
        self.service = Service(
            "fault-proxy",
            [python, "-m", "tests.standins.faultproxy", "--port", str(self.port), "--upstream", upstream],
            self.workdir / f"faultproxy-{self.port}.log",
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"},
            cwd=str(REPO_ROOT),
        )
        wait_until(self.service, lambda: http_status(self.url + "/_fault/health", timeout=1.0) == 200,
                   "serving /_fault/health", timeout=30)

    def _control(self, method: str, path: str, doc: Any = None) -> Any:
        data = json.dumps(doc).encode() if doc is not None else (b"" if method == "POST" else None)
        req = urllib.request.Request(self.url + path, method=method, data=data,
                                     headers={"Content-Type": "application/json"})
        with no_proxy_opener().open(req, timeout=10) as resp:
            return json.loads(resp.read())

    # -- faults -----------------------------------------------------------------------------
    def add(self, service: str, fault: str, count: int | None = None, action: str | None = None,
            **params: Any) -> dict:
        """A rule for the next `count` requests of `service` (None: until cleared)."""
        return self._control("POST", "/_fault/rules", {"service": service, "fault": fault, "count": count,
                                                        "action": action, **params})

    def latency(self, service: str, seconds: float, count: int | None = None, **kw) -> dict:
        return self.add(service, "latency", count, seconds=seconds, **kw)

    def status(self, service: str, status: int = 500, count: int | None = None, **kw) -> dict:
        return self.add(service, "status", count, status=status, **kw)

    def throttle(self, service: str, count: int | None = None, **kw) -> dict:
        return self.add(service, "throttle", count, **kw)

    def drop(self, service: str, count: int | None = None, reset: bool = False, **kw) -> dict:
        return self.add(service, "drop", count, reset=reset, **kw)

    def hang(self, service: str, count: int | None = None, **kw) -> dict:
        return self.add(service, "hang", count, **kw)

    def clear(self, service: str | None = None) -> int:
        return int(self._control("POST", "/_fault/clear", {"service": service} if service else {})["cleared"])

    def reset(self) -> None:
        """No rules, no recorded requests."""
        self._control("POST", "/_fault/reset", {})

    # -- what happened ----------------------------------------------------------------------
    def rules(self) -> list[dict]:
        return self._control("GET", "/_fault/rules")

    def requests(self, service: str | None = None, action: str | None = None) -> list[dict]:
        """Recorded requests, oldest first, optionally of one service / action."""
        return [r for r in self._control("GET", "/_fault/requests")
                if (service is None or r["service"] == service) and (action is None or r["action"] == action)]

    def stop(self) -> None:
        self.service.stop()

    def info(self) -> dict:
        return {"url": self.url, "port": self.port, "upstream": self.upstream, "pid": self.service.pid,
                "log": str(self.service.log_path)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m tests.standins.faultproxy", description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream", type=_upstream_arg, required=True, help="http://127.0.0.1:PORT (moto)")
    a = ap.parse_args(argv)
    serve(a.port, a.upstream)


if __name__ == "__main__":
    main()
