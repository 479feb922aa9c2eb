"""A fake Dockpass helper socket: what another user (or any process that can write to a shared
runtime folder) could put where docker-credential-dockpass and `dockpass credentials` look.

It speaks Dockpass's socket protocol (one JSON line each way, see crates/dockpass-helper):
every `get` is answered with the fake ECR password `FAKE_SECRET`, every `credentials` request
with the fake key `FAKE_KEY_ID`; so a client that believed it would show it. Each connection
and each request line is appended to a JSON-lines log (`events()`), so a test also sees a
client that connected and then walked away without asking.

Run as a script (standard library only, so `/usr/bin/python3` can run it as any user):
    python3 fake_helper.py --socket PATH --log PATH --ready PATH
`FakeHelperSocket` starts it (optionally as another uid via setpriv; that process binds in a
staging folder it may write and the socket is then moved to its place, which a user's own
private folder would not let it create) and stops it by process group.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

FAKE_SECRET = "fake-secret-from-a-socket-that-is-not-yours"
FAKE_KEY_ID = "AKIAFAKEFAKEFAKEFAKE"


def _answer(line: str) -> dict | str:
    try:
        req = json.loads(line)
    except ValueError:
        return {"error": {"code": "usage", "message": "unreadable request"}}
    if req.get("op") == "credentials":
        return {"credentials": {"Version": 1, "AccessKeyId": FAKE_KEY_ID,
                                "SecretAccessKey": "fake-secret-key", "SessionToken": "fake-token",
                                "Expiration": "2099-01-01T00:00:00Z"}}
    return {"login": {"username": "AWS", "secret": FAKE_SECRET}}


def _serve(args) -> None:
    lock = threading.Lock()

    def log(event: dict) -> None:
        with lock, open(args.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(event) + "\n")

    def handle(conn: socket.socket) -> None:
        with conn:
            log({"event": "connect", "time": time.time()})
            conn.settimeout(5)
            data = b""
            try:
                while not data.endswith(b"\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            if not data.strip():
                log({"event": "closed without a request"})
                return
            line = data.decode("utf-8", "replace").strip()
            log({"event": "request", "line": line})
            try:
                conn.sendall((json.dumps(_answer(line)) + "\n").encode())
            except OSError:
                pass

    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(args.socket)
    os.chmod(args.socket, 0o666)  # anyone may connect, as a planted socket would allow
    srv.listen(64)
    with open(args.ready + ".tmp", "w") as f:
        f.write(f"{os.getpid()} {os.getuid()}\n")
    os.rename(args.ready + ".tmp", args.ready)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--socket", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--ready", required=True)
    _serve(p.parse_args(argv))


class FakeHelperSocket:
    """The fake server listening at `path` (which must not exist yet); `uid` runs it as
    that user (root only). `events()` lists what reached it."""

    def __init__(self, path: Path, workdir: Path, uid: int | None = None, timeout: float = 10.0):
        from .procs import Service, StandinError  # the script itself needs only the stdlib

        self.path = Path(path)
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        # A short staging folder any user may write: the log, the ready file and (for
        # another uid) the socket before it is moved into place. /tmp keeps the socket
        # path under the 107-byte limit.
        self.stage = Path(tempfile.mkdtemp(prefix="dp-fake-"))
        self.stage.chmod(0o777)
        self.log = self.stage / "events.jsonl"
        ready = self.stage / "ready"
        bind_at = self.stage / "s.sock" if uid is not None else self.path
        python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
        argv = [python, str(Path(__file__).resolve()), "--socket", str(bind_at),
                "--log", str(self.log), "--ready", str(ready)]
        if uid is not None:
            if not shutil.which("setpriv"):
                raise StandinError("setpriv (util-linux) is missing")
            argv = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *argv]
        self.service = Service("fake helper socket", argv, self.workdir / "fake-helper.log",
                               env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}, cwd="/")
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if not self.service.alive() or time.monotonic() > deadline:
                self.stop()
                raise self.service.fail("the fake helper socket did not start")
            time.sleep(0.02)
        self.pid, self.uid = (int(x) for x in ready.read_text().split())
        if bind_at != self.path:
            os.rename(bind_at, self.path)  # same file system (/tmp): the listener stays

    def events(self) -> list[dict]:
        try:
            text = self.log.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def requests(self) -> list[str]:
        return [e["line"] for e in self.events() if e["event"] == "request"]

    def ask(self, line: str, timeout: float = 5.0) -> dict | str:
        """Ask it as a client that trusts anything would (proves the fake answers)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(self.path))
            s.sendall(line.encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return json.loads(data)

    def stop(self) -> None:
        self.service.stop()
        shutil.rmtree(self.stage, ignore_errors=True)
        self.path.unlink(missing_ok=True)


if __name__ == "__main__":
    main(sys.argv[1:])
