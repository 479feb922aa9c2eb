//! Capturing the SAMLResponse inside the login webview, from the profile's IdP only, and only
//! when it goes to AWS, without letting the page reach AWS.
//!
//! The login window runs [`init_script`] in the IdP's pages. It catches a form submission
//! that carries a `SAMLResponse` (submit event in the capture phase, patched
//! `submit`/`requestSubmit`, and a scan once the document is parsed) and decides:
//! - posted to an AWS sign-in SAML URL from a page of the profile's IdP ([`Policy`]): handed
//!   over by navigating to a sentinel URL, which the window's navigation handler cancels;
//! - posted to one of the IdP's own origins (an IdP that hops through another): let go;
//! - anything else: blocked, and reported on another sentinel so the window says why.
//!
//! The script's verdict is not trusted: [`decide`] checks the hand-over again in Rust against
//! the page the window is really on, and refuses every navigation to AWS sign-in. The nonce
//! binds a hand-over to one login attempt; only the script knows it.

pub use crate::saml::acs::is_aws_acs;
use crate::saml::acs::{ACS_PATHS, ACS_PREFIX, AWS_SIGNIN_HOSTS};
use crate::{err, Code, Result};

/// Host of the sentinel URL; `.invalid` can never resolve (RFC 2606).
pub const SENTINEL_HOST: &str = "saml.dockpass.invalid";

/// Which pages may hand over an assertion: those of the profile's IdP origins. Crosses to
/// the login window's own process as it is (login_host.rs).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Policy {
    origins: Vec<String>,
}

impl Policy {
    /// The origin of `idp_url` and the profile's `idp_origins`.
    pub fn new(idp_url: &str, idp_origins: &[String]) -> Result<Policy> {
        let mut origins = Vec::new();
        for u in std::iter::once(idp_url).chain(idp_origins.iter().map(String::as_str)) {
            let o = crate::config::origin_of(u).ok_or_else(|| {
                err(
                    Code::Config,
                    format!(
                        "{u:?} has no origin a login window can check; fix idp_url or idp_origins"
                    ),
                )
            })?;
            if !origins.contains(&o) {
                origins.push(o);
            }
        }
        Ok(Policy { origins })
    }

    /// The origins, as `location.origin` writes them.
    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    /// Whether a page at `url` may hand over an assertion.
    pub fn allows(&self, url: &str) -> bool {
        crate::config::origin_of(url).is_some_and(|o| self.origins.contains(&o))
    }

    /// Why a hand-over from `page` is refused (`None`: it is not): the page must be one of
    /// the IdP's origins.
    pub(crate) fn page_refusal(&self, page: Option<&str>) -> Option<String> {
        let from = page.and_then(crate::config::origin_of);
        match from {
            Some(o) if self.origins.contains(&o) => None,
            _ => {
                let from = from.unwrap_or_else(|| "a page without an origin".into());
                Some(format!(
                    "Dockpass did not take this sign-in: it came from {from}, not from your IdP ({}). If your IdP signs in through {from}, add it to idp_origins of this profile.",
                    self.origins.join(", ")
                ))
            }
        }
    }

    /// Why a hand-over from `page` posting to `action` is refused (`None`: it is not).
    pub(crate) fn refusal(&self, page: Option<&str>, action: &str) -> Option<String> {
        if let Some(why) = self.page_refusal(page) {
            return Some(why);
        }
        if is_aws_acs(action) {
            return None;
        }
        let to = crate::config::origin_of(action).unwrap_or_else(|| "an unknown address".into());
        Some(format!(
            "Dockpass did not take this sign-in: the page sends its SAML response to {to}, not to AWS sign-in."
        ))
    }
}

/// The JavaScript that hooks SAMLResponse submissions in every page of one attempt.
pub fn init_script(nonce: &str, policy: &Policy) -> String {
    // serde_json never fails on strings and lists of them.
    fn json(v: &impl serde::Serialize) -> String {
        serde_json::to_string(v).unwrap_or_else(|_| "null".into())
    }
    let capture = INIT_SCRIPT
        .replace("__DOCKPASS_NONCE__", nonce)
        .replace("__DOCKPASS_ORIGINS__", &json(&policy.origins))
        .replace("__DOCKPASS_AWS_HOSTS__", &json(&AWS_SIGNIN_HOSTS))
        .replace("__DOCKPASS_ACS_PATHS__", &json(&ACS_PATHS))
        .replace("__DOCKPASS_ACS_PREFIX__", &json(&ACS_PREFIX));
    capture + &super::embedded::detect_script(nonce)
}

// Builtins are taken before the page's own scripts run, so a page cannot bend them later; the
// origin test uses only `===` on `location.origin`, which no page can redefine.
const INIT_SCRIPT: &str = r#"(function () {
  "use strict";
  if (window.__dockpassCapture) return;
  Object.defineProperty(window, "__dockpassCapture", { value: true });
  var base = "https://saml.dockpass.invalid/";
  var nonce = "__DOCKPASS_NONCE__";
  var ORIGINS = __DOCKPASS_ORIGINS__;
  var AWS_HOSTS = __DOCKPASS_AWS_HOSTS__;
  var ACS_PATHS = __DOCKPASS_ACS_PATHS__;
  var ACS_PREFIX = __DOCKPASS_ACS_PREFIX__;
  var Url = URL, enc = encodeURIComponent, loc = window.location;
  var replace = loc.replace.bind(loc);
  var origSubmit = HTMLFormElement.prototype.submit;
  var origRequestSubmit = HTMLFormElement.prototype.requestSubmit;
  var sent = false;
  function within(list, v) {
    for (var i = 0; i < list.length; i++) { if (list[i] === v) return true; }
    return false;
  }
  function parse(href) {
    try { return new Url(href, document.baseURI); } catch (e) { return null; }
  }
  function isAwsAcs(u) {
    if (!u || (u.protocol !== "https:" && u.protocol !== "http:")) return false;
    var h = u.hostname.toLowerCase();
    if (h.charAt(h.length - 1) === ".") h = h.slice(0, -1);
    var aws = false;
    for (var i = 0; i < AWS_HOSTS.length; i++) {
      var b = AWS_HOSTS[i];
      if (h === b || h.slice(-(b.length + 1)) === "." + b) aws = true;
    }
    if (!aws) return false;
    var p = u.pathname.toLowerCase();
    while (p.length > 1 && p.charAt(p.length - 1) === "/") p = p.slice(0, -1);
    return within(ACS_PATHS, p) || p.indexOf(ACS_PREFIX) === 0;
  }
  function field(form, name) {
    try {
      var el = form.querySelector('[name="' + name + '"]');
      return el && typeof el.value === "string" ? el.value : null;
    } catch (e) { return null; }
  }
  function report(kind, query) {
    replace(base + kind + "/" + nonce + "?" + query);
  }
  // True when the submission is Dockpass's to stop (handed over or refused).
  function handOver(form) {
    if (!(form instanceof HTMLFormElement)) return false;
    var response = field(form, "SAMLResponse");
    if (!response) return false;
    var target = parse(form.getAttribute("action") || "");
    var action = target ? target.href : "";
    if (isAwsAcs(target) && within(ORIGINS, loc.origin)) {
      if (sent) return true;
      sent = true;
      report("capture", "action=" + enc(action) + "&relay=" + enc(field(form, "RelayState") || "") +
        "&response=" + enc(response));
      return true;
    }
    // One of the IdP's own origins receives it (an IdP signing in through another): let go.
    if (target && !isAwsAcs(target) && within(ORIGINS, target.origin)) return false;
    report("refused", "action=" + enc(action));
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
    for (var i = 0; i < forms.length; i++) {
      // Only a form that would post on its own: a SAML auto-post page.
      if (field(forms[i], "SAMLResponse") && handOver(forms[i])) return;
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
"#;

/// JavaScript that shows `message` at the top of the login window's page (why a sign-in
/// was refused); the page stays usable.
pub fn banner_script(message: &str) -> String {
    let text = serde_json::to_string(message).unwrap_or_else(|_| "\"\"".into());
    format!(
        r#"(function () {{
  var old = document.getElementById("dockpass-refused");
  if (old) old.remove();
  var d = document.createElement("div");
  d.id = "dockpass-refused";
  d.setAttribute("role", "alert");
  d.textContent = {text};
  d.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;padding:12px 44px 12px 16px;background:#8a1c1c;color:#fff;font:14px/1.4 sans-serif;box-shadow:0 2px 6px rgba(0,0,0,.3)";
  var x = document.createElement("button");
  x.type = "button";
  x.textContent = "\u00d7";
  x.setAttribute("aria-label", "Close");
  x.style.cssText = "position:absolute;top:6px;right:8px;border:0;background:none;color:#fff;font:22px/1 sans-serif;cursor:pointer";
  x.onclick = function () {{ d.remove(); }};
  d.appendChild(x);
  (document.body || document.documentElement).appendChild(d);
}})();"#
    )
}

/// What the page handed over.
#[derive(Debug)]
pub struct Captured {
    /// Where the form would have posted (an AWS ACS URL).
    pub action: String,
    pub relay_state: String,
    /// The SAMLResponse value as the form held it (base64).
    pub response: crate::SecretString,
}

/// What a sentinel URL carries.
#[derive(Debug)]
enum Handover {
    Captured(Captured),
    /// The script stopped a SAML post it may not hand over (to `action`).
    Refused {
        action: String,
    },
    /// The page needs what the window cannot do (super::embedded).
    Offer(super::embedded::Why),
    /// The user chose to continue in the browser (`always`: from now on).
    Continue {
        always: bool,
    },
}

/// Whether `url` is a hand-over (of any attempt).
pub fn is_sentinel(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        u.host_str()
            .is_some_and(|h| h.eq_ignore_ascii_case(SENTINEL_HOST))
    })
}

/// `None` when `url` is not a sentinel URL; `Some(Err)` for a sentinel of another attempt
/// or a malformed one.
fn parse_sentinel(url: &str, nonce: &str) -> Option<Result<Handover>> {
    let parsed = url::Url::parse(url).ok()?;
    if parsed.scheme() != "https"
        || !parsed
            .host_str()
            .is_some_and(|h| h.eq_ignore_ascii_case(SENTINEL_HOST))
    {
        return None;
    }
    let mut segments = parsed.path().trim_start_matches('/').splitn(2, '/');
    let kind = segments.next().unwrap_or("");
    let given = segments.next().unwrap_or("");
    // Compared in constant time: nothing about the nonce leaks through timing.
    let same: bool = subtle::ConstantTimeEq::ct_eq(given.as_bytes(), nonce.as_bytes()).into();
    if nonce.is_empty() || !same {
        return Some(Err(err(
            Code::SamlInvalid,
            "ignored a SAML hand-over that does not belong to this sign-in",
        )));
    }
    let mut action = String::new();
    let mut relay = String::new();
    let mut response = None;
    let mut why = None;
    let mut always = false;
    for (k, v) in parsed.query_pairs() {
        match &*k {
            "why" => why = super::embedded::Why::parse(&v),
            "always" => always = v == "1",
            "action" => action = v.into_owned(),
            "relay" => relay = v.into_owned(),
            "response" => response = Some(crate::SecretString::new(v.into_owned())),
            _ => {}
        }
    }
    Some(match (kind, response) {
        ("refused", _) => Ok(Handover::Refused { action }),
        ("browser", _) => why
            .map(Handover::Offer)
            .ok_or_else(|| err(Code::SamlInvalid, "ignored an unknown offer")),
        ("continue", _) => Ok(Handover::Continue { always }),
        ("capture", Some(r)) if !r.is_empty() => Ok(Handover::Captured(Captured {
            action,
            relay_state: relay,
            response: r,
        })),
        ("capture", _) => Err(err(
            Code::SamlInvalid,
            "the IdP page posted an empty SAMLResponse; sign in again",
        )),
        _ => Err(err(Code::SamlInvalid, "ignored an unknown SAML hand-over")),
    })
}

/// What a login window does with a navigation.
#[derive(Debug)]
pub enum Decision {
    Allow,
    /// AWS sign-in, a hand-over that is not this attempt's, or one from the wrong page;
    /// with the line the window shows, when the user should know.
    Refuse(Option<String>),
    /// The attempt's SAMLResponse: take it and stop the page.
    Captured(Captured),
    /// The page needs the user's browser: offer "Continue in your browser".
    OfferBrowser(super::embedded::Why),
    /// The user chose the browser for this sign-in (`always`: for the profile from now on).
    ContinueInBrowser {
        always: bool,
    },
}

/// The one rule every login window follows (in the app or in its own process), for a
/// navigation to `url` while the window shows `page`: the attempt's hand-over is captured
/// when `page` is one of the IdP's and the form posted to AWS sign-in; every other hand-over
/// and AWS sign-in itself are refused; everything else (the IdP's own pages) is allowed.
pub fn decide(url: &str, nonce: &str, page: Option<&str>, policy: &Policy) -> Decision {
    let refused = |why: String| {
        tracing::warn!(
            page = page
                .and_then(crate::config::origin_of)
                .as_deref()
                .unwrap_or("none"),
            "refused a SAML sign-in: {why}"
        );
        Decision::Refuse(Some(why))
    };
    match parse_sentinel(url, nonce) {
        Some(Ok(Handover::Captured(c))) => match policy.refusal(page, &c.action) {
            None => Decision::Captured(c),
            Some(why) => refused(why),
        },
        Some(Ok(Handover::Offer(why))) => Decision::OfferBrowser(why),
        Some(Ok(Handover::Continue { always })) => Decision::ContinueInBrowser { always },
        Some(Ok(Handover::Refused { action })) => refused(
            policy
                .refusal(page, &action)
                .unwrap_or_else(|| "Dockpass did not take this sign-in.".into()),
        ),
        Some(Err(e)) => {
            tracing::warn!("refused a SAML hand-over: {}", e.message);
            Decision::Refuse(None)
        }
        None if is_aws_acs(url) => match policy.refusal(page, url) {
            Some(why) => refused(why),
            None => {
                tracing::info!("refused navigation to the AWS sign-in ACS URL");
                Decision::Refuse(None)
            }
        },
        None => Decision::Allow,
    }
}

/// A fresh random nonce for one login attempt, from the OS's random source.
pub fn new_nonce() -> Result<String> {
    use std::fmt::Write;
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        err(
            Code::Internal,
            format!("the system's random source failed ({e}); cannot start a sign-in safely"),
        )
    })?;
    Ok(bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDP: &str = "https://corp.okta.com/app/amazon_aws/exk1/sso/saml";
    const ACS: &str = "https://signin.aws.amazon.com/saml";

    fn policy() -> Policy {
        Policy::new(IDP, &["https://login.corp.example".into()]).unwrap()
    }

    fn sentinel(kind: &str, nonce: &str, action: &str, response: &str) -> String {
        let enc =
            |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
        format!(
            "https://saml.dockpass.invalid/{kind}/{nonce}?action={}&relay=&response={}",
            enc(action),
            enc(response)
        )
    }

    #[test]
    fn the_idp_posting_to_aws_is_captured_byte_identical() {
        // What encodeURIComponent makes of base64: + / = are escaped.
        let response = "PHNhbWxwOlJlc3BvbnNlIHg9IjEiPg+/==";
        let url = sentinel("capture", "abc123", ACS, response);
        match decide(&url, "abc123", Some(IDP), &policy()) {
            Decision::Captured(c) => {
                assert_eq!(c.response.expose(), response);
                assert_eq!(c.action, ACS);
            }
            d => panic!("{d:?}"),
        }
        // A listed origin may hand over too.
        let d = decide(
            &url,
            "abc123",
            Some("https://login.corp.example/x"),
            &policy(),
        );
        assert!(matches!(d, Decision::Captured(_)), "{d:?}");
    }

    #[test]
    fn a_hand_over_from_another_origin_is_refused_and_says_why() {
        let url = sentinel("capture", "n1", ACS, "eA==");
        for page in [
            Some("https://evil.example/post"),
            Some("http://corp.okta.com/app"),
            Some("https://corp.okta.com:8443/app"),
            Some("about:blank"),
            None,
        ] {
            match decide(&url, "n1", page, &policy()) {
                Decision::Refuse(Some(why)) => {
                    assert!(why.contains("not from your IdP"), "{why}");
                    assert!(why.contains("idp_origins"), "{why}");
                }
                d => panic!("{page:?}: {d:?}"),
            }
        }
        // What the script reports when it stopped such a post.
        let refused = sentinel("refused", "n1", ACS, "");
        let d = decide(&refused, "n1", Some("https://evil.example/"), &policy());
        assert!(
            matches!(d, Decision::Refuse(Some(ref w)) if w.contains("evil.example")),
            "{d:?}"
        );
    }

    #[test]
    fn a_hand_over_that_does_not_go_to_aws_is_refused() {
        for action in [
            "https://evil.example/acs",
            "https://corp.okta.com/other",
            "",
        ] {
            let url = sentinel("capture", "n1", action, "eA==");
            match decide(&url, "n1", Some(IDP), &policy()) {
                Decision::Refuse(Some(why)) => assert!(why.contains("not to AWS sign-in"), "{why}"),
                d => panic!("{action}: {d:?}"),
            }
        }
    }

    #[test]
    fn aws_sign_in_is_refused_and_a_foreign_page_named() {
        assert!(matches!(
            decide(ACS, "n", Some(IDP), &policy()),
            Decision::Refuse(None)
        ));
        match decide(ACS, "n", Some("https://evil.example/"), &policy()) {
            Decision::Refuse(Some(why)) => assert!(why.contains("https://evil.example"), "{why}"),
            d => panic!("{d:?}"),
        }
        assert!(matches!(
            decide("https://corp.okta.com/next", "n", Some(IDP), &policy()),
            Decision::Allow
        ));
    }

    #[test]
    fn foreign_or_broken_sentinels_are_refused() {
        let p = policy();
        assert!(matches!(
            decide("https://idp.example/capture/abc", "abc", Some(IDP), &p),
            Decision::Allow
        ));
        for url in [
            "https://saml.dockpass.invalid/capture/other?response=eA%3D%3D",
            "https://saml.dockpass.invalid/capture/abc?response=",
            "https://saml.dockpass.invalid/capture/abc",
            "https://saml.dockpass.invalid/other/abc?response=eA%3D%3D",
        ] {
            let d = decide(url, "abc", Some(IDP), &p);
            assert!(matches!(d, Decision::Refuse(None)), "{url}: {d:?}");
        }
        let d = decide(
            "https://saml.dockpass.invalid/capture/?response=x",
            "",
            Some(IDP),
            &p,
        );
        assert!(matches!(d, Decision::Refuse(None)), "{d:?}");
    }

    #[test]
    fn policy_origins() {
        let p = Policy::new(
            "http://127.0.0.1:3000/sso?x",
            &["https://a.example".into(), "http://127.0.0.1:3000".into()],
        )
        .unwrap();
        assert_eq!(p.origins(), ["http://127.0.0.1:3000", "https://a.example"]);
        assert!(p.allows("http://127.0.0.1:3000/other"));
        assert!(!p.allows("http://localhost:3000/"));
        assert!(Policy::new("about:blank", &[]).is_err());
    }

    #[test]
    fn script_carries_the_nonce_and_the_policy() {
        let n = new_nonce().unwrap();
        assert_eq!(n.len(), 32);
        assert_ne!(n, new_nonce().unwrap());
        let s = init_script(&n, &policy());
        assert!(s.contains(&format!("var nonce = \"{n}\"")));
        assert!(s.contains(r#"["https://corp.okta.com","https://login.corp.example"]"#));
        assert!(s.contains("signin.amazonaws-us-gov.com"));
        assert!(!s.contains("__DOCKPASS_"));
    }

    #[test]
    fn the_banner_is_text_not_markup() {
        let s = banner_script("</script><b>x</b> \"quoted\"");
        assert!(
            s.contains(r#"d.textContent = "</script><b>x</b> \"quoted\"";"#),
            "{s}"
        );
    }
}
