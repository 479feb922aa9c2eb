//! The loopback mode: for admins who add a second ACS URL, `http://127.0.0.1:PORT/saml`, to
//! the IdP's AWS app (and to the roles' trust, `SAML:aud`), as AWS's own browser-SAML
//! drivers do. During one attempt Dockpass listens on that port of the loopback interface,
//! takes one POST of a `SAMLResponse` and answers a page that says what happened; before
//! and after, nothing listens.
//!
//! The POST must come from a page of the profile's IdP when the browser names one
//! (`Origin`); a `Host` other than the loopback's is refused (DNS rebinding). The listener
//! speaks just enough HTTP/1.1 for one form POST per connection.

use super::capture::Captured;
use super::handover::{Attempt, Gate};
use super::http;
use crate::{err, Code, Result, SecretString};
use dockpass_helper::signin::{Outcome, MAX_HANDOVER};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// The path of the loopback ACS URL.
pub const PATH: &str = "/saml";
/// A form-encoded SAMLResponse grows by up to a third when percent-encoded.
const MAX_BODY: usize = MAX_HANDOVER * 2;

/// The ACS URL to add at the IdP for `port`.
pub fn acs_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}{PATH}")
}

/// The spellings of the loopback ACS URL an IdP may post to (Entra ID, for one, accepts an
/// `http` reply URL only on `localhost`).
pub fn acs_urls(port: u16) -> Vec<String> {
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .map(|h| format!("http://{h}:{port}{PATH}"))
        .collect()
}

/// Opens a loopback attempt on `port` of 127.0.0.1 (and of ::1 where there is one, for
/// `localhost`). Must run inside a tokio runtime.
pub async fn open(policy: super::capture::Policy, port: u16) -> Result<Attempt> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
        err(
            Code::Io,
            format!(
                "cannot listen on 127.0.0.1:{port} for the IdP's response ({e}); close the program that uses the port, or set loopback_port to the port of the ACS URL your IdP posts to"
            ),
        )
    })?;
    let (mut attempt, gate) = Attempt::new(policy);
    attempt.describe = format!("this computer at {}", acs_url(port));
    if let Ok(v6) = TcpListener::bind(("::1", port)).await {
        attempt.run(tokio::spawn(serve(v6, gate.clone(), port)));
    }
    attempt.run(tokio::spawn(serve(listener, gate, port)));
    Ok(attempt)
}

async fn serve(listener: TcpListener, gate: Gate, port: u16) {
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(e) => {
                tracing::warn!("loopback listener: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let gate = gate.clone();
        tokio::spawn(async move {
            if let Err(e) = answer_one(stream, &gate, port).await {
                tracing::debug!("loopback listener: {}", e.message);
            }
        });
    }
}

async fn answer_one(mut stream: TcpStream, gate: &Gate, port: u16) -> Result<()> {
    let (status, outcome) = match tokio::time::timeout(
        http::REQUEST_DEADLINE,
        http::read_request(&mut stream, MAX_BODY),
    )
    .await
    {
        Err(_) => return Err(err(Code::Io, "no request in time")),
        Ok(Err((status, line))) => (status, Outcome::Refused { message: line }),
        Ok(Ok(req)) => handle(req, gate, port).await,
    };
    http::respond(&mut stream, status, &page(&outcome)).await
}

async fn handle(req: http::Request, gate: &Gate, port: u16) -> (u16, Outcome) {
    let refused = |status: u16, message: &str| {
        (
            status,
            Outcome::Refused {
                message: message.to_string(),
            },
        )
    };
    // DNS rebinding: a page of another site that resolves its own name to 127.0.0.1.
    let host_ok = http::host_is_loopback(&req, port);
    if !host_ok {
        return refused(
            403,
            "Dockpass answers only requests for this computer's loopback address.",
        );
    }
    if req.path != PATH {
        return refused(404, "Dockpass waits here for your IdP's sign-in, at /saml.");
    }
    if req.method != "POST" {
        return refused(
            405,
            "Dockpass waits here for your IdP to post its SAML response.",
        );
    }
    let form_type = req.header("content-type").is_some_and(|t| {
        t.to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    });
    if !form_type {
        return refused(
            415,
            "Dockpass takes the IdP's form post (application/x-www-form-urlencoded).",
        );
    }
    let mut response = None;
    let mut relay_state = String::new();
    for (k, v) in url::form_urlencoded::parse(&req.body) {
        match &*k {
            "SAMLResponse" => response = Some(SecretString::new(v.into_owned())),
            "RelayState" => relay_state = v.into_owned(),
            _ => {}
        }
    }
    let Some(response) = response.filter(|r| !r.is_empty()) else {
        return refused(
            400,
            "The post holds no SAMLResponse; sign in at your IdP again.",
        );
    };
    // The page's origin, when the browser names it; "null" (a no-referrer page) names none.
    let page = req
        .header("origin")
        .filter(|o| !o.eq_ignore_ascii_case("null"))
        .map(str::to_string);
    let refusal = page
        .as_deref()
        .and_then(|o| gate.policy().page_refusal(Some(o)));
    let captured = Captured {
        action: acs_url(port),
        relay_state,
        response,
    };
    let outcome = gate.offer(captured, page, refusal).await;
    let status = match &outcome {
        Outcome::Refused { message } if message.contains("already") => 409,
        Outcome::Refused { .. } => 403,
        _ => 200,
    };
    (status, outcome)
}

/// The page the browser shows: what happened, and that the tab may close.
fn page(outcome: &Outcome) -> String {
    let (title, next) = match outcome {
        Outcome::SignedIn { .. } => ("Signed in", "You can close this tab."),
        Outcome::Taken { .. } => ("Almost there", "Continue in Dockpass, then close this tab."),
        Outcome::Failed { .. } => ("Sign-in failed", "Sign in again from Dockpass."),
        _ => ("Not taken", "Nothing was signed in."),
    };
    http::page(title, &outcome.message(), next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::clock::SystemClock;
    use crate::idp::capture::Policy;
    use std::io::{Read, Write};

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    fn post(port: u16, host: &str, origin: Option<&str>, body: &str) -> (u16, String) {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let origin = origin
            .map(|o| format!("Origin: {o}\r\n"))
            .unwrap_or_default();
        write!(
            s,
            "POST /saml HTTP/1.1\r\nHost: {host}\r\n{origin}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let status = out[9..12].parse().unwrap();
        (status, out)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn takes_one_post_from_the_idp_and_refuses_the_rest() {
        let port = free_port();
        let policy = Policy::new("https://idp.example.com/sso", &[]).unwrap();
        let mut attempt = open(policy.clone(), port).await.unwrap();
        let e = open(policy, port).await.unwrap_err();
        assert!(e.message.contains("loopback_port"), "{}", e.message);
        let host = format!("127.0.0.1:{port}");
        let form = "SAMLResponse=PHNhbWxwOlJlc3BvbnNlLz4%3D&RelayState=r";

        let h = host.clone();
        let (s, _) = tokio::task::spawn_blocking(move || post(port, "evil.example", None, form))
            .await
            .unwrap();
        assert_eq!(s, 403, "DNS rebinding");
        let (s, page) =
            tokio::task::spawn_blocking(move || post(port, &h, Some("https://evil.example"), form))
                .await
                .unwrap();
        assert_eq!(s, 403);
        assert!(
            page.contains("evil.example") && page.contains("Not taken"),
            "{page}"
        );

        let h = host.clone();
        let first = tokio::task::spawn_blocking(move || {
            post(port, &h, Some("https://idp.example.com"), form)
        });
        let until = time::OffsetDateTime::now_utc() + time::Duration::seconds(10);
        let mut refusals = 0;
        let handed = attempt
            .wait(&SystemClock, until, |_| refusals += 1)
            .await
            .unwrap();
        assert_eq!(refusals, 1);
        assert_eq!(
            handed.captured.response.expose(),
            "PHNhbWxwOlJlc3BvbnNlLz4="
        );
        assert_eq!(handed.captured.relay_state, "r");
        assert_eq!(handed.captured.action, acs_url(port));
        let h = host.clone();
        let (s, page) = tokio::task::spawn_blocking(move || post(port, &h, None, form))
            .await
            .unwrap();
        assert_eq!(s, 409, "{page}");
        handed
            .answer(Outcome::SignedIn {
                message: "Signed in to profile p as <Dev> @ 1.".into(),
                close: false,
            })
            .await;
        let (s, page) = first.await.unwrap();
        assert_eq!(s, 200);
        assert!(
            page.contains("as &lt;Dev&gt; @ 1.") && page.contains("close this tab"),
            "{page}"
        );

        drop(attempt);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "nothing listens after the attempt"
        );
    }

    #[tokio::test]
    async fn only_a_form_post_to_the_acs_path() {
        let port = free_port();
        let policy = Policy::new("https://idp.example.com/sso", &[]).unwrap();
        let _attempt = open(policy, port).await.unwrap();
        let get = tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(s, "GET /saml HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n").unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        })
        .await
        .unwrap();
        assert!(get.starts_with("HTTP/1.1 405"), "{get}");
        let (s, _) = tokio::task::spawn_blocking(move || {
            post(port, &format!("127.0.0.1:{port}"), None, "RelayState=x")
        })
        .await
        .unwrap();
        assert_eq!(s, 400);
    }
}
