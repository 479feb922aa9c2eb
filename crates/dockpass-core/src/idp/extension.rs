//! The browser extension's way in: while a browser sign-in waits, its process listens on the
//! sign-in socket (`runtime_dir/signin.sock`, the helper socket's rules: a folder of the
//! user's own, mode 0600, the peer's user id checked) for the native messaging host
//! (`dockpass-browser-host`), which passes on what the extension saw the browser post to
//! AWS sign-in. The socket exists only while the attempt does, so "no socket" is how the
//! host knows that nobody waits and the browser may go on to AWS.

#[cfg(unix)]
pub use server::{open, open_at};

/// Windows has no sign-in socket yet: the browser mode needs the loopback listener there.
#[cfg(not(unix))]
pub fn open(_policy: super::capture::Policy) -> crate::Result<super::handover::Attempt> {
    Err(crate::err(
        crate::Code::Usage,
        "signing in through the browser extension is not available on this system yet; use login = \"loopback\"",
    ))
}

#[cfg(unix)]
mod server {
    use super::super::capture::{is_aws_acs, Captured};
    use super::super::handover::{Attempt, Gate};
    use crate::{err, Code, Result, SecretString};
    use dockpass_helper::signin::{Handover, Outcome, MAX_HANDOVER};
    use std::time::Duration;
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    use tokio::net::{UnixListener, UnixStream};

    /// The host sends its line at once; a connection that has not within this time goes.
    const REQUEST_DEADLINE: Duration = Duration::from_secs(2);
    /// The hosts the extension may name as itself (the host checked the browser's word already).
    fn known_extension(e: &str) -> bool {
        e == dockpass_helper::native::chromium_origin()
            || e == dockpass_helper::native::FIREFOX_EXTENSION_ID
    }

    /// Opens a browser sign-in that the extension hands over to: binds the sign-in socket
    /// (`Code::Busy` when another sign-in waits) and serves it until the attempt is dropped.
    /// Must run inside a tokio runtime.
    pub fn open(policy: super::super::capture::Policy) -> Result<Attempt> {
        let path = dockpass_helper::signin::socket_path().ok_or_else(|| {
            err(
                Code::Io,
                "no folder for the sign-in socket: set XDG_RUNTIME_DIR or HOME",
            )
        })?;
        open_at(path, policy)
    }

    /// [`open`] on the socket at `path`.
    pub fn open_at(
        path: std::path::PathBuf,
        policy: super::super::capture::Policy,
    ) -> Result<Attempt> {
        let listener = crate::base::private_socket::bind(
            &path,
            "another Dockpass sign-in waits for the browser already; finish or cancel it first",
        )?;
        let (mut attempt, gate) = Attempt::new(policy);
        attempt.remove_on_drop(path);
        attempt.describe = "the Dockpass extension in your browser".into();
        attempt.run(tokio::spawn(serve(listener, gate)));
        Ok(attempt)
    }

    async fn serve(listener: UnixListener, gate: Gate) {
        loop {
            let stream = match listener.accept().await {
                Ok((s, _)) => s,
                Err(e) => {
                    tracing::warn!("sign-in socket: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            if !crate::base::private_socket::same_user(&stream, "sign-in socket") {
                continue;
            }
            let gate = gate.clone();
            tokio::spawn(async move {
                if let Err(e) = answer_one(stream, &gate).await {
                    tracing::debug!("sign-in socket: {}", e.message);
                }
            });
        }
    }

    async fn answer_one(stream: UnixStream, gate: &Gate) -> Result<()> {
        let (read, mut write) = stream.into_split();
        let io = |e: std::io::Error| err(Code::Io, format!("sign-in socket: {e}"));
        let mut reader = BufReader::new(read.take(MAX_HANDOVER as u64 + 4096));
        let mut line = String::new();
        match tokio::time::timeout(REQUEST_DEADLINE, reader.read_line(&mut line)).await {
            Ok(r) => r.map_err(io)?,
            Err(_) => return Err(err(Code::Io, "sign-in socket: no request in time")),
        };
        let outcome = match serde_json::from_str::<Handover>(&line) {
            Ok(h) => take(h, gate).await,
            Err(_) => Outcome::Refused {
                message:
                    "Dockpass could not read this hand-over; update the extension and Dockpass together"
                        .into(),
            },
        };
        let mut out = serde_json::to_vec(&outcome)
            .map_err(|e| err(Code::Internal, format!("cannot encode the answer: {e}")))?;
        out.push(b'\n');
        write.write_all(&out).await.map_err(io)?;
        Ok(())
    }

    async fn take(h: Handover, gate: &Gate) -> Outcome {
        let refusal = if !known_extension(&h.extension) {
            Some(format!(
                "Dockpass takes sign-ins only from its own extension, not from {}",
                h.extension
            ))
        } else if !is_aws_acs(&h.action) {
            Some(format!(
                "Dockpass did not take this sign-in: it was posted to {}, not to AWS sign-in",
                crate::config::origin_of(&h.action).unwrap_or_else(|| "an unknown address".into())
            ))
        } else {
            gate.policy().refusal(h.page.as_deref(), &h.action)
        };
        let captured = Captured {
            action: h.action,
            relay_state: h.relay_state,
            response: SecretString::new(h.response),
        };
        gate.offer(captured, h.page, refusal).await
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::base::clock::SystemClock;
    use crate::idp::capture::Policy;
    use crate::idp::handover::Attempt;
    use crate::Code;
    use dockpass_helper::signin::hand_over_at;
    use dockpass_helper::signin::{Handover, Outcome};

    fn handover(page: &str, action: &str) -> Handover {
        Handover {
            response: "PHNhbWxwOlJlc3BvbnNlLz4=".into(),
            relay_state: String::new(),
            action: action.into(),
            page: Some(page.into()),
            extension: dockpass_helper::native::chromium_origin(),
        }
    }

    const ACS: &str = "https://signin.aws.amazon.com/saml";
    const IDP: &str = "https://idp.example.com";

    /// The sign-in socket end to end in one process (the host's client, the attempt's
    /// server): one hand-over taken, its outcome delivered, later ones and wrong pages
    /// refused, and nobody waiting once the attempt is gone.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_attempt_takes_one_hand_over_from_the_idp_and_refuses_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("dockpass/signin.sock");
        let policy = Policy::new(&format!("{IDP}/app/aws"), &[]).unwrap();
        let mut attempt = open_at(sock.clone(), policy.clone()).unwrap();
        assert_eq!(
            open_at(sock.clone(), policy).unwrap_err().code,
            Code::Busy,
            "a second attempt while one waits"
        );

        // From another site: refused, and the attempt hears of it.
        let at = |h: Handover| {
            let sock = sock.clone();
            tokio::task::spawn_blocking(move || hand_over_at(&sock, &h))
        };
        let wrong = at(handover("https://evil.example", ACS));
        let o = wrong.await.unwrap();
        assert!(
            matches!(&o, Outcome::Refused { message } if message.contains("evil.example")),
            "{o:?}"
        );
        // Another extension.
        let mut other = handover(IDP, ACS);
        other.extension = "chrome-extension://abcdefghijklmnopabcdefghijklmnop/".into();
        let o = at(other).await.unwrap();
        assert!(
            matches!(&o, Outcome::Refused { message } if message.contains("own extension")),
            "{o:?}"
        );

        let first = at(handover(IDP, ACS));
        let mut refusals = Vec::new();
        let until = time::OffsetDateTime::now_utc() + time::Duration::seconds(10);
        let handed = attempt
            .wait(&SystemClock, until, |w| refusals.push(w.to_string()))
            .await
            .unwrap();
        assert_eq!(refusals.len(), 2, "{refusals:?}");
        assert_eq!(handed.captured.action, ACS);
        let second = at(handover(IDP, ACS)).await.unwrap();
        assert!(
            matches!(&second, Outcome::Refused { message } if message.contains("already")),
            "{second:?}"
        );
        handed
            .answer(Outcome::SignedIn {
                message: "Signed in".into(),
                close: false,
            })
            .await;
        let o = first.await.unwrap();
        assert!(matches!(o, Outcome::SignedIn { .. }), "{o:?}");

        drop(attempt);
        let o = at(handover(IDP, ACS)).await.unwrap();
        assert!(matches!(o, Outcome::None { .. }), "{o:?}");
        assert!(!sock.exists());
    }

    #[tokio::test]
    async fn an_attempt_ends_at_its_deadline() {
        let (mut attempt, _gate) = Attempt::new(Policy::new(IDP, &[]).unwrap());
        let past = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
        let e = attempt.wait(&SystemClock, past, |_| {}).await.unwrap_err();
        assert_eq!(e.code, Code::SignInTimeout);
    }
}
