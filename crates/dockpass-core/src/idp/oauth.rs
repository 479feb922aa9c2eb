//! IAM Identity Center's sign-in in the user's own browser: the OAuth 2.0 authorization code
//! flow with PKCE (RFC 7636) and a loopback redirect (RFC 8252), as the AWS CLI does since
//! 2.22. Dockpass opens the authorize URL; the user signs in at Identity Center (or the IdP it
//! federates to); the browser comes back to `http://127.0.0.1:PORT/oauth/callback` with a
//! one-time code, which only the holder of the verifier can turn into a token.
//!
//! The listener takes one redirect whose `state` is this attempt's (compared in constant
//! time), refuses any other host name (DNS rebinding) and path, and stops with the attempt.

use super::http;
use crate::base::clock::Clock;
use crate::{err, Code, Result, SecretString};
use base64::Engine;
use std::time::Duration;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use tokio::net::{TcpListener, TcpStream};

/// The redirect's path (the AWS CLI's too).
pub const CALLBACK_PATH: &str = "/oauth/callback";
/// A redirect is a GET; it has no body.
const MAX_BODY: usize = 0;

fn random_b64(bytes: usize) -> Result<String> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).map_err(|e| {
        err(
            Code::Internal,
            format!("the OS gave no random bytes for the sign-in ({e})"),
        )
    })?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

/// One attempt's PKCE verifier, its S256 challenge, and the `state` that ties the redirect
/// to this attempt.
pub struct Pkce {
    pub verifier: SecretString,
    pub challenge: String,
    pub state: String,
}

impl Pkce {
    pub fn new() -> Result<Pkce> {
        use sha2::Digest;
        // 32 random bytes: a 43-character verifier, the shortest RFC 7636 allows.
        let verifier = random_b64(32)?;
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()));
        Ok(Pkce {
            verifier: SecretString::new(verifier),
            challenge,
            state: random_b64(16)?,
        })
    }
}

/// The URL the user's browser opens: the authorize endpoint with the client, the redirect,
/// the challenge and the scope.
pub fn authorize_url(
    endpoint: &str,
    client_id: &str,
    redirect_uri: &str,
    pkce: &Pkce,
    scope: &str,
) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", &pkce.state)
        .append_pair("code_challenge_method", "S256")
        .append_pair("scopes", scope)
        .append_pair("code_challenge", &pkce.challenge)
        .finish();
    format!("{endpoint}?{query}")
}

/// The loopback listener the browser is redirected to, on a port the OS picks.
pub struct Redirect {
    listener: TcpListener,
    port: u16,
}

impl Redirect {
    pub async fn open() -> Result<Redirect> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
            err(
                Code::Io,
                format!("cannot listen on this computer's loopback address for the sign-in ({e})"),
            )
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| err(Code::Io, e.to_string()))?
            .port();
        Ok(Redirect { listener, port })
    }

    /// The redirect URI registered with the client and named in the authorize URL.
    pub fn uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits until `until` (wall clock) for the browser's redirect with this attempt's
    /// `state`; returns its code. The user declining ends the wait with one line. Each
    /// connection is answered on its own task, so one that sends nothing holds up no other.
    pub async fn wait(
        &self,
        state: &str,
        clock: &dyn Clock,
        until: OffsetDateTime,
    ) -> Result<SecretString> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<SecretString>>(1);
        // Dropped with the wait: connections still being read end with it.
        let mut answering = tokio::task::JoinSet::new();
        let mut deadline = clock.sleep_until(until);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let Ok((stream, _)) = accepted else {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    };
                    let (tx, state, port) = (tx.clone(), state.to_string(), self.port);
                    answering.spawn(async move {
                        if let Some(done) = answer(stream, port, &state).await {
                            let _ = tx.send(done).await;
                        }
                    });
                }
                Some(done) = rx.recv() => return done,
                _ = &mut deadline => {
                    return Err(err(
                        Code::SignInTimeout,
                        "the browser did not come back from IAM Identity Center in time; sign in again (or use --no-browser for a code to enter on another device)",
                    ));
                }
            }
        }
    }
}

/// Answers one request; `Some` ends the wait.
async fn answer(mut stream: TcpStream, port: u16, state: &str) -> Option<Result<SecretString>> {
    let req = match tokio::time::timeout(
        http::REQUEST_DEADLINE,
        http::read_request(&mut stream, MAX_BODY),
    )
    .await
    {
        Ok(Ok(req)) => req,
        Ok(Err((status, line))) => {
            let _ = http::respond(&mut stream, status, &http::page("Not taken", &line, "")).await;
            return None;
        }
        Err(_) => return None,
    };
    let (status, page, done) = judge(&req, port, state);
    let _ = http::respond(&mut stream, status, &page).await;
    done
}

/// What one request to the listener means: the status and page to answer, and whether the
/// attempt is over (a code, or the user's refusal).
fn judge(
    req: &http::Request,
    port: u16,
    state: &str,
) -> (u16, String, Option<Result<SecretString>>) {
    let refuse = |status: u16, line: &str| {
        (
            status,
            http::page("Not taken", line, "Nothing was signed in."),
            None,
        )
    };
    if !http::host_is_loopback(req, port) {
        return refuse(
            403,
            "Dockpass answers only requests for this computer's loopback address.",
        );
    }
    if req.path != CALLBACK_PATH || req.method != "GET" {
        return refuse(
            404,
            "Dockpass waits here for IAM Identity Center's redirect.",
        );
    }
    let mut code = None;
    let mut got_state = None;
    let mut error = None;
    for (k, v) in url::form_urlencoded::parse(req.query.as_bytes()) {
        match &*k {
            "code" => code = Some(SecretString::new(v.into_owned())),
            "state" => got_state = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            _ => {}
        }
    }
    let ours = got_state.is_some_and(|s| bool::from(s.as_bytes().ct_eq(state.as_bytes())));
    if !ours {
        return refuse(
            400,
            "This sign-in is not the one Dockpass started; start it again from Dockpass.",
        );
    }
    if let Some(e) = error {
        let line = if e == "access_denied" {
            "you declined Dockpass's access in the browser; sign in again and choose Allow"
                .to_string()
        } else {
            format!("IAM Identity Center ended the sign-in ({e}); sign in again")
        };
        let page = http::page("Sign-in failed", &line, "Sign in again from Dockpass.");
        return (200, page, Some(Err(err(Code::NotLoggedIn, line))));
    }
    match code.filter(|c| !c.is_empty()) {
        Some(code) => (
            200,
            http::page(
                "Signed in",
                "Dockpass has your IAM Identity Center sign-in.",
                "You can close this tab.",
            ),
            Some(Ok(code)),
        ),
        None => refuse(400, "The redirect holds no code; sign in again."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::clock::SystemClock;
    use std::io::{Read, Write};

    #[test]
    fn pkce_follows_rfc_7636() {
        use sha2::Digest;
        let p = Pkce::new().unwrap();
        assert_eq!(p.verifier.expose().len(), 43);
        let expect = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(p.verifier.expose().as_bytes()));
        assert_eq!(p.challenge, expect);
        assert_ne!(
            Pkce::new().unwrap().state,
            p.state,
            "a new state per attempt"
        );
        let url = authorize_url(
            "https://oidc.eu-west-1.amazonaws.com/authorize",
            "client-1",
            "http://127.0.0.1:5000/oauth/callback",
            &p,
            "sso:account:access",
        );
        let u = url::Url::parse(&url).unwrap();
        let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:5000/oauth/callback");
        assert_eq!(q["code_challenge"], p.challenge);
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["scopes"], "sso:account:access");
        assert!(
            !url.contains(p.verifier.expose()),
            "the verifier stays here"
        );
    }

    fn get(port: u16, host: &str, target: &str) -> (u16, String) {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let status = out[9..12].parse().unwrap();
        (status, out)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn takes_the_redirect_with_this_attempts_state_only() {
        let r = Redirect::open().await.unwrap();
        let port = r
            .uri()
            .split(':')
            .nth(2)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .parse::<u16>()
            .unwrap();
        assert_eq!(r.uri(), format!("http://127.0.0.1:{port}/oauth/callback"));
        let until = OffsetDateTime::now_utc() + time::Duration::seconds(20);
        let browser = tokio::task::spawn_blocking(move || {
            let host = format!("127.0.0.1:{port}");
            let answers = vec![
                get(port, "evil.example", "/oauth/callback?code=c&state=s1"),
                get(port, &host, "/favicon.ico"),
                get(port, &host, "/oauth/callback?code=forged&state=other"),
                get(
                    port,
                    &format!("localhost:{port}"),
                    "/oauth/callback?code=the-code&state=s1",
                ),
            ];
            answers
        });
        let code = r.wait("s1", &SystemClock, until).await.unwrap();
        assert_eq!(code.expose(), "the-code");
        let answers = browser.await.unwrap();
        let statuses: Vec<u16> = answers.iter().map(|a| a.0).collect();
        assert_eq!(statuses, [403, 404, 400, 200]);
        assert!(answers[3].1.contains("You can close this tab"));
        assert!(answers[3].1.contains("Cache-Control: no-store"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_connection_that_sends_nothing_holds_up_nothing() {
        let r = Redirect::open().await.unwrap();
        let port: u16 = r.uri()[17..].split('/').next().unwrap().parse().unwrap();
        let until = OffsetDateTime::now_utc() + time::Duration::seconds(20);
        let started = std::time::Instant::now();
        let browser = tokio::task::spawn_blocking(move || {
            let _silent = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            get(
                port,
                &format!("127.0.0.1:{port}"),
                "/oauth/callback?code=c&state=s4",
            )
        });
        assert_eq!(
            r.wait("s4", &SystemClock, until).await.unwrap().expose(),
            "c"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "not after the silent one's 10 s"
        );
        assert_eq!(browser.await.unwrap().0, 200);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_declined_sign_in_ends_the_wait_and_time_runs_out() {
        let r = Redirect::open().await.unwrap();
        let port: u16 = r.uri()[17..].split('/').next().unwrap().parse().unwrap();
        let until = OffsetDateTime::now_utc() + time::Duration::seconds(20);
        let browser = tokio::task::spawn_blocking(move || {
            get(
                port,
                &format!("127.0.0.1:{port}"),
                "/oauth/callback?error=access_denied&state=s2",
            )
        });
        let e = r.wait("s2", &SystemClock, until).await.unwrap_err();
        assert_eq!(e.code, Code::NotLoggedIn);
        assert!(e.message.contains("choose Allow"), "{}", e.message);
        assert!(browser.await.unwrap().1.contains("Sign-in failed"));

        let r = Redirect::open().await.unwrap();
        let e = r
            .wait(
                "s3",
                &SystemClock,
                OffsetDateTime::now_utc() + time::Duration::milliseconds(200),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code, Code::SignInTimeout);
    }
}
