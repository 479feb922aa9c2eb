//! The SAML 2.0 Response XML to the facts Dockpass needs, parsed defensively.
//!
//! Elements are matched by namespace URI and local name, so any prefix works (`saml2:`,
//! `ns0:`, default namespaces). DTDs are refused before roxmltree sees the text, and the
//! nesting depth, attributes per element and namespaces in scope are bounded first:
//! roxmltree 0.20 parses elements recursively, and checks duplicate attributes and resolves
//! namespaces in time quadratic in those counts (minutes for one 1 MiB input).

use super::decode::{find_ci, first_tag, not_saml};
use super::{ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE, SESSION_DURATION_ATTRIBUTE};
use crate::error::{err, Code, Error, Result};
use crate::role::Role;
use roxmltree::{Document, Node, ParsingOptions};
use std::collections::HashSet;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

const NS_PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const NS_ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

/// Real responses nest under 10 deep (signatures and encryption included). roxmltree 0.20
/// recurses per level with no limit of its own (about 5 KB of stack per level in debug
/// builds: 10k levels overflow even 8 MB), so the bound must be ours and small.
pub(super) const MAX_DEPTH: usize = 64;
/// Real responses have a few hundred nodes; even large group claims stay far below this.
pub(super) const MAX_NODES: u32 = 50_000;
/// Attributes (namespace declarations included) on one element. Real SAML elements carry
/// about ten; roxmltree's duplicate check is quadratic in this count.
pub(super) const MAX_ATTRIBUTES: usize = 64;
/// Namespace declarations in scope at one element (its own plus its ancestors'). Real
/// responses have about ten; roxmltree's namespace resolution is quadratic in this count.
pub(super) const MAX_NAMESPACES: usize = 32;

/// The parsed facts, before the base64 is attached.
pub(super) struct Parsed {
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub role_session_name: Option<String>,
    pub session_duration: Option<u64>,
    pub not_on_or_after: Option<OffsetDateTime>,
    pub recipient: Option<String>,
    pub destination: Option<String>,
    pub roles: Vec<Role>,
}

pub(super) fn parse_xml(xml: &str) -> Result<Parsed> {
    refuse_unsafe(xml)?;
    let opt = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
    };
    let doc = Document::parse_with_options(xml, opt).map_err(|e| xml_error(e, xml))?;
    let root = doc.root_element();

    if !is(root, NS_PROTOCOL, "Response") {
        let local = short(root.tag_name().name(), 40);
        return Err(if is(root, NS_ASSERTION, "Assertion") {
            err(Code::SamlInvalid, "the XML is a bare saml:Assertion, but AWS needs the whole samlp:Response the IdP posts: pass the SAMLResponse value or the IdP's form page")
        } else if local == "Response"
            && root
                .tag_name()
                .namespace()
                .is_some_and(|n| n.contains(":SAML:1."))
        {
            err(Code::SamlInvalid, "this is a SAML 1.x response; AWS needs SAML 2.0: ask your IdP admin to configure the AWS app for SAML 2.0")
        } else {
            not_saml(&format!(
                "the XML's root element is <{local}>, not a SAML 2.0 Response"
            ))
        });
    }
    check_status(root)?;

    let destination = attr(root, "Destination");
    let response_issuer = child(root, NS_ASSERTION, "Issuer").and_then(text);
    // AWS accepts one assertion; the first plaintext one is the one it reads.
    let Some(assertion) = children(root, NS_ASSERTION, "Assertion").next() else {
        if child(root, NS_ASSERTION, "EncryptedAssertion").is_some() {
            return Err(err(Code::SamlEncrypted, "the SAML assertion is encrypted, so Dockpass cannot read its roles: ask your IdP admin to turn off assertion encryption for the AWS app"));
        }
        return Err(err(
            Code::SamlInvalid,
            "the SAML response holds no Assertion: the IdP did not sign you in, try again",
        ));
    };
    let issuer =
        response_issuer.or_else(|| child(assertion, NS_ASSERTION, "Issuer").and_then(text));

    let subject_el = child(assertion, NS_ASSERTION, "Subject");
    let subject = subject_el
        .and_then(|s| child(s, NS_ASSERTION, "NameID"))
        .and_then(text);
    // The bearer confirmation is the one AWS checks; fall back to the first one.
    let confirmations: Vec<Node> = subject_el
        .map(|s| children(s, NS_ASSERTION, "SubjectConfirmation").collect())
        .unwrap_or_default();
    let confirmation = confirmations
        .iter()
        .find(|c| c.attribute("Method").map(str::trim) == Some(BEARER))
        .or(confirmations.first())
        .and_then(|c| child(*c, NS_ASSERTION, "SubjectConfirmationData"));
    let recipient = confirmation.and_then(|d| attr(d, "Recipient"));
    // The assertion is usable until the earlier of SubjectConfirmationData@NotOnOrAfter (the
    // bearer confirmation, what AWS enforces) and Conditions@NotOnOrAfter (the assertion's
    // own validity): a later confirmation does not extend expired conditions.
    let when = |v: String| {
        parse_xs_datetime(&v).ok_or_else(|| {
            err(
                Code::SamlInvalid,
                format!("the assertion's NotOnOrAfter '{}' is not a valid date-time: the IdP sent a damaged assertion", short(&v, 40)),
            )
        })
    };
    let confirmed = confirmation
        .and_then(|d| attr(d, "NotOnOrAfter"))
        .map(when)
        .transpose()?;
    let conditions = child(assertion, NS_ASSERTION, "Conditions")
        .and_then(|c| attr(c, "NotOnOrAfter"))
        .map(when)
        .transpose()?;
    let not_on_or_after = match (confirmed, conditions) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };

    let mut roles: Vec<Role> = Vec::new();
    // (role ARN, provider ARN) pairs already in `roles`: a set, as a response near the size
    // cap can hold over 10k pairs and a linear search made that quadratic.
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut role_attr_seen = false;
    let mut first_bad: Option<(String, String)> = None;
    let mut near_miss: Option<String> = None;
    let mut encrypted_attrs = false;
    let mut role_session_name = None;
    let mut session_duration = None;
    for statement in children(assertion, NS_ASSERTION, "AttributeStatement") {
        encrypted_attrs |= child(statement, NS_ASSERTION, "EncryptedAttribute").is_some();
        for a in children(statement, NS_ASSERTION, "Attribute") {
            let name = a.attribute("Name").unwrap_or("").trim();
            let values = || {
                children(a, NS_ASSERTION, "AttributeValue")
                    .filter_map(text)
                    .collect::<Vec<String>>()
            };
            match name {
                ROLE_ATTRIBUTE => {
                    role_attr_seen = true;
                    for v in values().iter().flat_map(|v| pairs_in(v)) {
                        match Role::from_attribute_value(&v) {
                            Ok(r) => {
                                if seen.insert((r.role_arn.clone(), r.principal_arn.clone())) {
                                    roles.push(r);
                                }
                            }
                            Err(e) => {
                                first_bad.get_or_insert((v, e.message));
                            }
                        }
                    }
                }
                ROLE_SESSION_NAME_ATTRIBUTE if role_session_name.is_none() => {
                    role_session_name = values().into_iter().next();
                }
                // Only an integer is a duration; anything else is ignored so STS applies
                // its default rather than Dockpass guessing.
                SESSION_DURATION_ATTRIBUTE if session_duration.is_none() => {
                    session_duration = values()
                        .into_iter()
                        .next()
                        .and_then(|v| v.parse::<u64>().ok());
                }
                _ if name.eq_ignore_ascii_case(ROLE_ATTRIBUTE)
                    || name.ends_with("/Attributes/Role") =>
                {
                    near_miss.get_or_insert_with(|| name.to_string());
                }
                _ => {}
            }
        }
    }
    if roles.is_empty() {
        return Err(no_roles(
            role_attr_seen,
            first_bad,
            near_miss,
            encrypted_attrs,
        ));
    }
    Ok(Parsed {
        issuer,
        subject,
        role_session_name,
        session_duration,
        not_on_or_after,
        recipient,
        destination,
        roles,
    })
}

fn no_roles(
    seen: bool,
    first_bad: Option<(String, String)>,
    near_miss: Option<String>,
    encrypted_attrs: bool,
) -> Error {
    if let Some((value, why)) = first_bad {
        return err(
            Code::SamlNoRoles,
            format!(
                "the assertion's AWS Role attribute holds no valid role,provider pair (first value '{}': {why}): ask your IdP admin to fix the AWS role mapping",
                short(&value, 80)
            ),
        );
    }
    if seen {
        return err(Code::SamlNoRoles, "the assertion's AWS Role attribute is empty: ask your IdP admin to assign you an AWS role in the AWS app");
    }
    if encrypted_attrs {
        return err(Code::SamlEncrypted, "the assertion's attributes are encrypted, so Dockpass cannot read its roles: ask your IdP admin to turn off attribute encryption for the AWS app");
    }
    if let Some(n) = near_miss {
        return err(
            Code::SamlNoRoles,
            format!(
                "the assertion has no attribute named exactly {ROLE_ATTRIBUTE} (found '{}'): ask your IdP admin to fix the attribute name",
                short(&n, 80)
            ),
        );
    }
    err(
        Code::SamlNoRoles,
        format!("the assertion has no AWS Role attribute ({ROLE_ATTRIBUTE}): ask your IdP admin to assign you an AWS role in the AWS app"),
    )
}

fn check_status(root: Node) -> Result<()> {
    let Some(status) = child(root, NS_PROTOCOL, "Status") else {
        return Ok(());
    };
    let Some(code) = child(status, NS_PROTOCOL, "StatusCode") else {
        return Ok(());
    };
    let value = code.attribute("Value").unwrap_or("").trim();
    if value == STATUS_SUCCESS {
        return Ok(());
    }
    let mut what = short(value, 100);
    if let Some(sub) = child(code, NS_PROTOCOL, "StatusCode").and_then(|s| attr(s, "Value")) {
        what.push_str(&format!(" / {}", short(&sub, 100)));
    }
    if let Some(msg) = child(status, NS_PROTOCOL, "StatusMessage").and_then(text) {
        what.push_str(&format!(" ({})", short(&msg, 160)));
    }
    Err(err(
        Code::SamlInvalid,
        format!("the IdP answered {what} instead of signing you in: sign in again, or ask your IdP admin if it keeps failing"),
    ))
}

/// Maps parser errors to one line without echoing any of the document (names in the
/// document may be IdP data): a kind and a position.
fn xml_error(e: roxmltree::Error, xml: &str) -> Error {
    use roxmltree::Error as X;
    let kind = match &e {
        X::DtdDetected | X::EntityReferenceLoop(_) => return unsafe_dtd(),
        X::NodesLimitReached => {
            return err(
                Code::SamlTooLarge,
                format!("the SAML XML has more than {MAX_NODES} nodes, far more than any real response; refused"),
            )
        }
        X::NoRootNode => return not_saml("the XML holds no element"),
        X::UnexpectedEndOfStream | X::UnclosedRootNode => "truncated",
        X::UnexpectedCloseTag(..) => "a closing tag does not match",
        X::UnknownNamespace(..) => "an undeclared namespace prefix",
        X::DuplicatedAttribute(..) | X::DuplicatedNamespace(..) => "a duplicated attribute",
        X::UnknownEntityReference(..) | X::MalformedEntityReference(_) => "an unknown entity reference",
        X::NonXmlChar(..) | X::InvalidChar(..) | X::InvalidChar2(..) => "an invalid character",
        _ => "a syntax error",
    };
    // Text that never was SAML gets the "what was expected" message, not parser details.
    if !looks_like_saml(xml) {
        return not_saml("the text is not well-formed XML");
    }
    if kind == "truncated" {
        return err(
            Code::SamlInvalid,
            "the SAML XML is truncated (it ends before its closing tags): copy or capture the whole response again",
        );
    }
    let pos = e.pos();
    err(
        Code::SamlInvalid,
        format!(
            "the SAML XML is not well-formed ({kind} at line {}, column {}): copy or capture the whole response again",
            pos.row, pos.col
        ),
    )
}

fn looks_like_saml(xml: &str) -> bool {
    let first = first_tag(xml);
    let name = first
        .get(1..)
        .unwrap_or("")
        .split(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .next()
        .unwrap_or("");
    matches!(name.rsplit(':').next(), Some("Response" | "Assertion"))
        || xml.contains("urn:oasis:names:tc:SAML:2.0")
}

fn unsafe_dtd() -> Error {
    err(Code::SamlUnsafe, "the SAML XML declares a DTD (<!DOCTYPE>/<!ENTITY>), which no real SAML response does; refused for safety (entity expansion, external entities)")
}

/// Refuses DTDs anywhere, and excessive nesting, attributes or namespaces, in one cheap
/// pass before the real parser.
fn refuse_unsafe(xml: &str) -> Result<()> {
    let b = xml.as_bytes();
    if find_ci(b, b"<!doctype", 0).is_some() || find_ci(b, b"<!entity", 0).is_some() {
        return Err(unsafe_dtd());
    }
    let what = match markup_excess(b, MAX_DEPTH) {
        None => return Ok(()),
        Some(Excess::Depth) => format!("nests elements more than {MAX_DEPTH} deep"),
        Some(Excess::Attributes) => {
            format!("has an element with more than {MAX_ATTRIBUTES} attributes")
        }
        Some(Excess::Namespaces) => {
            format!("has more than {MAX_NAMESPACES} namespace declarations in scope")
        }
    };
    Err(err(
        Code::SamlUnsafe,
        format!("the SAML XML {what}, which no real response does; refused for safety"),
    ))
}

/// Which bound the pre-parse scan found exceeded.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Excess {
    Depth,
    Attributes,
    Namespaces,
}

#[cfg(test)]
pub(super) fn nesting_exceeds(b: &[u8], limit: usize) -> bool {
    markup_excess(b, limit) == Some(Excess::Depth)
}

/// Whether start tags nest deeper than `max_depth`, one carries more than [`MAX_ATTRIBUTES`]
/// attributes, or more than [`MAX_NAMESPACES`] `xmlns` declarations are in scope. Comments,
/// CDATA and PIs are skipped and quotes inside tags respected; malformed input just stops the
/// scan (the parser reports it). Linear time; counts are upper bounds of what roxmltree sees.
pub(super) fn markup_excess(b: &[u8], max_depth: usize) -> Option<Excess> {
    let find = |pat: &[u8], from: usize| -> Option<usize> {
        b.get(from..)?
            .windows(pat.len())
            .position(|w| w == pat)
            .map(|i| i + from)
    };
    // Namespace declarations in scope at each open element (its own plus its ancestors');
    // the length is the depth.
    let mut scopes: Vec<usize> = Vec::new();
    let mut i = 0;
    while let Some(p) = b
        .get(i..)
        .and_then(|r| r.iter().position(|&c| c == b'<'))
        .map(|o| o + i)
    {
        let rest = &b[p..];
        let skip_to = |pat: &[u8], from: usize| find(pat, from).map(|e| e + pat.len());
        let next = if rest.starts_with(b"<!--") {
            skip_to(b"-->", p + 4)
        } else if rest.starts_with(b"<![CDATA[") {
            skip_to(b"]]>", p + 9)
        } else if rest.starts_with(b"<?") {
            skip_to(b"?>", p + 2)
        } else if rest.starts_with(b"</") {
            scopes.pop();
            Some(p + 2)
        } else if rest.starts_with(b"<!") {
            Some(p + 2)
        } else {
            let mut quote = None;
            let mut end = None;
            // Every attribute has one `=` outside quotes; a declaration starts with `xmlns`.
            let (mut attributes, mut namespaces) = (0usize, 0usize);
            for (j, &c) in rest.iter().enumerate().skip(1) {
                match quote {
                    Some(q) if c == q => quote = None,
                    Some(_) => {}
                    None if c == b'"' || c == b'\'' => quote = Some(c),
                    None if c == b'>' => {
                        end = Some(j);
                        break;
                    }
                    None if c == b'=' => attributes += 1,
                    None if c.is_ascii_whitespace() && rest[j + 1..].starts_with(b"xmlns") => {
                        namespaces += 1
                    }
                    None => {}
                }
            }
            let in_scope = scopes.last().copied().unwrap_or(0) + namespaces;
            if attributes > MAX_ATTRIBUTES {
                return Some(Excess::Attributes);
            }
            if in_scope > MAX_NAMESPACES {
                return Some(Excess::Namespaces);
            }
            end.map(|j| {
                if rest[j - 1] != b'/' {
                    scopes.push(in_scope);
                }
                p + j + 1
            })
        };
        if scopes.len() > max_depth {
            return Some(Excess::Depth);
        }
        match next {
            Some(n) => i = n,
            None => return None,
        }
    }
    None
}

fn is(n: Node, ns: &str, local: &str) -> bool {
    n.is_element() && n.tag_name().name() == local && n.tag_name().namespace() == Some(ns)
}

fn children<'a, 'i: 'a>(
    n: Node<'a, 'i>,
    ns: &'static str,
    local: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    n.children().filter(move |c| is(*c, ns, local))
}

fn child<'a, 'i: 'a>(
    n: Node<'a, 'i>,
    ns: &'static str,
    local: &'static str,
) -> Option<Node<'a, 'i>> {
    children(n, ns, local).next()
}

/// All text inside an element (text and CDATA), trimmed; None when empty.
fn text(n: Node) -> Option<String> {
    let s: String = n
        .descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect();
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn attr(n: Node, name: &str) -> Option<String> {
    n.attribute(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// IdP-provided text echoed in a message: one line, bounded.
pub(super) fn short(s: &str, max: usize) -> String {
    let one: String = s
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if one.chars().count() > max {
        format!("{}…", one.chars().take(max).collect::<String>())
    } else {
        one
    }
}

/// Parses xs:dateTime: `2026-11-26T19:00:00Z`, fractional seconds of any length, `+hh:mm`
/// offsets; no zone means UTC (SAML requires UTC, some IdPs just omit the `Z`).
pub(super) fn parse_xs_datetime(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    let (date, rest) = s.split_once(['T', 't'])?;
    let mut d = date.split('-');
    let (y, m, day) = (d.next()?, d.next()?, d.next()?);
    if d.next().is_some() || y.len() != 4 || m.len() != 2 || day.len() != 2 {
        return None;
    }
    let num = |v: &str| -> Option<u32> {
        (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.parse().ok())?
    };
    let date = Date::from_calendar_date(
        num(y)? as i32,
        Month::try_from(u8::try_from(num(m)?).ok()?).ok()?,
        u8::try_from(num(day)?).ok()?,
    )
    .ok()?;

    let tz_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (clock, tz) = rest.split_at(tz_at);
    let (hms, frac) = match clock.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (clock, None),
    };
    let mut t = hms.split(':');
    let (h, mi, sec) = (t.next()?, t.next()?, t.next()?);
    if t.next().is_some() || h.len() != 2 || mi.len() != 2 || sec.len() != 2 {
        return None;
    }
    let (h, mi, sec) = (num(h)?, num(mi)?, num(sec)?);
    let nanos = match frac {
        Some(f) => {
            if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let digits: String = f.chars().chain(std::iter::repeat('0')).take(9).collect();
            digits.parse::<u32>().ok()?
        }
        None => 0,
    };
    let offset = match tz {
        "" | "Z" | "z" => UtcOffset::UTC,
        _ => {
            let sign: i8 = if tz.starts_with('-') { -1 } else { 1 };
            let (oh, om) = tz.get(1..)?.split_once(':')?;
            if oh.len() != 2 || om.len() != 2 {
                return None;
            }
            UtcOffset::from_hms(
                sign * i8::try_from(num(oh)?).ok()?,
                sign * i8::try_from(num(om)?).ok()?,
                0,
            )
            .ok()?
        }
    };
    // xs:dateTime allows 24:00:00 for the end of the day.
    let (date, h) = if h == 24 && mi == 0 && sec == 0 && nanos == 0 {
        (date.next_day()?, 0)
    } else {
        (date, h)
    };
    let time = Time::from_hms_nano(
        u8::try_from(h).ok()?,
        u8::try_from(mi).ok()?,
        u8::try_from(sec).ok()?,
        nanos,
    )
    .ok()?;
    Some(
        PrimitiveDateTime::new(date, time)
            .assume_offset(offset)
            .to_offset(UtcOffset::UTC),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn xs_datetimes() {
        let t = datetime!(2026-11-26 19:00:00 UTC);
        for s in [
            "2026-11-26T19:00:00Z",
            " 2026-11-26T19:00:00z\n",
            "2026-11-26T19:00:00",
            "2026-11-26T19:00:00.000Z",
            "2026-11-26T20:30:00+01:30",
            "2026-11-26T14:00:00-05:00",
            "2026-11-26T19:00:00+00:00",
            "2026-11-25T24:00:00-19:00",
        ] {
            assert_eq!(parse_xs_datetime(s), Some(t), "{s}");
        }
        assert_eq!(
            parse_xs_datetime("2026-11-26T19:00:00.1234567Z"),
            Some(datetime!(2026-11-26 19:00:00.1234567 UTC))
        );
        assert_eq!(
            parse_xs_datetime("2026-11-26T19:00:00.123456789123Z"),
            Some(datetime!(2026-11-26 19:00:00.123456789 UTC))
        );
        for s in [
            "",
            "2026-11-26",
            "2026-11-26T19:00",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-11-26T25:00:00Z",
            "2026-11-26T19:00:00.Z",
            "2026-11-26T19:00:00+0100",
            "26-11-26T19:00:00Z",
            "2026-11-26 19:00:00Z",
            "tomorrow",
            "2026-11-26T19:00:00+99:00",
            "2026-11-26T1a:00:00Z",
            "+2026-11-26T19:00:00Z",
        ] {
            assert_eq!(parse_xs_datetime(s), None, "{s}");
        }
    }

    #[test]
    fn nesting_scan() {
        assert!(!nesting_exceeds(b"<a><b/><c x='>' y=\"<\"><d/></c></a>", 2));
        assert!(nesting_exceeds(b"<a><b><c></c></b></a>", 2));
        assert!(!nesting_exceeds(
            b"<a><!-- <b><c><d> --><![CDATA[<b><c><d>]]><?p <b><c>?></a>",
            1
        ));
        assert!(!nesting_exceeds(b"<a><b></b><b></b><b></b></a>", 2));
        assert!(!nesting_exceeds(b"<a><b", 1));
    }
}

/// Some IdPs put several `role,provider` pairs in one AttributeValue
/// (`role1,provider1,role2,provider2`): split those into pairs; anything else stays whole.
fn pairs_in(v: &str) -> Vec<String> {
    let parts: Vec<&str> = v
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > 2
        && parts.len().is_multiple_of(2)
        && parts.iter().all(|p| p.starts_with("arn:"))
    {
        parts.chunks(2).map(|c| c.join(",")).collect()
    } else {
        vec![v.to_string()]
    }
}

#[cfg(test)]
mod pair_tests {
    use super::pairs_in;

    #[test]
    fn splits_several_pairs_in_one_value() {
        let v = "arn:aws:iam::1:role/A,arn:aws:iam::1:saml-provider/P, arn:aws:iam::2:saml-provider/P,arn:aws:iam::2:role/B";
        assert_eq!(
            pairs_in(v),
            vec![
                "arn:aws:iam::1:role/A,arn:aws:iam::1:saml-provider/P",
                "arn:aws:iam::2:saml-provider/P,arn:aws:iam::2:role/B"
            ]
        );
        assert_eq!(pairs_in("a,b"), vec!["a,b"]);
        assert_eq!(pairs_in("arn:x,arn:y,arn:z"), vec!["arn:x,arn:y,arn:z"]);
    }
}
