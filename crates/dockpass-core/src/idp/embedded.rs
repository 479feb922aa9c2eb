//! What the embedded login window cannot do, and the way out: WebKitGTK has no WebAuthn
//! (security keys, passkeys) and some IdPs refuse embedded views (Google: "This browser or
//! app may not be secure"). The login window's script notices either ([`detect_script`],
//! reported on the sentinel as `browser/NONCE?why=webauthn|embedded`); the window then
//! offers "Continue in your browser" ([`offer_script`]), whose click comes back as
//! `continue/NONCE?always=0|1` (always: the profile switches to `login = "browser"`).

/// Why the window offers the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// The page asked for a security key or passkey.
    WebAuthn,
    /// The IdP refuses embedded browsers.
    Embedded,
}

impl Why {
    pub(crate) fn parse(s: &str) -> Option<Why> {
        match s {
            "webauthn" => Some(Why::WebAuthn),
            "embedded" => Some(Why::Embedded),
            _ => None,
        }
    }

    /// The line the offer shows.
    pub fn message(self) -> &'static str {
        match self {
            Why::WebAuthn => {
                "This sign-in wants a security key or passkey, which Dockpass's window cannot use. Continue in your browser, where they work."
            }
            Why::Embedded => {
                "Your identity provider does not allow sign-in in an embedded window. Continue in your browser."
            }
        }
    }
}

/// The script that notices WebAuthn calls and embedded-view refusals in every page of one
/// attempt. Pages that test for WebAuthn before offering it see what WebKitGTK has; a page
/// that calls it anyway is caught here (a missing `navigator.credentials` gets a stand-in
/// that refuses, as a browser without a key would).
pub fn detect_script(nonce: &str) -> String {
    DETECT.replace("__DOCKPASS_NONCE__", nonce)
}

const DETECT: &str = r#"(function () {
  "use strict";
  if (window.__dockpassOffer) return;
  Object.defineProperty(window, "__dockpassOffer", { value: true });
  var base = "https://saml.dockpass.invalid/browser/__DOCKPASS_NONCE__?why=";
  var loc = window.location, replace = loc.replace.bind(loc);
  var told = false;
  function tell(why) {
    if (told) return;
    told = true;
    try { replace(base + why); } catch (e) {}
  }
  function refuse() {
    return Promise.reject(new DOMException("Security keys and passkeys need your browser.", "NotAllowedError"));
  }
  var creds = navigator.credentials;
  if (!creds) {
    creds = {};
    try { Object.defineProperty(navigator, "credentials", { value: creds, configurable: true }); } catch (e) {}
  }
  ["get", "create"].forEach(function (m) {
    var orig = typeof creds[m] === "function" ? creds[m].bind(creds) : null;
    creds[m] = function (opts) {
      if (opts && opts.publicKey) { tell("webauthn"); return refuse(); }
      return orig ? orig.apply(null, arguments) : refuse();
    };
  });
  function refused() {
    var google = /(^|\.)accounts\.google\.com$/.test(loc.hostname);
    var text = document.body ? document.body.innerText || "" : "";
    if (google && (loc.pathname.indexOf("/signin/rejected") >= 0 || /browser or app may not be secure/i.test(text))) {
      tell("embedded");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refused);
  } else {
    refused();
  }
})();
"#;

/// JavaScript that shows the offer at the top of the login window's page: `why`'s line, a
/// "Continue in your browser" button and "Always for this profile".
pub fn offer_script(nonce: &str, why: Why) -> String {
    let text = serde_json::to_string(why.message()).unwrap_or_else(|_| "\"\"".into());
    format!(
        r#"(function () {{
  var old = document.getElementById("dockpass-offer");
  if (old) old.remove();
  var d = document.createElement("div");
  d.id = "dockpass-offer";
  d.setAttribute("role", "alert");
  d.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;padding:12px 16px;background:#1d4ed8;color:#fff;font:14px/1.4 sans-serif;box-shadow:0 2px 6px rgba(0,0,0,.3);display:flex;flex-wrap:wrap;gap:10px;align-items:center";
  var p = document.createElement("span");
  p.textContent = {text};
  p.style.flex = "1 1 20em";
  var always = document.createElement("input");
  always.type = "checkbox";
  always.id = "dockpass-offer-always";
  var l = document.createElement("label");
  l.htmlFor = always.id;
  l.textContent = " Always for this profile";
  var b = document.createElement("button");
  b.type = "button";
  b.id = "dockpass-continue";
  b.textContent = "Continue in your browser";
  b.style.cssText = "border:0;border-radius:6px;padding:6px 12px;background:#fff;color:#1d4ed8;font:600 14px sans-serif;cursor:pointer";
  b.onclick = function () {{
    window.location.replace("https://saml.dockpass.invalid/continue/{nonce}?always=" + (always.checked ? "1" : "0"));
  }};
  var a = document.createElement("span");
  a.appendChild(always);
  a.appendChild(l);
  d.appendChild(p);
  d.appendChild(a);
  d.appendChild(b);
  (document.body || document.documentElement).appendChild(d);
}})();"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scripts_carry_the_nonce_and_the_line_as_text() {
        let d = detect_script("n0nce");
        assert!(d.contains("/browser/n0nce?why="));
        let o = offer_script("n0nce", Why::WebAuthn);
        assert!(o.contains("/continue/n0nce?always="));
        assert!(o.contains("security key or passkey"));
        assert!(
            o.contains("p.textContent ="),
            "the line is text, not markup"
        );
        assert_eq!(Why::parse("embedded"), Some(Why::Embedded));
        assert_eq!(Why::parse("x"), None);
    }
}
