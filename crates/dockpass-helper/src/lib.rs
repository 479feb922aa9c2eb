//! The credential helper's socket protocol, shared by `docker-credential-dockpass` (client)
//! and the app or daemon (server, in dockpass-core). One JSON line each way. Beside it, the
//! browser extension's native messaging host and the sign-in socket it hands responses to
//! ([`native`], [`signin`]).
//!
//! This crate depends on serde alone: the helper binary that docker starts for every pull
//! must not load libdbus, TLS or the AWS SDK just to ask the running app.
#![forbid(unsafe_code)]

pub mod native;
pub mod signin;

use serde::{Deserialize, Serialize};
#[cfg(unix)]
use std::io::{BufRead, BufReader, Read, Write};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

/// Requests and answers are small; anything longer is not ours.
pub const MAX_LINE: usize = 16 * 1024;
/// How long the client waits for an answer (the server may fetch a fresh token first).
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// The helper protocol's "not found" message; docker matches on it.
pub const NOT_FOUND: &str = "credentials not found in native keychain";
/// The protocol's message for a request without a server URL.
pub const MISSING_URL: &str = "no credentials server URL";

fn env_dir(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// `$XDG_RUNTIME_DIR/dockpass`, else Dockpass's state folder
/// (`$XDG_STATE_HOME/dockpass`, `~/.local/state/dockpass`): both belong to the user alone.
pub fn runtime_dir() -> Option<PathBuf> {
    if let Some(d) = env_dir("XDG_RUNTIME_DIR") {
        return Some(d.join("dockpass"));
    }
    let state = env_dir("XDG_STATE_HOME")
        .or_else(|| env_dir("HOME").map(|h| h.join(".local").join("state")))?;
    Some(state.join("dockpass"))
}

/// `runtime_dir()/helper.sock`.
pub fn socket_path() -> Option<PathBuf> {
    runtime_dir().map(|d| d.join("helper.sock"))
}

/// Normalizes what docker sends (`https://host/v2/`, `host`) to a host name.
pub fn host_of(server_url: &str) -> String {
    let s = server_url.trim();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    s.split('/').next().unwrap_or("").to_ascii_lowercase()
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

/// The `credential_process` output format (version 1).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessCredentials {
    pub version: u8,
    pub access_key_id: String,
    pub secret_access_key: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub session_token: String,
    pub expiration: String,
}

impl std::fmt::Debug for ProcessCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

/// A Dockpass error on the wire: its stable code and one-line message.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WireError {
    pub code: String,
    pub message: String,
}

/// Secrets in answers are plain strings on the wire (the socket is the user's alone); the
/// Debug output never shows them.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Login { username: String, secret: String },
    Credentials(ProcessCredentials),
    NotFound,
    Error(WireError),
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

/// Asks the running app or daemon. `None` when none listens (the caller then answers from
/// the keychain); `Some(Err)` when the exchange broke. Windows has no such socket (yet): the
/// helper always answers from the keychain there.
#[cfg(not(unix))]
pub fn ask(_request: &Request) -> Option<Result<Answer, String>> {
    None
}

/// Asks the running app or daemon. `None` when none listens, or when the socket is not
/// provably the user's own (its folder is not theirs alone, or another user serves it): the
/// caller then answers from the keychain. `Some(Err)` when the exchange broke.
#[cfg(unix)]
pub fn ask(request: &Request) -> Option<Result<Answer, String>> {
    let mut stream = connect_own()?;
    Some(exchange(&mut stream, request))
}

/// A connection to the user's own Dockpass: the runtime folder is checked before, the
/// server's user id after connecting. `None` when there is none (or it is not safe).
#[cfg(unix)]
pub fn connect_own() -> Option<UnixStream> {
    connect_own_at(&socket_path()?)
}

/// [`connect_own`] to the socket at `path`.
#[cfg(unix)]
pub fn connect_own_at(path: &std::path::Path) -> Option<UnixStream> {
    check_socket_dir(path.parent()?).ok()?;
    let stream = UnixStream::connect(path).ok()?;
    (peer_uid(&stream).ok()? == rustix::process::getuid().as_raw()).then_some(stream)
}

/// Why the socket folder cannot be trusted, if it cannot: it must be a real folder (not a
/// link), belong to the user and be writable by nobody else, or anyone could put their own
/// server there (a shared `XDG_RUNTIME_DIR` in some container, WSL and CI set-ups).
#[cfg(unix)]
pub fn check_socket_dir(dir: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::symlink_metadata(dir)
        .map_err(|e| format!("cannot look at {}: {e}", dir.display()))?;
    let me = rustix::process::getuid().as_raw();
    if meta.file_type().is_symlink() || !meta.is_dir() {
        return Err(format!(
            "{} is not a folder but a link or a file; remove it so Dockpass can make its own",
            dir.display()
        ));
    }
    if meta.uid() != me {
        return Err(format!(
            "{} belongs to user id {}, not to you (user id {me}); set XDG_RUNTIME_DIR to a folder of your own",
            dir.display(),
            meta.uid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "{} can be written by other users (mode {:04o}); run chmod 700 on it",
            dir.display(),
            meta.mode() & 0o7777
        ));
    }
    Ok(())
}

/// The user id of the process at the other end of a Unix socket.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn peer_uid(stream: &UnixStream) -> std::io::Result<u32> {
    Ok(rustix::net::sockopt::socket_peercred(stream)?.uid.as_raw())
}

/// The user id of the process at the other end of a Unix socket.
#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
))]
pub fn peer_uid(stream: &UnixStream) -> std::io::Result<u32> {
    let (uid, _) = nix::unistd::getpeereid(stream).map_err(std::io::Error::from)?;
    Ok(uid.as_raw())
}

#[cfg(unix)]
fn exchange(stream: &mut UnixStream, request: &Request) -> Result<Answer, String> {
    let io = |e: std::io::Error| format!("the Dockpass helper socket failed ({e}); try again");
    stream.set_read_timeout(Some(CLIENT_TIMEOUT)).map_err(io)?;
    stream.set_write_timeout(Some(CLIENT_TIMEOUT)).map_err(io)?;
    let mut line = serde_json::to_vec(request).map_err(|e| format!("cannot encode: {e}"))?;
    line.push(b'\n');
    stream.write_all(&line).map_err(io)?;
    let mut reader = BufReader::new(stream).take(MAX_LINE as u64);
    let mut answer = String::new();
    reader.read_line(&mut answer).map_err(io)?;
    serde_json::from_str(&answer).map_err(|_| {
        "the Dockpass helper socket answered something unreadable; restart the app or daemon"
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_server_urls() {
        assert_eq!(
            host_of("https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/"),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        );
        assert_eq!(host_of("127.0.0.1:5000"), "127.0.0.1:5000");
        assert_eq!(host_of(" "), "");
    }

    #[test]
    fn wire_forms_are_stable_and_debug_hides_secrets() {
        let r = Request::Get {
            server_url: "h".into(),
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"op":"get","server_url":"h"}"#
        );
        let a = Answer::Login {
            username: "AWS".into(),
            secret: "s3cr3t".into(),
        };
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"login":{"username":"AWS","secret":"s3cr3t"}}"#
        );
        assert!(!format!("{a:?}").contains("s3cr3t"));
        let c = Answer::Credentials(ProcessCredentials {
            version: 1,
            access_key_id: "ASIA".into(),
            secret_access_key: "sk-secret".into(),
            session_token: "st-secret".into(),
            expiration: "2026-11-26T20:00:00Z".into(),
        });
        let d = format!("{c:?}");
        assert!(!d.contains("sk-secret") && !d.contains("st-secret"), "{d}");
    }

    #[cfg(unix)]
    #[test]
    fn only_a_folder_of_ones_own_is_trusted() {
        use std::os::unix::fs::PermissionsExt;
        let base = std::env::temp_dir().join(format!("dockpass-dir-test-{}", std::process::id()));
        let dir = base.join("dockpass");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(check_socket_dir(&dir), Ok(()));
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let e = check_socket_dir(&dir).unwrap_err();
        assert!(e.contains("other users") && e.contains("0777"), "{e}");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o1733)).unwrap();
        assert!(check_socket_dir(&dir).is_err());
        let link = base.join("link");
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        assert!(check_socket_dir(&link).unwrap_err().contains("link"));
        assert!(check_socket_dir(&base.join("missing")).is_err());
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_peer_is_known_by_its_user_id() {
        let (a, _b) = UnixStream::pair().unwrap();
        assert_eq!(peer_uid(&a).unwrap(), rustix::process::getuid().as_raw());
    }

    #[test]
    fn no_socket_means_none() {
        let dir = std::env::temp_dir().join(format!("dockpass-helper-test-{}", std::process::id()));
        std::env::set_var("XDG_RUNTIME_DIR", &dir);
        assert!(ask(&Request::Get {
            server_url: "h".into()
        })
        .is_none());
        assert_eq!(socket_path().unwrap(), dir.join("dockpass/helper.sock"));
    }
}
