//! The sign-in socket: how a SAML response taken in the user's own browser reaches the
//! Dockpass process that waits for it (the app, `dockpass daemon` or `dockpass login
//! --browser`). Whoever waits binds `runtime_dir()/signin.sock` for that one attempt and
//! removes it after; no socket means nobody waits, and the browser goes on to AWS as if
//! Dockpass were not there. The socket follows the helper socket's rules: a folder of the
//! user's own, the server's user id checked by the client and the client's by the server.
//!
//! One JSON line each way, like the helper socket, but a request may be up to
//! [`MAX_HANDOVER`] long: SAML responses with many groups pass 64 KB.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// The most a hand-over may be (the browser's message, the socket's request line).
pub const MAX_HANDOVER: usize = 1024 * 1024;
/// How long the host waits for the waiting process's answer: a sign-in (STS, ECR, docker)
/// is bounded by a minute; the waiting process answers "taken" sooner when it must ask the
/// user something first.
pub const HANDOVER_TIMEOUT: Duration = Duration::from_secs(75);

/// `runtime_dir()/signin.sock`.
pub fn socket_path() -> Option<PathBuf> {
    crate::runtime_dir().map(|d| d.join("signin.sock"))
}

/// A SAML response the extension saw the browser post to AWS sign-in.
#[derive(Clone, Serialize, Deserialize)]
pub struct Handover {
    /// The form's `SAMLResponse` (base64), as the browser posted it.
    pub response: String,
    #[serde(default)]
    pub relay_state: String,
    /// Where the form posted (an AWS sign-in SAML URL; the waiting process checks again).
    pub action: String,
    /// The origin of the page that posted it, when the browser says.
    #[serde(default)]
    pub page: Option<String>,
    /// Which extension handed it over (`chrome-extension://ID/` or a Firefox add-on ID).
    pub extension: String,
}

impl std::fmt::Debug for Handover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handover")
            .field("action", &self.action)
            .field("page", &self.page)
            .field("extension", &self.extension)
            .finish_non_exhaustive()
    }
}

/// What became of a hand-over: the waiting process's answer, which the host passes on to
/// the extension as it is (the extension's page shows `message`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// Nobody waits: the browser goes on to AWS as without the extension.
    None { message: String },
    /// Signed in. `close`: a renewal nobody needs to see; the tab closes itself.
    SignedIn { message: String, close: bool },
    /// Dockpass has the response and asks the user something in its own window first.
    Taken { message: String },
    /// Not taken (wrong page, second hand-over, not this extension): one line why.
    Refused { message: String },
    /// Taken, but the sign-in failed: one line what to do.
    Failed { message: String },
    /// The answer to the extension's ping.
    Pong { version: String, waiting: bool },
}

impl Outcome {
    /// The line to show (or, for a pong, what it says).
    pub fn message(&self) -> String {
        match self {
            Outcome::None { message }
            | Outcome::SignedIn { message, .. }
            | Outcome::Taken { message }
            | Outcome::Refused { message }
            | Outcome::Failed { message } => message.clone(),
            Outcome::Pong { version, waiting } => format!(
                "the Dockpass browser host {version} answers; {}",
                if *waiting {
                    "a sign-in is waiting"
                } else {
                    "no sign-in is waiting"
                }
            ),
        }
    }

    pub fn nobody_waits() -> Outcome {
        Outcome::None {
            message: "No Dockpass sign-in is waiting; the browser continues to AWS.".into(),
        }
    }
}

/// Hands `h` to the process that waits, and returns its answer; [`Outcome::None`] when no
/// process of this user waits.
#[cfg(unix)]
pub fn hand_over(h: &Handover) -> Outcome {
    match socket_path() {
        Some(p) => hand_over_at(&p, h),
        None => Outcome::nobody_waits(),
    }
}

/// [`hand_over`] to the sign-in socket at `path`.
#[cfg(unix)]
pub fn hand_over_at(path: &std::path::Path, h: &Handover) -> Outcome {
    use std::io::{BufRead, BufReader, Read, Write};
    let Some(mut stream) = crate::connect_own_at(path) else {
        return Outcome::nobody_waits();
    };
    let failed = |e: String| Outcome::Failed {
        message: format!("Dockpass did not answer ({e}); sign in again from Dockpass"),
    };
    let io = |e: std::io::Error| failed(e.to_string());
    if let Err(e) = stream
        .set_read_timeout(Some(HANDOVER_TIMEOUT))
        .and_then(|_| stream.set_write_timeout(Some(HANDOVER_TIMEOUT)))
    {
        return io(e);
    }
    let mut line = match serde_json::to_vec(h) {
        Ok(l) => l,
        Err(e) => return failed(e.to_string()),
    };
    line.push(b'\n');
    if let Err(e) = stream.write_all(&line) {
        return io(e);
    }
    let mut answer = String::new();
    let mut reader = BufReader::new(stream).take(crate::MAX_LINE as u64);
    if let Err(e) = reader.read_line(&mut answer) {
        return io(e);
    }
    serde_json::from_str(&answer).unwrap_or_else(|_| failed("an unreadable answer".into()))
}

/// Windows has no sign-in socket yet: nobody waits.
#[cfg(not(unix))]
pub fn hand_over(_h: &Handover) -> Outcome {
    Outcome::nobody_waits()
}

/// Whether a process of this user waits for a sign-in now.
#[cfg(unix)]
pub fn waiting() -> bool {
    socket_path()
        .and_then(|p| crate::connect_own_at(&p))
        .is_some()
}

#[cfg(not(unix))]
pub fn waiting() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_have_a_stable_wire_form_and_debug_hides_the_response() {
        let o = Outcome::SignedIn {
            message: "m".into(),
            close: true,
        };
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"{"kind":"signed_in","message":"m","close":true}"#
        );
        let h = Handover {
            response: "PHNhbWw+c2VjcmV0".into(),
            relay_state: String::new(),
            action: "https://signin.aws.amazon.com/saml".into(),
            page: None,
            extension: "x".into(),
        };
        assert!(!format!("{h:?}").contains("PHNhbWw"));
    }
}
