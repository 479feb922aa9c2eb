//! Capturing the SAMLResponse inside the login webview, without letting the page reach AWS.
//!
//! The login window runs [`init_script`] in the IdP's pages. It catches the SAMLResponse form
//! submission (submit event in the capture phase, patched `submit`/`requestSubmit`, and a scan
//! once the document is parsed) and hands the value over by navigating to a sentinel URL,
//! which the window's navigation handler cancels and passes to [`parse_sentinel`]. The nonce
//! binds a capture to one login attempt: a page cannot inject an assertion into another one.
//! The webview itself decides nothing; AWS sign-in ACS URLs are refused by [`is_aws_acs`].

use crate::{err, Code, Result};

/// Host of the sentinel URL; `.invalid` can never resolve (RFC 2606).
pub const SENTINEL_HOST: &str = "saml.dockpass.invalid";

/// The JavaScript that hooks SAMLResponse submissions in every IdP page of one attempt.
pub fn init_script(nonce: &str) -> String {
    INIT_SCRIPT.replace("__DOCKPASS_NONCE__", nonce)
}

const INIT_SCRIPT: &str = r#"(function () {
  "use strict";
  if (window.__dockpassCapture) return;
  Object.defineProperty(window, "__dockpassCapture", { value: true });
  var sentinel = "https://saml.dockpass.invalid/capture/__DOCKPASS_NONCE__";
  var sent = false;
  var origSubmit = HTMLFormElement.prototype.submit;
  var origRequestSubmit = HTMLFormElement.prototype.requestSubmit;
  function field(form, name) {
    try {
      var el = form.querySelector('[name="' + name + '"]');
      return el && typeof el.value === "string" ? el.value : null;
    } catch (e) { return null; }
  }
  function handOver(form) {
    if (!(form instanceof HTMLFormElement)) return false;
    var response = field(form, "SAMLResponse");
    if (!response) return false;
    if (sent) return true;
    sent = true;
    var action = form.getAttribute("action") || "";
    try { action = new URL(action, document.baseURI).href; } catch (e) {}
    var relay = field(form, "RelayState") || "";
    window.location.replace(sentinel + "?action=" + encodeURIComponent(action) +
      "&relay=" + encodeURIComponent(relay) + "&response=" + encodeURIComponent(response));
    return true;
  }
  document.addEventListener("submit", function (e) {
    if (handOver(e.target)) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);
  HTMLFormElement.prototype.submit = function () {
    if (!handOver(this)) return origSubmit.apply(this, arguments);
  };
  if (origRequestSubmit) {
    HTMLFormElement.prototype.requestSubmit = function () {
      if (!handOver(this)) return origRequestSubmit.apply(this, arguments);
    };
  }
  function scan() {
    var forms = document.forms;
    for (var i = 0; i < forms.length; i++) { if (handOver(forms[i])) return; }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
"#;

/// What the page handed over.
#[derive(Debug)]
pub struct Captured {
    /// Where the form would have posted (an AWS ACS URL for a real IdP).
    pub action: String,
    pub relay_state: String,
    /// The SAMLResponse value as the form held it (base64).
    pub response: crate::SecretString,
}

/// `None` when `url` is not a sentinel URL (let the navigation go on, subject to
/// [`is_aws_acs`]); `Some(Err)` for a sentinel of another attempt or a malformed one.
pub fn parse_sentinel(url: &str, nonce: &str) -> Option<Result<Captured>> {
    let rest = url.strip_prefix("https://")?;
    let (host, rest) = rest.split_once('/').unwrap_or((rest, ""));
    if !host.eq_ignore_ascii_case(SENTINEL_HOST) {
        return None;
    }
    Some(parse_sentinel_path(rest, nonce))
}

fn parse_sentinel_path(rest: &str, nonce: &str) -> Result<Captured> {
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let query = query.split('#').next().unwrap_or("");
    let given = path.strip_prefix("capture/").unwrap_or("");
    if nonce.is_empty() || !constant_time_eq(given.as_bytes(), nonce.as_bytes()) {
        return Err(err(
            Code::SamlInvalid,
            "ignored a SAML hand-over that does not belong to this sign-in",
        ));
    }
    let mut action = String::new();
    let mut relay = String::new();
    let mut response = None;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "action" => action = percent_decode(v)?,
            "relay" => relay = percent_decode(v)?,
            "response" => response = Some(crate::SecretString::new(percent_decode(v)?)),
            _ => {}
        }
    }
    match response {
        Some(r) if !r.is_empty() => Ok(Captured {
            action,
            relay_state: relay,
            response: r,
        }),
        _ => Err(err(
            Code::SamlInvalid,
            "the IdP page posted an empty SAMLResponse; sign in again",
        )),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Decodes `encodeURIComponent` output (`%XX`; `+` stays `+`).
fn percent_decode(s: &str) -> Result<String> {
    let bad = || {
        err(
            Code::SamlInvalid,
            "the SAML hand-over was garbled; sign in again",
        )
    };
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or_else(bad)?;
            let hex = std::str::from_utf8(hex).map_err(|_| bad())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

/// True for AWS sign-in SAML endpoints (ACS URLs) of every partition: the login window
/// must never load them, or the assertion would be spent on a console session.
pub fn is_aws_acs(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host = authority
        .rsplit('@')
        .next()
        .unwrap_or(authority)
        .split(':')
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let aws_signin = [
        "signin.aws.amazon.com",
        "signin.amazonaws-us-gov.com",
        "signin.amazonaws.cn",
    ]
    .iter()
    .any(|base| host == *base || host.ends_with(&format!(".{base}")));
    if !aws_signin {
        return false;
    }
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_ascii_lowercase();
    let path = path.trim_end_matches('/');
    path == "/saml"
        || path == "/static/saml"
        || path.starts_with("/saml/acs/")
        || path == "/saml/acs"
}

/// What a login window does with a navigation to `url`, for the attempt with `nonce`.
#[derive(Debug)]
pub enum Decision {
    Allow,
    /// AWS sign-in, or a hand-over that is not this attempt's (logged).
    Refuse,
    /// The attempt's SAMLResponse: take it and stop the page.
    Captured(Captured),
}

/// The one rule every login window follows (in the app or in its own process): the
/// attempt's sentinel is captured, another hand-over and the AWS sign-in ACS are refused,
/// everything else (the IdP's own pages) is allowed.
pub fn decide(url: &str, nonce: &str) -> Decision {
    match parse_sentinel(url, nonce) {
        Some(Ok(c)) => Decision::Captured(c),
        Some(Err(e)) => {
            tracing::warn!("refused a SAML hand-over: {}", e.message);
            Decision::Refuse
        }
        None if is_aws_acs(url) => {
            tracing::info!("refused navigation to the AWS sign-in ACS URL");
            Decision::Refuse
        }
        None => Decision::Allow,
    }
}

/// A fresh random nonce for one login attempt.
pub fn new_nonce() -> String {
    use std::fmt::Write;
    let mut bytes = [0u8; 16];
    fill_random(&mut bytes);
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn fill_random(buf: &mut [u8]) {
    use std::io::Read;
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        if f.read_exact(buf).is_ok() {
            return;
        }
    }
    // Fallback: hash time and address space layout; unpredictable enough for a nonce that
    // only has to differ between attempts and stay unknown to other origins.
    use sha2::{Digest, Sha256};
    let seed = format!(
        "{:?}{:p}{}",
        std::time::SystemTime::now(),
        buf.as_ptr(),
        std::process::id()
    );
    let d = Sha256::digest(seed.as_bytes());
    for (i, b) in buf.iter_mut().enumerate() {
        *b = d[i % d.len()];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acs_urls_of_every_partition_are_refused() {
        for u in [
            "https://signin.aws.amazon.com/saml",
            "https://signin.aws.amazon.com/saml/",
            "https://signin.aws.amazon.com/saml?SAMLResponse=x",
            "https://us-east-1.signin.aws.amazon.com/saml",
            "https://eu-west-1.signin.aws.amazon.com/saml/acs/SAMLSP4SHN3UIS2D558H46",
            "https://signin.aws.amazon.com/static/saml",
            "https://SIGNIN.AWS.AMAZON.COM/SAML",
            "https://signin.aws.amazon.com./saml",
            "https://signin.aws.amazon.com:443/saml",
            "https://signin.amazonaws-us-gov.com/saml",
            "https://signin.amazonaws.cn/saml",
            "http://signin.aws.amazon.com/saml",
        ] {
            assert!(is_aws_acs(u), "{u}");
        }
        for u in [
            "https://corp.okta.com/app/amazon_aws/exk1/sso/saml",
            "https://signin.aws.amazon.com/console",
            "https://signin.aws.amazon.com.evil.example/saml",
            "https://evilsignin.aws.amazon.com.example/saml",
            "https://login.microsoftonline.com/saml",
            "http://127.0.0.1:3000/saml/sso",
            "about:blank",
        ] {
            assert!(!is_aws_acs(u), "{u}");
        }
    }

    #[test]
    fn sentinel_round_trip_keeps_the_response_byte_identical() {
        // What encodeURIComponent makes of base64: + / = are escaped.
        let response = "PHNhbWxwOlJlc3BvbnNlIHg9IjEiPg+/==";
        let enc = response
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        let url = format!(
            "https://saml.dockpass.invalid/capture/abc123?action=https%3A%2F%2Fsignin.aws.amazon.com%2Fsaml&relay=&response={enc}"
        );
        let c = parse_sentinel(&url, "abc123").unwrap().unwrap();
        assert_eq!(c.response.expose(), response);
        assert_eq!(c.action, "https://signin.aws.amazon.com/saml");
    }

    #[test]
    fn foreign_or_broken_sentinels_are_refused() {
        assert!(parse_sentinel("https://idp.example/capture/abc", "abc").is_none());
        let wrong = parse_sentinel(
            "https://saml.dockpass.invalid/capture/other?response=eA%3D%3D",
            "abc",
        )
        .unwrap();
        assert!(wrong.is_err());
        let empty = parse_sentinel("https://saml.dockpass.invalid/capture/abc?response=", "abc");
        assert!(empty.unwrap().is_err());
        let garbled = parse_sentinel(
            "https://saml.dockpass.invalid/capture/abc?response=%zz",
            "abc",
        );
        assert!(garbled.unwrap().is_err());
        assert!(
            parse_sentinel("https://saml.dockpass.invalid/capture/?response=x", "")
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn script_carries_the_nonce() {
        let n = new_nonce();
        assert_eq!(n.len(), 32);
        assert_ne!(n, new_nonce());
        let s = init_script(&n);
        assert!(s.contains(&format!("capture/{n}")));
        assert!(!s.contains("__DOCKPASS_NONCE__"));
    }
}
