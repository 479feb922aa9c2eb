//! The browser extension's native messaging host (`dockpass-browser-host`): the browser
//! starts it for each message of the Dockpass extension, it reads one framed message,
//! passes a hand-over to the waiting Dockpass over the sign-in socket ([`crate::signin`]),
//! answers, and exits. It never writes a secret anywhere: the response goes from the
//! browser's pipe to the socket and nowhere else.
//!
//! Framing (Chromium and Firefox alike): a 32-bit length in native byte order, then that
//! many bytes of UTF-8 JSON, each way.

use crate::signin::{self, Handover, Outcome, MAX_HANDOVER};
use serde::Deserialize;
use std::io::{Read, Write};

/// The host's name in the browsers' native messaging manifests.
pub const HOST_NAME: &str = "dev.dockpass.browser";
/// The extension's ID in Chromium-based browsers: fixed by the manifest's `key`
/// (the first 32 hex digits of the key's SHA-256, 0-f written a-p).
pub const CHROMIUM_EXTENSION_ID: &str = "kphpmbblficclfcbieliakfbefcpjoaa";
/// The extension's ID in Firefox (`browser_specific_settings.gecko.id`).
pub const FIREFOX_EXTENSION_ID: &str = "browser@dockpass.dev";

/// The Chromium origin the host manifests allow.
pub fn chromium_origin() -> String {
    format!("chrome-extension://{CHROMIUM_EXTENSION_ID}/")
}

/// Which browser family started the host, known from its arguments (`args[0]` is the host):
/// Chromium passes the caller's origin (`chrome-extension://ID/`, on Windows also
/// `--parent-window=N`), Firefox the manifest's path and the add-on's ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    Chromium,
    Firefox,
}

/// The caller, or the one line why this host does not answer it. The browsers only start
/// the host for the extensions its manifest names; this checks again, so a manifest
/// edited by someone else does not open the socket to another extension.
pub fn caller(args: &[String]) -> Result<Caller, String> {
    let refuse = |who: &str| {
        Err(format!(
            "the Dockpass browser host answers only the Dockpass extension ({} or {FIREFOX_EXTENSION_ID}), not {who}",
            chromium_origin()
        ))
    };
    if let Some(origin) = args.iter().find(|a| a.starts_with("chrome-extension://")) {
        return match origin.trim_end_matches('/') == chromium_origin().trim_end_matches('/') {
            true => Ok(Caller::Chromium),
            false => refuse(origin),
        };
    }
    // args[0] is the host itself, args[1] Firefox's manifest path.
    match args.get(2) {
        Some(id) if id == FIREFOX_EXTENSION_ID => Ok(Caller::Firefox),
        Some(id) => refuse(id),
        None => refuse("a caller that did not say who it is"),
    }
}

impl Caller {
    fn extension(&self) -> String {
        match self {
            Caller::Chromium => chromium_origin(),
            Caller::Firefox => FIREFOX_EXTENSION_ID.to_string(),
        }
    }
}

/// A message from the extension.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Message {
    /// "Are you there?" (the extension at start, the setup's check).
    Ping {
        #[serde(default)]
        version: String,
    },
    /// `dockpass doctor` checking that the host starts: answered like a ping, but it says
    /// nothing about the extension, so nothing is recorded.
    Probe,
    Handover {
        response: String,
        #[serde(default)]
        relay_state: String,
        action: String,
        #[serde(default)]
        page: Option<String>,
    },
}

/// Reads one framed message (at most `max` bytes of body).
pub fn read_message(input: &mut impl Read, max: usize) -> Result<Vec<u8>, String> {
    let mut len = [0u8; 4];
    input
        .read_exact(&mut len)
        .map_err(|e| format!("no message from the browser ({e})"))?;
    let len = u32::from_ne_bytes(len) as usize;
    if len > max {
        return Err(format!(
            "the browser's message is {len} bytes, more than the {max} a sign-in needs"
        ));
    }
    let mut body = vec![0u8; len];
    input
        .read_exact(&mut body)
        .map_err(|e| format!("the browser's message broke off ({e})"))?;
    Ok(body)
}

/// Writes one framed message.
pub fn write_message(output: &mut impl Write, body: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(body.len()).map_err(|_| std::io::ErrorKind::InvalidInput)?;
    output.write_all(&len.to_ne_bytes())?;
    output.write_all(body)?;
    output.flush()
}

fn reply(output: &mut impl Write, outcome: &Outcome) -> std::io::Result<()> {
    let body = serde_json::to_vec(outcome).map_err(std::io::Error::other)?;
    write_message(output, &body)
}

/// The host's whole run: one message in, one answer out. Returns the exit code; refusals
/// also go to standard error, which the browser keeps in its own log.
pub fn serve(args: &[String], input: &mut impl Read, output: &mut impl Write) -> u8 {
    let refused = |output: &mut dyn Write, message: String| {
        eprintln!("dockpass-browser-host: {message}");
        let mut out = output;
        let _ = reply(&mut out, &Outcome::Refused { message });
        1
    };
    let caller = match caller(args) {
        Ok(c) => c,
        Err(m) => return refused(output, m),
    };
    let body = match read_message(input, MAX_HANDOVER + 4096) {
        Ok(b) => b,
        Err(m) => return refused(output, m),
    };
    let outcome = match serde_json::from_slice::<Message>(&body) {
        Ok(Message::Ping { version }) => {
            seen::record(&caller, &version);
            Outcome::Pong {
                version: env!("CARGO_PKG_VERSION").to_string(),
                waiting: signin::waiting(),
            }
        }
        Ok(Message::Probe) => Outcome::Pong {
            version: env!("CARGO_PKG_VERSION").to_string(),
            waiting: signin::waiting(),
        },
        Ok(Message::Handover {
            response,
            relay_state,
            action,
            page,
        }) => signin::hand_over(&Handover {
            response,
            relay_state,
            action,
            page,
            extension: caller.extension(),
        }),
        Err(_) => {
            return refused(
                output,
                "the browser sent a message the Dockpass host does not know; update the extension and Dockpass together".into(),
            )
        }
    };
    match reply(output, &outcome) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("dockpass-browser-host: cannot answer the browser: {e}");
            1
        }
    }
}

/// When the extension last answered, per browser family: what `dockpass browser status`
/// and the setup show. No secret is in it.
pub mod seen {
    use super::Caller;
    use serde::{Deserialize, Serialize};
    use std::path::PathBuf;

    #[derive(Clone, Debug, Serialize, Deserialize)]
    pub struct Seen {
        /// The extension's version, as it said.
        pub extension_version: String,
        /// The program that started the host (Linux: from /proc), when known.
        pub browser: Option<String>,
        /// Seconds since the Unix epoch.
        pub at: u64,
    }

    fn file(family: &str) -> Option<PathBuf> {
        crate::runtime_dir().map(|d| d.join(format!("browser-{family}.json")))
    }

    fn family(c: &Caller) -> &'static str {
        match c {
            Caller::Chromium => "chromium",
            Caller::Firefox => "firefox",
        }
    }

    /// The last ping from `family` ("chromium" or "firefox"), if any.
    pub fn last(family: &str) -> Option<Seen> {
        let text = std::fs::read_to_string(file(family)?).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub(super) fn record(c: &Caller, version: &str) {
        let Some(path) = file(family(c)) else { return };
        let Some(dir) = path.parent() else { return };
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            let _ = std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir);
            if crate::check_socket_dir(dir).is_err() {
                return;
            }
        }
        #[cfg(not(unix))]
        let _ = std::fs::create_dir_all(dir);
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let browser = parent_program();
        let seen = Seen {
            extension_version: version.chars().take(40).collect(),
            browser,
            at,
        };
        if let Ok(text) = serde_json::to_string(&seen) {
            let tmp = path.with_extension("json.tmp");
            if std::fs::write(&tmp, text).is_ok() {
                let _ = std::fs::rename(&tmp, &path);
            }
        }
    }

    #[cfg(target_os = "linux")]
    fn parent_program() -> Option<String> {
        let ppid = std::os::unix::process::parent_id();
        let exe = std::fs::read_link(format!("/proc/{ppid}/exe")).ok()?;
        Some(exe.display().to_string())
    }

    #[cfg(not(target_os = "linux"))]
    fn parent_program() -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(v: &serde_json::Value) -> Vec<u8> {
        let body = serde_json::to_vec(v).unwrap();
        let mut out = (body.len() as u32).to_ne_bytes().to_vec();
        out.extend(body);
        out
    }

    fn answer(out: &[u8]) -> serde_json::Value {
        let mut r = out;
        serde_json::from_slice(&read_message(&mut r, 1 << 20).unwrap()).unwrap()
    }

    #[test]
    fn knows_the_dockpass_extension_in_each_browser_and_no_other() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            caller(&args(&["host", &chromium_origin()])),
            Ok(Caller::Chromium)
        );
        assert_eq!(
            caller(&args(&["host", &chromium_origin(), "--parent-window=7"])),
            Ok(Caller::Chromium)
        );
        assert_eq!(
            caller(&args(&[
                "host",
                "/x/dev.dockpass.browser.json",
                FIREFOX_EXTENSION_ID
            ])),
            Ok(Caller::Firefox)
        );
        let e = caller(&args(&[
            "host",
            "chrome-extension://abcdefghijklmnopabcdefghijklmnop/",
        ]))
        .unwrap_err();
        assert!(e.contains("abcdefghijklmnop") && e.contains("only the Dockpass extension"));
        assert!(caller(&args(&["host", "/m.json", "evil@example.com"])).is_err());
        assert!(caller(&args(&["host"])).is_err());
    }

    #[test]
    fn another_extension_is_refused_with_one_line() {
        let mut out = Vec::new();
        let input = framed(&serde_json::json!({"type": "ping"}));
        let code = serve(
            &[
                "h".into(),
                "chrome-extension://abcdefghijklmnopabcdefghijklmnop/".into(),
            ],
            &mut input.as_slice(),
            &mut out,
        );
        assert_eq!(code, 1);
        let a = answer(&out);
        assert_eq!(a["kind"], "refused");
        assert!(!a["message"].as_str().unwrap().contains('\n'));
    }

    #[test]
    fn oversized_or_broken_messages_are_refused() {
        let mut out = Vec::new();
        let huge = ((MAX_HANDOVER + 8192) as u32).to_ne_bytes();
        assert_eq!(
            serve(&["h".into(), chromium_origin()], &mut &huge[..], &mut out),
            1
        );
        assert!(answer(&out)["message"].as_str().unwrap().contains("bytes"));
        let mut out = Vec::new();
        let input = framed(&serde_json::json!({"type": "format_disk"}));
        assert_eq!(
            serve(
                &["h".into(), chromium_origin()],
                &mut input.as_slice(),
                &mut out
            ),
            1
        );
        assert_eq!(answer(&out)["kind"], "refused");
    }

    #[test]
    fn a_message_round_trips_through_the_framing() {
        let mut buf = Vec::new();
        write_message(&mut buf, b"{\"a\":1}").unwrap();
        assert_eq!(
            read_message(&mut buf.as_slice(), 100).unwrap(),
            b"{\"a\":1}"
        );
        assert!(read_message(&mut &buf[..5], 100).is_err());
    }
}
