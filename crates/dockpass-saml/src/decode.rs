//! From what the user or the webview hands over to the SAML XML and the base64 STS wants.
//!
//! Three shapes are accepted: the base64 SAMLResponse (whitespace, URL-encoding, a
//! `SAMLResponse=` form body), the decoded XML, and the IdP's HTML page holding the form.
//! HTML is scanned leniently as a string: an XML parser would refuse most real pages.

use super::MAX_INPUT_BYTES;
use crate::error::{err, Code, Error, Result};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use zeroize::Zeroizing;

/// What every "this is not a SAML response" message says was expected.
pub(super) const EXPECTED: &str =
    "expected base64 SAMLResponse, SAML XML or the IdP's HTML form page";

/// The response, as text to parse and as the base64 for STS. Both are bearer secrets.
pub(super) struct Decoded {
    /// The XML, BOM and surrounding whitespace removed.
    pub xml: Zeroizing<String>,
    /// Standard base64 (padded, no whitespace) of the XML bytes as the IdP produced them.
    pub b64: Zeroizing<String>,
}

/// Real IdPs wrap lines, pad or not; tolerate both, and trailing bits of a truncated
/// value so that truncation is reported precisely by the XML parser.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

pub(super) fn not_saml(detail: &str) -> Error {
    err(
        Code::SamlInvalid,
        format!("not a SAML response: {EXPECTED} ({detail})"),
    )
}

pub(super) fn decode(input: &[u8]) -> Result<Decoded> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(too_large(input.len()));
    }
    if input.starts_with(&[0xFF, 0xFE]) || input.starts_with(&[0xFE, 0xFF]) {
        return Err(err(
            Code::SamlInvalid,
            "the SAML input is UTF-16 text: save it as UTF-8 and try again",
        ));
    }
    let bytes = strip_bom(input);
    let text = std::str::from_utf8(bytes).map_err(|_| not_saml("the input is binary, not text"))?;
    let t = text.trim();
    if t.is_empty() {
        return Err(err(
            Code::SamlInvalid,
            format!("the SAML input is empty: {EXPECTED}"),
        ));
    }
    if t.starts_with('<') {
        return match classify(t) {
            Markup::Xml => Ok(Decoded {
                xml: Zeroizing::new(t.to_string()),
                b64: Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(t)),
            }),
            Markup::Html => {
                let v = html_form_value(t)?;
                from_base64(&v)
            }
        };
    }
    from_base64(t)
}

fn too_large(n: usize) -> Error {
    err(
        Code::SamlTooLarge,
        format!(
            "the SAML input is {} KiB, more than the {} KiB any real response needs: pass only the SAMLResponse, the XML or the IdP's form page",
            n.div_ceil(1024),
            MAX_INPUT_BYTES / 1024
        ),
    )
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(b)
}

#[derive(Debug, PartialEq, Eq)]
enum Markup {
    Xml,
    Html,
}

/// Decides between the XML path and the HTML scan from the first tag, so that a SAML
/// document always goes to the strict XML parser (and its DOCTYPE refusal).
fn classify(t: &str) -> Markup {
    const HTML_TAGS: &[&str] = &[
        "html", "head", "body", "form", "input", "meta", "title", "script", "noscript", "div",
        "link", "style", "p", "center", "main", "section",
    ];
    let first = first_tag(t);
    let lower = first
        .chars()
        .take(20)
        .collect::<String>()
        .to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("<!doctype") {
        // `<!DOCTYPE html>` is a page; any other DOCTYPE goes to the XML path to be refused.
        return if rest.trim_start().starts_with("html") {
            Markup::Html
        } else {
            Markup::Xml
        };
    }
    let name: &str = first
        .get(1..)
        .unwrap_or("")
        .split(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .next()
        .unwrap_or("");
    let local = name.rsplit(':').next().unwrap_or(name);
    if matches!(local, "Response" | "Assertion" | "EncryptedAssertion") {
        return Markup::Xml;
    }
    if HTML_TAGS.iter().any(|h| local.eq_ignore_ascii_case(h)) {
        return Markup::Html;
    }
    if find_ci(t.as_bytes(), b"samlresponse", 0).is_some()
        && find_ci(t.as_bytes(), b"<input", 0).is_some()
    {
        Markup::Html
    } else {
        Markup::Xml
    }
}

/// The text from the first tag that is not a comment, PI or XML declaration.
pub(super) fn first_tag(t: &str) -> &str {
    let mut s = t;
    loop {
        s = s.trim_start();
        let end = if s.starts_with("<!--") {
            s.find("-->").map(|i| i + 3)
        } else if s.starts_with("<?") {
            s.find("?>").map(|i| i + 2)
        } else {
            return s;
        };
        match end {
            Some(e) => s = &s[e..],
            None => return "",
        }
    }
}

/// Finds `needle` (lowercase ASCII) in `hay` ignoring ASCII case, from `from`.
pub(super) fn find_ci(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() || from > hay.len() - needle.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|i| i + from)
}

/// The value of the page's `<input name="SAMLResponse" value="...">`, HTML entities decoded.
fn html_form_value(html: &str) -> Result<Zeroizing<String>> {
    let b = html.as_bytes();
    let mut pos = 0;
    let mut saw_empty = false;
    while let Some(p) = b[pos..].iter().position(|&c| c == b'<').map(|i| i + pos) {
        if b[p..].starts_with(b"<!--") {
            pos = find_ci(b, b"-->", p + 4).map_or(b.len(), |e| e + 3);
            continue;
        }
        let is_input = b.len() > p + 6
            && b[p + 1..p + 6].eq_ignore_ascii_case(b"input")
            && matches!(b[p + 6], b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>');
        if !is_input {
            pos = p + 1;
            continue;
        }
        let (attrs, end) = html_attributes(html, p + 6);
        pos = end;
        let is_saml = attrs
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("name") && v.trim() == "SAMLResponse");
        if !is_saml {
            continue;
        }
        let value = attrs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("value"))
            .map(|(_, v)| html_unescape(v))
            .unwrap_or_default();
        if value.trim().is_empty() {
            saw_empty = true;
            continue;
        }
        return Ok(value);
    }
    if saw_empty {
        return Err(err(
            Code::SamlInvalid,
            "the page's SAMLResponse field is empty: the IdP issued no response, sign in again",
        ));
    }
    Err(err(
        Code::SamlInvalid,
        "the HTML page holds no SAMLResponse form field: save the page the IdP shows right before it posts to AWS, or pass the SAMLResponse value itself",
    ))
}

/// Lenient HTML attribute scan from just after the tag name: `name`, `name=v`, `name='v'`,
/// `name="v"`. Returns the attributes and the index just past the tag.
fn html_attributes(html: &str, mut i: usize) -> (Vec<(&str, &str)>, usize) {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let ws = |c: u8| c.is_ascii_whitespace();
    loop {
        while i < b.len() && (ws(b[i]) || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (out, i);
        }
        if b[i] == b'>' {
            return (out, i + 1);
        }
        let ns = i;
        while i < b.len() && !ws(b[i]) && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        if i == ns {
            // A stray `=` or similar: step over it.
            i += 1;
            continue;
        }
        let name = &html[ns..i];
        while i < b.len() && ws(b[i]) {
            i += 1;
        }
        if i >= b.len() || b[i] != b'=' {
            out.push((name, ""));
            continue;
        }
        i += 1;
        while i < b.len() && ws(b[i]) {
            i += 1;
        }
        let value = if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
            let q = b[i];
            let vs = i + 1;
            let ve = b[vs..]
                .iter()
                .position(|&c| c == q)
                .map_or(b.len(), |e| vs + e);
            i = (ve + 1).min(b.len());
            &html[vs..ve]
        } else {
            let vs = i;
            while i < b.len() && !ws(b[i]) && b[i] != b'>' {
                i += 1;
            }
            &html[vs..i]
        };
        out.push((name, value));
    }
}

/// Decodes the character references IdPs use in attribute values (`&#x2b;`, `&#43;`,
/// `&amp;`, `&#x3d;`, ...). Unknown references stay as they are.
pub(super) fn html_unescape(s: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(s.len()));
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(j, _)| j);
        let decoded = end.and_then(|e| {
            let ent = &rest[1..e];
            let c = if let Some(num) = ent.strip_prefix('#') {
                let n = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse::<u32>().ok(),
                };
                n.and_then(char::from_u32)
            } else {
                match ent {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "plus" => Some('+'),
                    "equals" => Some('='),
                    "sol" => Some('/'),
                    "NewLine" => Some('\n'),
                    _ => None,
                }
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `SAMLResponse=VALUE` in a form body or URL query (`&RelayState=...` may follow or precede).
fn form_field(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(i) = find_ci(b, b"samlresponse=", from) {
        if i == 0 || matches!(b[i - 1], b'&' | b'?' | b';') || b[i - 1].is_ascii_whitespace() {
            let v = &s[i + "samlresponse=".len()..];
            return Some(v.split('&').next().unwrap_or(v));
        }
        from = i + 1;
    }
    None
}

/// `%2B` -> `+` etc. A `+` stays a `+`: base64 has no spaces, so a literal `+` is data.
fn percent_decode(s: &[u8]) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(percent_encoding::percent_decode(s).collect())
}

fn from_base64(raw: &str) -> Result<Decoded> {
    let mut s = raw.trim();
    if let Some(v) = form_field(s) {
        s = v;
    }
    s = s.trim().trim_matches(|c| c == '"' || c == '\'');
    let bytes = percent_decode(s.as_bytes());
    let mut clean = Zeroizing::new(Vec::with_capacity(bytes.len()));
    for &c in bytes.iter() {
        match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' => clean.push(c),
            // URL-safe alphabet, as some proxies and tools re-encode it.
            b'-' => clean.push(b'+'),
            b'_' => clean.push(b'/'),
            c if c.is_ascii_whitespace() => {}
            _ => return Err(not_saml("the input holds characters that are not base64")),
        }
    }
    if clean.is_empty() {
        return Err(err(
            Code::SamlInvalid,
            format!("the SAMLResponse value is empty: {EXPECTED}"),
        ));
    }
    let decoded = Zeroizing::new(LENIENT.decode(&clean[..]).map_err(|e| {
        let why = match e {
            base64::DecodeError::InvalidLength(_) => "its length is impossible for base64",
            base64::DecodeError::InvalidPadding => "its padding is wrong",
            _ => "a padding character sits in the middle",
        };
        if clean.len() < 64 {
            not_saml("too short to be a SAMLResponse")
        } else {
            err(
                Code::SamlInvalid,
                format!("the base64 SAMLResponse is truncated or damaged ({why}): copy or capture the whole value again"),
            )
        }
    })?);
    let body = strip_bom(&decoded);
    let start = body
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(body.len());
    if body.get(start) != Some(&b'<') {
        return Err(not_saml("the base64 does not decode to XML"));
    }
    let xml = std::str::from_utf8(&body[start..])
        .map_err(|_| err(Code::SamlInvalid, "the decoded SAML XML is not UTF-8 text: the value is damaged, copy or capture it again"))?;
    Ok(Decoded {
        xml: Zeroizing::new(xml.trim_end().to_string()),
        b64: Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&decoded[..])),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_entities() {
        assert_eq!(
            html_unescape("a&#x2b;b&#43;c&#x3d;&#61;&amp;&lt;&quot;&plus;&equals;&sol;&bogus;&")
                .as_str(),
            "a+b+c==&<\"+=/&bogus;&"
        );
        assert_eq!(html_unescape("&#X2B;&#xZZ;").as_str(), "+&#xZZ;");
    }

    #[test]
    fn attributes_in_any_style() {
        let h = r#"<input type=hidden NAME='SAMLResponse' value = "a b" disabled data-x=1>rest"#;
        let (a, end) = html_attributes(h, 6);
        assert_eq!(
            a,
            vec![
                ("type", "hidden"),
                ("NAME", "SAMLResponse"),
                ("value", "a b"),
                ("disabled", ""),
                ("data-x", "1")
            ]
        );
        assert_eq!(&h[end..], "rest");
    }

    #[test]
    fn form_fields() {
        assert_eq!(
            form_field("SAMLResponse=abc%3D&RelayState=x"),
            Some("abc%3D")
        );
        assert_eq!(form_field("RelayState=x&SAMLResponse=abc"), Some("abc"));
        assert_eq!(
            form_field("https://signin.aws.amazon.com/saml?SAMLResponse=q"),
            Some("q")
        );
        assert_eq!(form_field("xSAMLResponse=abc"), None);
        assert_eq!(
            &percent_decode(b"a%2Bb%2fc%3D%3d+%zz%")[..],
            b"a+b/c==+%zz%"
        );
    }

    #[test]
    fn classifies_markup() {
        assert_eq!(
            classify("<?xml version='1.0'?><samlp:Response/>"),
            Markup::Xml
        );
        assert_eq!(classify("<!-- c --><Response/>"), Markup::Xml);
        assert_eq!(
            classify("<!DOCTYPE foo [<!ENTITY x 'y'>]><r/>"),
            Markup::Xml
        );
        assert_eq!(classify("<!DOCTYPE html><html></html>"), Markup::Html);
        assert_eq!(
            classify("<!doctype HTML PUBLIC '-//W3C//DTD'>"),
            Markup::Html
        );
        assert_eq!(classify("<HTML><body>"), Markup::Html);
        assert_eq!(classify("<form><input name=SAMLResponse>"), Markup::Html);
        assert_eq!(classify("<x><input name=SAMLResponse>"), Markup::Html);
        assert_eq!(classify("<x><y/></x>"), Markup::Xml);
    }
}
