"""Fixtures of the package tests: the .deb that scripts/package builds, installed by dpkg into a
clean root.

  deb        $DOCKPASS_DEB, else the debug .deb that `scripts/package` builds now (seconds when
             the debug build is up to date)
  control    its control fields (dpkg-deb -f)
  root       a fresh folder where `dpkg --root` installed it: a dpkg database holding only the
             packages of its Depends (copied from this system's database, so dpkg checks the
             declared versions against Debian's), no --force-depends
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.standins.procs import REPO_ROOT

sys.path.insert(0, str(Path(__file__).resolve().parent))

from debtools import depends_names, dpkg_root_install  # noqa: E402


@pytest.fixture(scope="session")
def deb() -> Path:
    given = os.environ.get("DOCKPASS_DEB")
    if given:
        path = Path(given).resolve()
        if not path.is_file():
            pytest.fail(f"DOCKPASS_DEB={given} is not a file", pytrace=False)
        return path
    r = subprocess.run(["bash", str(REPO_ROOT / "scripts" / "package")], cwd=REPO_ROOT,
                       capture_output=True, text=True, timeout=1800)
    if r.returncode != 0:
        pytest.fail(f"scripts/package failed (exit {r.returncode}):\n{r.stderr[-6000:]}",
                    pytrace=False)
    path = Path(r.stdout.strip().splitlines()[-1]).resolve()
    assert path.is_file(), f"scripts/package printed {path}, which is not a file"
    return path


@pytest.fixture(scope="session")
def control(deb) -> dict[str, str]:
    text = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    fields: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if line.startswith((" ", "\t")) and key:
            fields[key] += "\n" + line[1:]
        elif ":" in line:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


@pytest.fixture(scope="session")
def root(deb, control, tmp_path_factory) -> Path:
    r = tmp_path_factory.mktemp("root")
    dpkg_root_install(r, deb, depends_names(control["Depends"]))
    return r
