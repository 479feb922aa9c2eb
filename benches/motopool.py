"""moto answering from several processes on one port, for the sign-in benchmarks.

One moto process answers one request at a time (Python's GIL), so a sign-in's concurrent
requests queue there, which AWS never does. Here a parent binds the port and forks N workers
that accept on that one socket (pre-fork), each a patched moto (tests/standins/moto_patched.py)
serving its connections; the kernel hands each new connection to an idle worker. The calls a
sign-in makes (AssumeRoleWithSAML, AssumeRole, GetAuthorizationToken) keep no state in moto,
so any worker answers any of them.

Run: `.venv/bin/python -m benches.motopool --port N --workers K`; stop its process group.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

from tests.standins.procs import REPO_ROOT, VENV_PYTHON, Service, free_port, http_status


class MotoPool:
    """A running pool on 127.0.0.1:port (the `url` a bed points AWS_ENDPOINT_URL_* at)."""

    def __init__(self, workdir: Path, workers: int = 4, timeout: float = 30.0):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        python = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
        env = dict(os.environ)
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.pop(var, None)
        env.update({"PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"})
        self.service = Service("moto pool", [python, "-m", "benches.motopool", "--port", str(self.port),
                                             "--workers", str(workers)],
                               self.workdir / "motopool.log", env=env, cwd=str(REPO_ROOT))
        deadline = time.monotonic() + timeout
        while http_status(self.url + "/moto-api/") is None:
            if not self.service.alive() or time.monotonic() > deadline:
                raise self.service.fail("the moto pool did not answer")
            time.sleep(0.1)

    def stop(self) -> None:
        self.service.stop()


def _serve(sock: socket.socket, port: int) -> None:
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    make_server("127.0.0.1", port, app, threaded=True, fd=sock.fileno()).serve_forever()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benches.motopool")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--workers", type=int, default=4)
    a = p.parse_args(argv)
    from tests.standins import moto_patched

    moto_patched.apply()
    os.environ.setdefault("DOCKPASS_TEST_ECR_TTL_FILE", os.path.join(tempfile.gettempdir(), "none"))
    sock = socket.create_server(("127.0.0.1", a.port), backlog=256)
    kids = []
    for _ in range(a.workers):
        pid = os.fork()
        if pid == 0:
            try:
                _serve(sock, a.port)
            finally:
                os._exit(0)
        kids.append(pid)
    # The workers are in this process's group, which MotoPool.stop() signals as a whole. A
    # worker that dies is not replaced (the benchmark's checks then fail); none left: exit.
    for _ in kids:
        os.wait()
    return 1


if __name__ == "__main__":
    sys.exit(main())
