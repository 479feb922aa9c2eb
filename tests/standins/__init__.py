"""Stand-ins for Dockpass's tests and demo: patched moto (STS + ECR), saml-idp, docker-registry,
an SSO-session front for saml-idp (a returning user's cookie answers at once), and a fault
proxy in front of moto (latency, 5xx, throttling, dropped or hung connections).

Usable from pytest fixtures (tests/e2e/conftest.py) and from the shell:
    .venv/bin/python -m tests.standins up --json       # from the repo root; Ctrl-C / SIGTERM stops
See tests/README.md.
"""

from .faultproxy import FaultProxy
from .idp import (
    DEFAULT_ROLES,
    Idp,
    decode_saml_response,
    default_role_values,
    encode_saml_xml,
    extract_saml_response,
    provider_arn,
    role_arn,
    role_value,
    sign_in,
)
from .motoserver import MotoServer
from .procs import Service, StandinError, free_port
from .registry import Registry, ecr_password, make_oci_image, skopeo
from .sso import SsoFront

__all__ = [
    "DEFAULT_ROLES", "FaultProxy", "Idp", "MotoServer", "Registry", "Service", "SsoFront", "StandinError",
    "decode_saml_response", "default_role_values", "ecr_password", "encode_saml_xml",
    "extract_saml_response", "free_port", "make_oci_image", "provider_arn", "role_arn",
    "role_value", "sign_in", "skopeo",
]
