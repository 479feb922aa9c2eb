//! The local socket between `docker-credential-dockpass` (client) and the running app or
//! daemon (server, `server.rs`): one JSON line each way. It lives in the user's runtime
//! directory (mode 0700), is itself 0600, and the server checks the peer's uid, so only
//! the user's own processes get an answer.

use crate::{err, Code, Error, Result};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

/// Requests and answers are small; anything longer is not ours.
pub const MAX_LINE: usize = 16 * 1024;
/// How long the client waits for an answer (the server may fetch a fresh token first).
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// `$XDG_RUNTIME_DIR/dockpass/helper.sock`.
pub fn path() -> Result<PathBuf> {
    Ok(crate::paths::runtime_dir()?.join("helper.sock"))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// The docker `get` verb.
    Get { server_url: String },
    /// `dockpass credentials`.
    Credentials {
        profile: Option<String>,
        role: Option<String>,
    },
}

/// Secrets in answers are plain strings on the wire (the socket is the user's alone);
/// the Debug output never shows them.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Login { username: String, secret: String },
    Credentials(crate::credentials::ProcessCredentials),
    NotFound,
    Error(Error),
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Login { username, .. } => write!(f, "Login({username}, <redacted>)"),
            Answer::Credentials(c) => write!(f, "Credentials({c:?})"),
            Answer::NotFound => f.write_str("NotFound"),
            Answer::Error(e) => write!(f, "Error({e:?})"),
        }
    }
}

/// Asks the running app or daemon. `None` when none listens (then the caller answers from
/// the keychain itself).
pub fn ask(request: &Request) -> Option<Result<Answer>> {
    let path = path().ok()?;
    let mut stream = UnixStream::connect(&path).ok()?;
    Some(exchange(&mut stream, request))
}

fn exchange(stream: &mut UnixStream, request: &Request) -> Result<Answer> {
    let io = |e: std::io::Error| {
        err(
            Code::Internal,
            format!(
                "the Dockpass helper socket failed ({}); try again",
                crate::error::describe_io(&e)
            ),
        )
    };
    stream.set_read_timeout(Some(CLIENT_TIMEOUT)).map_err(io)?;
    stream.set_write_timeout(Some(CLIENT_TIMEOUT)).map_err(io)?;
    let mut line = serde_json::to_vec(request)
        .map_err(|e| err(Code::Internal, format!("cannot encode the request: {e}")))?;
    line.push(b'\n');
    stream.write_all(&line).map_err(io)?;
    let mut reader = BufReader::new(stream).take(MAX_LINE as u64);
    let mut answer = String::new();
    reader.read_line(&mut answer).map_err(io)?;
    serde_json::from_str(&answer).map_err(|_| {
        err(
            Code::Internal,
            "the Dockpass helper socket answered something unreadable; restart the app or daemon",
        )
    })
}

use std::io::Read as _;
