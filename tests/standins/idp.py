"""SAML identity provider stand-in (npm saml-idp 1.2.1) and a browser-like sign-in over HTTP.

The sign-in page (GET /) holds one form, `action="/signin" method="post"`, with the fields
`userName`, `nameIdFormat` (a select), `nameIdNameQualifier`, `nameIdSPNameQualifier`,
`nameIdSPProvidedID` and one text input per configured attribute, named by the
attribute's Name (for AWS: `https://aws.amazon.com/SAML/Attributes/Role` and friends).
POST /signin answers with an HTML page whose form (`action` = the ACS URL) auto-submits
the hidden inputs `SAMLResponse` and `RelayState` (values HTML-escaped).

Pitfalls:
- The Role input renders a JS array joined with commas ("role1,prov1,role2,prov2"):
  posting the form as rendered yields ONE AttributeValue. A browser-like client has to
  send the Role field once per value; `sign_in` does.
- POST /signin stores the posted fields in the IdP's in-memory user: later sign-ins
  that omit a field get the last posted value. `Idp.sign_in` always posts every field.
- An attribute can only be left out of the assertion by starting an IdP whose config
  lacks it (`Idp(..., omit=[...])`); an empty form value gives an empty AttributeValue.
"""

from __future__ import annotations

import base64
import html
import http.cookiejar
import json
import re
import shutil
import subprocess
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from .procs import REPO_ROOT, Service, StandinError, free_port, http_status, no_proxy_opener, wait_until

IDP_DIR = REPO_ROOT / "tests" / "standins" / "idp"
RUN_JS = IDP_DIR / "node_modules" / "saml-idp" / "bin" / "run.js"

ROLE_ATTR = "https://aws.amazon.com/SAML/Attributes/Role"
SESSION_NAME_ATTR = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
DURATION_ATTR = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
ACS_URL = "https://signin.aws.amazon.com/saml"
AUDIENCE = "urn:amazon:webservices"
ISSUER = "urn:test:idp"

DEFAULT_USER = "dev@example.com"
# (account, role path/name) pairs; bare "Developer" is ambiguous on purpose.
DEFAULT_ROLES: tuple[tuple[str, str], ...] = (
    ("111111111111", "Developer"),
    ("111111111111", "ReadOnly"),
    ("111111111111", "team/Platform"),
    ("222222222222", "Developer"),
)


def role_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def provider_arn(account: str, name: str = "TestIdP") -> str:
    return f"arn:aws:iam::{account}:saml-provider/{name}"


def role_value(account: str, name: str, provider: str = "TestIdP") -> str:
    """One Role attribute value: "roleArn,providerArn"."""
    return f"{role_arn(account, name)},{provider_arn(account, provider)}"


def default_role_values() -> list[str]:
    return [role_value(a, n) for a, n in DEFAULT_ROLES]


# --------------------------------------------------------------------------------------
# Browser-like sign-in (standard library only)
# --------------------------------------------------------------------------------------


class _FormParser(HTMLParser):
    """Collects the forms of a page: action, method and (name, value) fields in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._option: bool = False
        self._option_text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": []})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and a.get("type", "text") not in ("submit", "button", "image", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1]["fields"].append((a["name"], a.get("value") or ""))
        elif tag == "textarea" and a.get("name"):
            self.forms[-1]["fields"].append((a["name"], ""))
        elif tag == "select" and a.get("name"):
            self._select, self._select_value = a["name"], None
        elif tag == "option" and self._select is not None:
            self._option, self._option_text = True, ""
            if "selected" in a or self._select_value is None:
                if "value" in a:
                    self._select_value = a["value"]
                    self._option = False

    def handle_data(self, data):
        if self._option:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option:
            self._option = False
            if self._select_value is None:
                self._select_value = self._option_text.strip()
        elif tag == "select" and self._select is not None:
            self.forms[-1]["fields"].append((self._select, self._select_value or ""))
            self._select = None


def parse_forms(page: str) -> list[dict]:
    p = _FormParser()
    p.feed(page)
    p.close()
    return p.forms


def _split_role_field(value: str) -> list[str]:
    """'r1,p1,r2,p2' (a rendered JS array) -> ['r1,p1', 'r2,p2']."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if len(parts) % 2:
        return [value]
    return [f"{parts[i]},{parts[i + 1]}" for i in range(0, len(parts), 2)]


_SHORTCUTS = {
    "roles": ROLE_ATTR,
    "session_name": SESSION_NAME_ATTR,
    "session_duration": DURATION_ATTR,
    "user": "userName",
}


def _normalise_overrides(overrides: Mapping[str, object]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in overrides.items():
        if key == "fields":
            out.update(_normalise_overrides(value))  # type: ignore[arg-type]
            continue
        name = _SHORTCUTS.get(key, key)
        if isinstance(value, (list, tuple)):
            out[name] = [str(v) for v in value]
        else:
            out[name] = [str(value)]
    return out


def sign_in(idp_url: str, timeout: float = 15.0, **overrides) -> str:
    """Sign in at saml-idp like a browser; return the HTML page holding the SAMLResponse form.

    GET `idp_url` (cookie jar: idp_sid), read the sign-in form's fields, POST them to the
    form's action. The Role field is sent once per value. Keyword overrides replace
    fields: `roles=[...]` (Role values "roleArn,providerArn"), `session_name=`,
    `session_duration=`, `user=`, or `fields={"attribute name": value or [values]}`.
    """
    jar = http.cookiejar.CookieJar()
    opener = no_proxy_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(idp_url, timeout=timeout) as resp:
        page = resp.read().decode("utf-8", "replace")
        base = resp.geturl()
    forms = [f for f in parse_forms(page) if f["method"] == "post" and f["action"].rstrip("/").endswith("signin")]
    if not forms:
        raise StandinError(f"no sign-in form at {idp_url}")
    form = forms[0]
    fields: list[tuple[str, str]] = []
    for name, value in form["fields"]:
        if name == ROLE_ATTR:
            fields.extend((name, v) for v in _split_role_field(value))
        else:
            fields.append((name, value))
    repl = _normalise_overrides(overrides)
    merged: list[tuple[str, str]] = []
    done: set[str] = set()
    for name, value in fields:
        if name in repl:
            if name not in done:
                merged.extend((name, v) for v in repl[name])
                done.add(name)
        else:
            merged.append((name, value))
    for name, values in repl.items():
        if name not in done:
            merged.extend((name, v) for v in values)
    body = urllib.parse.urlencode(merged).encode()
    action = urllib.parse.urljoin(base, form["action"])
    req = urllib.request.Request(action, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    with opener.open(req, timeout=timeout) as resp:
        return resp.read().decode("utf-8", "replace")


_SAML_INPUT = re.compile(r"<input\b[^>]*\bname=[\"']SAMLResponse[\"'][^>]*>", re.I | re.S)
_VALUE = re.compile(r"\bvalue=(\"([^\"]*)\"|'([^']*)')", re.I | re.S)


def extract_saml_response(page: str) -> str:
    """The base64 SAMLResponse value of an IdP page, un-HTML-escaped."""
    for form in parse_forms(page):
        for name, value in form["fields"]:
            if name == "SAMLResponse":
                return value.strip()
    m = _SAML_INPUT.search(page)
    if m:
        v = _VALUE.search(m.group(0))
        if v:
            return html.unescape(v.group(2) if v.group(2) is not None else v.group(3)).strip()
    raise ValueError("no SAMLResponse in the page")


def decode_saml_response(page_or_b64: str) -> str:
    """The SAML Response XML from an IdP page or a base64 value."""
    value = page_or_b64 if "<" not in page_or_b64 else extract_saml_response(page_or_b64)
    return base64.b64decode("".join(value.split())).decode("utf-8")


def encode_saml_xml(xml: str) -> str:
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")


# --------------------------------------------------------------------------------------
# Launcher
# --------------------------------------------------------------------------------------


def make_keypair(workdir: Path) -> tuple[Path, Path]:
    key, cert = workdir / "idp-key.pem", workdir / "idp-cert.pem"
    if not (key.exists() and cert.exists()):
        subprocess.run(
            ["openssl", "req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=Test IdP",
             "-keyout", str(key), "-out", str(cert), "-days", "7300"],
            check=True, capture_output=True, timeout=60,
        )
    return key, cert


def write_config(
    path: Path,
    user: str = DEFAULT_USER,
    roles: Sequence[str] | None = None,
    session_name: str | None = None,
    session_duration: int | str | None = 3600,
    extra_attributes: Mapping[str, object] | None = None,
    omit: Iterable[str] = (),
) -> dict:
    """Write a saml-idp --configFile (exports {user, metadata}); return the user profile."""
    omit = set(omit)
    profile: dict[str, object] = {
        "userName": user,
        "nameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        "firstName": "Dee",
        "lastName": "Veloper",
        "email": user,
        ROLE_ATTR: list(roles if roles is not None else default_role_values()),
        SESSION_NAME_ATTR: session_name if session_name is not None else user,
    }
    if session_duration is not None:
        profile[DURATION_ATTR] = str(session_duration)
    for k, v in (extra_attributes or {}).items():
        profile[k] = list(v) if isinstance(v, (list, tuple)) else v
    metadata = []
    for attr in ["email", ROLE_ATTR, SESSION_NAME_ATTR, DURATION_ATTR, *(extra_attributes or {})]:
        if attr in omit or attr not in profile:
            continue
        metadata.append({
            "id": attr,
            "optional": attr not in (ROLE_ATTR, SESSION_NAME_ATTR),
            "displayName": attr.rsplit("/", 1)[-1],
            "description": attr,
            # multiValue would split on commas and break "role,provider" pairs: a JS array
            # with multiValue false gives one AttributeValue per element.
            "multiValue": False,
        })
    for attr in omit:
        profile.pop(attr, None)
    path.write_text(
        "// generated by tests/standins/idp.py\nmodule.exports = "
        + json.dumps({"user": profile, "metadata": metadata}, indent=2)
        + ";\n"
    )
    return profile


class Idp:
    """A running saml-idp on 127.0.0.1:port, configured from Python."""

    def __init__(
        self,
        workdir: Path,
        port: int | None = None,
        user: str = DEFAULT_USER,
        roles: Sequence[str] | None = None,
        session_name: str | None = None,
        session_duration: int | str | None = 3600,
        extra_attributes: Mapping[str, object] | None = None,
        omit: Iterable[str] = (),
        node: str | None = None,
        issuer: str = ISSUER,
        acs_url: str = ACS_URL,
    ):
        """`issuer`: the Issuer of the responses and assertions (saml-idp's --issuer); another
        one stands for another IdP (Dockpass's trust on first use tells them apart). `acs_url`:
        where the sign-in page posts the response (a loopback ACS URL for the loopback mode)."""
        if not RUN_JS.exists():
            raise StandinError(f"{RUN_JS} is missing: run scripts/setup (npm ci in {IDP_DIR})")
        node = node or shutil.which("node")
        if not node:
            raise StandinError("node is not on PATH")
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.key, self.cert = make_keypair(self.workdir)
        self.config_path = (self.workdir / f"idp-config-{id(self)}.js").resolve()
        self.profile = write_config(
            self.config_path, user, roles, session_name, session_duration, extra_attributes, omit
        )
        self.port = port or free_port()
        self.issuer = issuer
        self.url = f"http://127.0.0.1:{self.port}/"
        self.service = Service(
            "saml-idp",
            [node, str(RUN_JS), "--host", "127.0.0.1", "--port", str(self.port),
             "--issuer", issuer, "--acsUrl", acs_url, "--audience", AUDIENCE,
             "--cert", str(self.cert), "--key", str(self.key), "--configFile", str(self.config_path)],
            self.workdir / f"idp-{self.port}.log",
            cwd=str(IDP_DIR),
        )
        wait_until(self.service, lambda: http_status(self.url, timeout=1.0) == 200, "serving /", timeout=30)

    @property
    def roles(self) -> list[str]:
        return list(self.profile.get(ROLE_ATTR) or [])

    def sign_in(self, **overrides) -> str:
        """Sign in with this IdP's configured values (+ overrides); the SAMLResponse page."""
        fields: dict[str, object] = {
            k: v for k, v in self.profile.items() if k not in ("firstName", "lastName")
        }
        fields.update(_normalise_overrides(overrides))
        return sign_in(self.url, fields=fields)

    def saml_response(self, **overrides) -> str:
        """The base64 SAMLResponse of a fresh sign-in."""
        return extract_saml_response(self.sign_in(**overrides))

    def stop(self) -> None:
        self.service.stop()

    def info(self) -> dict:
        return {"url": self.url, "port": self.port, "pid": self.service.pid,
                "cert": str(self.cert), "config": str(self.config_path), "log": str(self.service.log_path)}
