"""moto server with two small patches for Dockpass's tests.

Run: `.venv/bin/python -m tests.standins.moto_patched --host 127.0.0.1 --port N`
(any `moto_server` arguments are accepted).

1. STS AssumeRoleWithSAML (moto 5.2 crashes with an HTML 500 on real assertions):
   - a Role attribute with several AttributeValue elements, an AttributeStatement with a
     single Attribute, and a missing RoleSessionName now work;
   - the credentials' account is the requested RoleArn's account (moto took the first
     Role value's), and the RoleArn/PrincipalArn pair must be one of the assertion's Role
     values (either order inside a value, as AWS accepts), else AccessDenied;
   - duration: SessionDuration attribute (default 3600), lowered by DurationSeconds when
     the request has one (moto ignored DurationSeconds);
   - an assertion that is not base64 or not XML, or has no Assertion, is rejected with
     InvalidIdentityToken (400) instead of a 500.
   Like moto (and unlike AWS) it still checks no signature, NotOnOrAfter or audience:
   the client must check expiry itself, and tests of that cannot rely on this server.

2. ECR GetAuthorizationToken: expiresAt is now + TTL (moto: always 2015-01-01). TTL in
   seconds from the file named by $DOCKPASS_TEST_ECR_TTL_FILE when it exists (read on
   every call, so a test can change it without a restart), else $DOCKPASS_TEST_ECR_TTL,
   else 43200 (12 h, as AWS).

3. Optional record of what reached STS: when $DOCKPASS_TEST_SAML_LOG names a file, every
   AssumeRoleWithSAML call appends one JSON line {"role_arn", "principal_arn", "assertion"}
   with the SAMLAssertion parameter exactly as received (tests compare it byte for byte with
   what the IdP page held). Off unless the variable is set.

4. GetAuthorizationToken: more than 10 registryIds is refused as AWS does, and with
   $DOCKPASS_TEST_ECR_LOG every call appends {"region", "registry_ids"} to that file.
"""

from __future__ import annotations

import binascii
import json
import os
import sys
from base64 import b64decode, b64encode
from datetime import datetime, timedelta, timezone
from typing import Any

ROLE_ATTR = "https://aws.amazon.com/SAML/Attributes/Role"
SESSION_NAME_ATTR = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
DURATION_ATTR = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
DEFAULT_ECR_TTL = 12 * 3600

_NS = {
    "urn:oasis:names:tc:SAML:2.0:protocol": "samlp",
    "urn:oasis:names:tc:SAML:2.0:assertion": "saml",
}


def ecr_ttl_seconds() -> int:
    path = os.environ.get("DOCKPASS_TEST_ECR_TTL_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            pass
    try:
        return int(os.environ.get("DOCKPASS_TEST_ECR_TTL", DEFAULT_ECR_TTL))
    except ValueError:
        return DEFAULT_ECR_TTL


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return (value.get("#text") or "").strip()
    return str(value).strip()


def parse_saml_attributes(saml_assertion_b64: str) -> tuple[dict[str, list[str]], str]:
    """(attributes by Name -> list of values, NameID) of a base64 SAML Response."""
    import xmltodict

    from moto.sts.exceptions import STSClientError

    try:
        cleaned = "".join(saml_assertion_b64.split())
        decoded = b64decode(cleaned, validate=True).decode("utf-8")
        doc = xmltodict.parse(
            decoded,
            force_cdata=True,
            process_namespaces=True,
            namespaces=_NS,
            namespace_separator="|",
            force_list=("saml|AttributeStatement", "saml|Attribute", "saml|AttributeValue"),
        )
        response = doc["samlp|Response"]
        assertion = response["saml|Assertion"]
        if isinstance(assertion, list):
            assertion = assertion[0]
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError) as e:
        raise STSClientError("InvalidIdentityToken", f"Invalid SAML response: {e}")
    except Exception as e:  # expat errors and friends
        raise STSClientError("InvalidIdentityToken", f"Invalid SAML response: {e}")

    attrs: dict[str, list[str]] = {}
    for statement in assertion.get("saml|AttributeStatement") or []:
        if not isinstance(statement, dict):
            continue
        for attribute in statement.get("saml|Attribute") or []:
            if not isinstance(attribute, dict):
                continue
            name = attribute.get("@Name", "")
            values = [_text(v) for v in attribute.get("saml|AttributeValue") or []]
            attrs.setdefault(name, []).extend(v for v in values if v)

    name_id = ""
    subject = assertion.get("saml|Subject")
    if isinstance(subject, dict):
        name_id = _text(subject.get("saml|NameID"))
    return attrs, name_id


def _role_pairs(values: list[str]) -> list[tuple[str, str]]:
    """(role_arn, principal_arn) for each Role value; AWS accepts either order."""
    pairs = []
    for value in values:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        # Several pairs in one value ("role1,prov1,role2,prov2") is what an IdP form posts
        # when its Role field holds every role joined by commas (saml-idp's sign-in page).
        if len(parts) < 2 or len(parts) % 2:
            continue
        for a, b in zip(parts[0::2], parts[1::2]):
            if ":saml-provider/" in a:
                a, b = b, a
            pairs.append((a, b))
    return pairs


def record_saml_call(role_arn: str, principal_arn: str | None, assertion: str) -> None:
    """Append the call to $DOCKPASS_TEST_SAML_LOG (one JSON line), when it is set."""
    path = os.environ.get("DOCKPASS_TEST_SAML_LOG")
    if not path:
        return
    line = json.dumps({"role_arn": role_arn, "principal_arn": principal_arn, "assertion": assertion})
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def patched_assume_role_with_saml(self: Any, **kwargs: Any) -> Any:
    from moto.sts.exceptions import STSClientError
    from moto.sts.models import AssumedRole
    from moto.sts.utils import DEFAULT_STS_SESSION_DURATION

    role_arn = kwargs["role_arn"]
    principal_arn = kwargs.pop("principal_arn", None)
    duration_seconds = kwargs.pop("duration_seconds", None)
    assertion = kwargs.pop("saml_assertion") or ""
    record_saml_call(role_arn, principal_arn, assertion)
    attrs, name_id = parse_saml_attributes(assertion)

    pairs = _role_pairs(attrs.get(ROLE_ATTR, []))
    if not any(r == role_arn and (not principal_arn or p == principal_arn) for r, p in pairs):
        raise STSClientError(
            "AccessDenied",
            f"Not authorized to perform sts:AssumeRoleWithSAML: {role_arn} with "
            f"{principal_arn} is not among the assertion's roles",
        )

    session_names = attrs.get(SESSION_NAME_ATTR) or [name_id or "saml-user"]
    kwargs["role_session_name"] = session_names[0]
    try:
        duration = int((attrs.get(DURATION_ATTR) or [DEFAULT_STS_SESSION_DURATION])[0])
    except ValueError:
        duration = DEFAULT_STS_SESSION_DURATION
    if duration_seconds:
        duration = min(duration, int(duration_seconds))
    kwargs["duration"] = duration

    account_id, access_key = self._create_access_key(role=role_arn)
    kwargs["account_id"] = account_id
    kwargs["region_name"] = self.region_name
    kwargs["access_key"] = access_key
    kwargs["external_id"] = None
    kwargs["policy"] = None
    role = AssumedRole(**kwargs)
    access_key.role_arn = role_arn
    self.assumed_roles.append(role)
    return role


def patched_response_assume_role_with_saml(self: Any) -> Any:
    """X, also passing DurationSeconds on."""
    from moto.core.responses import ActionResult

    duration = self._get_param("DurationSeconds")
    role = self.backend.assume_role_with_saml(
        role_arn=self._get_param("RoleArn"),
        principal_arn=self._get_param("PrincipalArn"),
        saml_assertion=self._get_param("SAMLAssertion"),
        duration_seconds=int(duration) if duration else None,
    )
    return ActionResult(
        {
            "Credentials": role,
            "AssumedRoleUser": {"AssumedRoleId": role.user_id, "Arn": role.arn},
            "PackedPolicySize": 123,
            "Subject": role.user_id,
            "SubjectType": "persistent",
            "Issuer": "http://localhost:3000/",
            "Audience": "https://signin.aws.amazon.com/saml",
            "NameQualifier": "B64EncodedStringOfHashOfIssuerAccountIdAndUserId=",
        }
    )


def record_ecr_call(region: str, registry_ids: list[str]) -> None:
    """Append the call to $DOCKPASS_TEST_ECR_LOG (one JSON line), when it is set."""
    path = os.environ.get("DOCKPASS_TEST_ECR_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"region": region, "registry_ids": list(registry_ids)}) + "\n")


def patched_get_authorization_token(self: Any) -> Any:
    from moto.core.responses import ActionResult

    registry_ids = self._get_param("registryIds") or [self.current_account]
    record_ecr_call(self.region, registry_ids)
    if len(registry_ids) > 10:  # as AWS: "Member must have length less than or equal to 10"
        from moto.ecr.exceptions import InvalidParameterException

        raise InvalidParameterException(
            "1 validation error detected: Value at 'registryIds' failed to satisfy constraint: "
            "Member must have length less than or equal to 10"
        )
    expires = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(
        seconds=ecr_ttl_seconds()
    )
    auth_data = []
    for registry_id in registry_ids:
        token = b64encode(f"AWS:{registry_id}-auth-token".encode("ascii")).decode()
        auth_data.append(
            {
                "authorizationToken": token,
                "expiresAt": expires,
                "proxyEndpoint": f"https://{registry_id}.dkr.ecr.{self.region}.amazonaws.com",
            }
        )
    return ActionResult({"authorizationData": auth_data})


def apply() -> None:
    import moto.ecr.responses
    import moto.sts.models
    import moto.sts.responses

    moto.sts.models.STSBackend.assume_role_with_saml = patched_assume_role_with_saml
    moto.sts.responses.TokenResponse.assume_role_with_saml = patched_response_assume_role_with_saml
    moto.ecr.responses.ECRResponse.get_authorization_token = patched_get_authorization_token


def main(argv: list[str] | None = None) -> None:
    apply()
    from moto.server import main as moto_main

    moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
