"""Fixtures of the GUI tests: the real dockpass-app under Xvfb, driven through WebDriver.

Once per pytest session:
  moto      patched moto server, recording each AssumeRoleWithSAML assertion (reset per test)
  idp       saml-idp with roles in two accounts (tests/standins/idp.py DEFAULT_ROLES)
  big_idp   saml-idp with an extra 48 KB attribute: its SAMLResponse is over 64 KB of base64
  registry  docker-registry accepting account 111111111111's moto ECR token; `image` pushed once
  xvfb      an X server on a display number it picks itself, 1600x900x24
  pages     the local test IdP pages (capture_pages.PageServer)
  short_idp saml-idp asserting SessionDuration=120: moto's STS sessions last 2 minutes
Per test:
  sandbox   HOME, DOCKER_CONFIG, XDG_*, DOCKPASS_CONFIG, AWS endpoints at moto (tests/e2e/support.py)
  gui       launches the app: gui.launch("--tray", "--login") -> AppRun (tauri-driver on a
            private D-Bus session + a WebDriver session); screenshots and logs land in
            tests/artifacts/<test name>/, the app is stopped (process group) at the end
  trayer    a system tray for the tray test
  sso       an SSO-session front for short_idp (tests/standins/sso.py): a login form, then a
            session cookie that makes later visits answer the SAMLResponse page at once
  x11watch  every top-level X window created/mapped/unmapped and the input focus, as events
            (x11watch.py), from the start of the test
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from capture_pages import PageServer  # noqa: E402
from desktop import Trayer, Xvfb  # noqa: E402
from gui_support import ARTIFACTS, Gui  # noqa: E402

from tests.e2e.support import Sandbox  # noqa: E402
from tests.standins import Idp, MotoServer, Registry  # noqa: E402
from tests.standins.procs import start_tracked, stop_tracked  # noqa: E402
from tests.standins.sso import SsoFront  # noqa: E402
from x11watch import X11Watch  # noqa: E402

SHORT_SESSION = 120  # seconds: short_idp's SessionDuration

PADDING_ATTR = "urn:dockpass:test:Padding"



@pytest.fixture(scope="session")
def gui_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("gui")


@pytest.fixture(scope="session")
def moto(gui_dir):
    m = start_tracked(MotoServer, gui_dir / "moto", record_saml=True)
    yield m
    stop_tracked(m)


@pytest.fixture(scope="session")
def idp(gui_dir):
    i = start_tracked(Idp, gui_dir / "idp")
    yield i
    stop_tracked(i)


@pytest.fixture(scope="session")
def big_idp(gui_dir):
    """An IdP whose assertions carry a harmless 48 KB attribute (over 64 KB of base64)."""
    chunks = []
    n = 0
    while sum(map(len, chunks)) < 48 * 1024:
        chunks.append(hashlib.sha256(str(n).encode()).hexdigest())
        n += 1
    i = start_tracked(Idp, gui_dir / "big-idp", extra_attributes={PADDING_ATTR: "".join(chunks)})
    yield i
    stop_tracked(i)


@pytest.fixture(scope="session")
def other_idp(gui_dir):
    """Another IdP (another issuer, its own signing key) offering the same roles: what an
    attacker's IdP trusted by some AWS account looks like to Dockpass."""
    i = start_tracked(Idp, gui_dir / "other-idp", issuer="urn:dockpass:test:other-idp")
    yield i
    stop_tracked(i)


@pytest.fixture(scope="session")
def short_idp(gui_dir):
    """saml-idp whose assertions carry SessionDuration=120 (moto takes the lower of it and the
    DurationSeconds Dockpass asks for, at least 900): 2-minute STS sessions."""
    i = start_tracked(Idp, gui_dir / "short-idp", session_duration=SHORT_SESSION)
    yield i
    stop_tracked(i)


@pytest.fixture(scope="session")
def registry(gui_dir):
    r = start_tracked(Registry, gui_dir / "registry", account="111111111111")
    yield r
    stop_tracked(r)


@pytest.fixture(scope="session")
def image(registry) -> dict:
    return registry.push_image("team/app", "v1")


@pytest.fixture(scope="session")
def xvfb(gui_dir):
    x = start_tracked(Xvfb, gui_dir / "xvfb")
    yield x
    stop_tracked(x)


@pytest.fixture(scope="session")
def pages():
    p = start_tracked(PageServer)
    yield p
    stop_tracked(p)


@pytest.fixture
def sandbox(tmp_path, moto, idp, registry) -> Sandbox:
    moto.reset()
    return Sandbox(tmp_path / "sandbox", moto=moto, idp=idp, registry=registry)


@pytest.fixture
def artifacts(request) -> Path:
    """tests/artifacts/<test name>/, emptied first."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    d = ARTIFACTS / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


@pytest.fixture
def gui(sandbox, xvfb, artifacts, tmp_path):
    g = Gui(sandbox, xvfb, artifacts, tmp_path / "gui")
    try:
        yield g
    finally:
        if g.runs:
            g.screen("zz-final")
        g.finish()


@pytest.fixture
def trayer(xvfb, tmp_path):
    t = start_tracked(Trayer, tmp_path / "trayer", xvfb)
    yield t
    stop_tracked(t)


@pytest.fixture
def sso(short_idp, tmp_path):
    """A fresh SSO front (no sessions, empty request log) for short_idp; profile idp_url: sso.url."""
    f = start_tracked(SsoFront, tmp_path / "sso", short_idp)
    yield f
    stop_tracked(f)


@pytest.fixture
def x11watch(xvfb, artifacts):
    w = start_tracked(X11Watch, xvfb.display, artifacts / "x11-events.jsonl")
    yield w
    stop_tracked(w)
