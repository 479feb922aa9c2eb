"""Fixtures: the stand-ins once per session, a private sandbox per test.

  moto      patched moto server (STS + ECR), reset before each sandbox; it records every
            AssumeRoleWithSAML call (moto.saml_calls()) and GetAuthorizationToken call
  idp       saml-idp with roles in two accounts (see tests/standins/idp.py DEFAULT_ROLES)
  registry  docker-registry accepting account 111111111111's moto ECR token
  image     team/app:v1 pushed to the registry once
  sandbox   HOME, DOCKER_CONFIG, XDG_*, DOCKPASS_CONFIG and env for one test
  keyring   gnome-keyring on a private session bus, wired into the sandbox's env
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import Sandbox  # noqa: E402

from tests.standins import Idp, MotoServer, Registry  # noqa: E402
from tests.standins.procs import start_tracked, stop_tracked  # noqa: E402
from tests.standins.keyring import KeyringSession  # noqa: E402



@pytest.fixture(scope="session")
def standins_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("standins")


@pytest.fixture(scope="session")
def moto(standins_dir):
    m = start_tracked(MotoServer, standins_dir / "moto", record_saml=True)
    yield m
    stop_tracked(m)


@pytest.fixture(scope="session")
def idp(standins_dir):
    i = start_tracked(Idp, standins_dir / "idp")
    yield i
    stop_tracked(i)


@pytest.fixture(scope="session")
def registry(standins_dir):
    r = start_tracked(Registry, standins_dir / "registry", account="111111111111")
    yield r
    stop_tracked(r)


@pytest.fixture(scope="session")
def image(registry) -> dict:
    """team/app:v1 in the registry: {'repo','tag','ref','digest'}."""
    return registry.push_image("team/app", "v1")


@pytest.fixture
def sandbox(tmp_path, moto, idp, registry) -> Sandbox:
    moto.reset()
    return Sandbox(tmp_path / "sandbox", moto=moto, idp=idp, registry=registry)


@pytest.fixture
def keyring(sandbox):
    """A private D-Bus session with an unlocked gnome-keyring; the sandbox's env uses it."""
    k = start_tracked(KeyringSession, sandbox.root / "keyring", home=sandbox.home, data_home=sandbox.data_home)
    sandbox.env.update(k.env)
    yield k
    stop_tracked(k)


def pytest_collection_modifyitems(config, items):
    """Self-tests of the stand-ins first: when they fail, nothing after them means much."""
    items.sort(key=lambda item: 0 if item.module.__name__.endswith("test_standins") else 1)
