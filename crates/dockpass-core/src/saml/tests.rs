//! Fixture-driven tests of decoding and parsing, and the refusals that keep parsing safe.
//! Fixtures live in `tests/fixtures/saml/` and are embedded with `include_str!`.

use super::*;
use base64::Engine;
use std::time::Instant;
use time::macros::datetime;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../tests/fixtures/saml/", $name))
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

fn error_of(input: impl AsRef<[u8]>) -> crate::Error {
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
                // SubjectConfirmationData wins over the shorter Conditions@NotOnOrAfter.
                not_on_or_after: Some(datetime!(2099-12-24 18:05:00.123 UTC)),
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
    // design.md's key order, extras after
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
