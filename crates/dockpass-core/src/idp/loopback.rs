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
use crate::{err, Code, Result, SecretString};
use dockpass_helper::signin::{Outcome, MAX_HANDOVER};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The path of the loopback ACS URL.
pub const PATH: &str = "/saml";
/// Headers beyond this are not a browser's form POST.
const MAX_HEAD: usize = 16 * 1024;
/// A form-encoded SAMLResponse grows by up to a third when percent-encoded.
const MAX_BODY: usize = MAX_HANDOVER * 2;
/// A browser sends its request at once.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);

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

/// One request, as far as a form POST needs it.
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one request; `Err` holds the status and line to answer with.
async fn read_request(stream: &mut TcpStream) -> std::result::Result<Request, (u16, String)> {
    let bad = |s: u16, m: &str| (s, m.to_string());
    let mut buf = Vec::with_capacity(4096);
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err(bad(431, "The request's headers are too large."));
        }
        let mut chunk = [0u8; 4096];
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| bad(400, "The request broke off."))?;
        if n == 0 {
            return Err(bad(400, "The request broke off."));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head =
        std::str::from_utf8(&buf[..head_end]).map_err(|_| bad(400, "Unreadable request."))?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("");
    let path = target.split('?').next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut req = Request {
        method,
        path,
        headers,
        body: buf[head_end + 4..].to_vec(),
    };
    if req.method == "POST" {
        if req.header("transfer-encoding").is_some() {
            return Err(bad(411, "Send the form with a Content-Length."));
        }
        let len: usize = req
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| bad(411, "Send the form with a Content-Length."))?;
        if len > MAX_BODY {
            return Err(bad(413, "The form is larger than any SAML response."));
        }
        while req.body.len() < len {
            let mut chunk = vec![0u8; (len - req.body.len()).min(64 * 1024)];
            let n = stream
                .read(&mut chunk)
                .await
                .map_err(|_| bad(400, "The request broke off."))?;
            if n == 0 {
                return Err(bad(400, "The request broke off."));
            }
            req.body.extend_from_slice(&chunk[..n]);
        }
        req.body.truncate(len);
    }
    Ok(req)
}

async fn answer_one(mut stream: TcpStream, gate: &Gate, port: u16) -> Result<()> {
    let (status, outcome) =
        match tokio::time::timeout(REQUEST_DEADLINE, read_request(&mut stream)).await {
            Err(_) => return Err(err(Code::Io, "no request in time")),
            Ok(Err((status, line))) => (status, Outcome::Refused { message: line }),
            Ok(Ok(req)) => handle(req, gate, port).await,
        };
    let body = page(&outcome);
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        _ => "Request Header Fields Too Large",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let io = |e: std::io::Error| err(Code::Io, e.to_string());
    stream.write_all(head.as_bytes()).await.map_err(io)?;
    stream.write_all(body.as_bytes()).await.map_err(io)?;
    let _ = stream.shutdown().await;
    Ok(())
}

async fn handle(req: Request, gate: &Gate, port: u16) -> (u16, Outcome) {
    let refused = |status: u16, message: &str| {
        (
            status,
            Outcome::Refused {
                message: message.to_string(),
            },
        )
    };
    // DNS rebinding: a page of another site that resolves its own name to 127.0.0.1.
    let host_ok = req.header("host").is_some_and(|h| {
        let h = h.to_ascii_lowercase();
        [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ]
        .contains(&h)
    });
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

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page the browser shows: what happened, and that the tab may close.
fn page(outcome: &Outcome) -> String {
    let (title, next) = match outcome {
        Outcome::SignedIn { .. } => ("Signed in", "You can close this tab."),
        Outcome::Taken { .. } => ("Almost there", "Continue in Dockpass, then close this tab."),
        Outcome::Failed { .. } => ("Sign-in failed", "Sign in again from Dockpass."),
        _ => ("Not taken", "Nothing was signed in."),
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dockpass: {title}</title><style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d2330}}h1{{font-size:1.4rem}}</style></head><body><h1 id=\"title\">{title}</h1><p id=\"message\">{}</p><p>{next}</p></body></html>",
        escape(&outcome.message())
    )
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
