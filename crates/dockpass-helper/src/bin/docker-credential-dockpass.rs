//! `docker-credential-dockpass`: the docker credential helper protocol over Dockpass's live
//! session (get, list, erase, store, version). Answers and errors go to stdout; errors exit 1.
//!
//! `get` asks the running app or `dockpass daemon` over the user's socket: no config, no
//! keychain, no AWS, about a millisecond. Without one (and for `list` and `erase`) it hands
//! the request to `dockpass credential-helper VERB`, which reads the state and the keychain.
#![forbid(unsafe_code)]

use dockpass_helper::{ask, host_of, Answer, Request, MISSING_URL, NOT_FOUND};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

/// docker sends a server URL or a small JSON document; anything bigger is not docker.
const MAX_INPUT: u64 = 64 * 1024;

fn main() -> ExitCode {
    let verb = std::env::args().nth(1).unwrap_or_default();
    match verb.as_str() {
        "version" => say(&format!(
            "docker-credential-dockpass {}",
            env!("CARGO_PKG_VERSION")
        )),
        "get" => get(&read_stdin()),
        "list" | "erase" => delegate(&verb, &read_stdin()),
        "store" => {
            let _ = read_stdin();
            fail("docker-credential-dockpass does not store credentials: Dockpass fetches them from ECR")
        }
        _ => fail("usage: docker-credential-dockpass get|store|erase|list|version"),
    }
}

fn say(text: &str) -> ExitCode {
    println!("{text}");
    ExitCode::SUCCESS
}

fn fail(text: &str) -> ExitCode {
    println!("{text}");
    ExitCode::FAILURE
}

fn read_stdin() -> String {
    let mut s = String::new();
    let _ = std::io::stdin().take(MAX_INPUT).read_to_string(&mut s);
    s
}

fn get(input: &str) -> ExitCode {
    let server_url = input.trim();
    if host_of(server_url).is_empty() {
        return fail(MISSING_URL);
    }
    let request = Request::Get {
        server_url: server_url.to_string(),
    };
    match ask(&request) {
        Some(Ok(Answer::Login { username, secret })) => say(&serde_json::json!({
            "ServerURL": server_url,
            "Username": username,
            "Secret": secret,
        })
        .to_string()),
        Some(Ok(Answer::NotFound)) => fail(NOT_FOUND),
        Some(Ok(Answer::Error(e))) => fail(&e.message),
        // Nobody listens, or the exchange broke: the keychain path.
        Some(Ok(Answer::Credentials(_))) | Some(Err(_)) | None => delegate("get", input),
    }
}

/// `dockpass` beside this binary (how Dockpass is installed), else on PATH.
fn dockpass() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("dockpass")))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("dockpass"))
}

fn delegate(verb: &str, input: &str) -> ExitCode {
    let bin = dockpass();
    let child = Command::new(&bin)
        .args(["credential-helper", verb])
        .stdin(Stdio::piped())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return fail(&format!(
                "cannot run {} ({e}); install dockpass next to docker-credential-dockpass",
                bin.display()
            ))
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.as_bytes());
    }
    match child.wait() {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => fail(&format!("dockpass credential-helper failed: {e}")),
    }
}
