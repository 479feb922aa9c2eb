//! `docker-credential-dockpass`: the docker credential helper protocol over Dockpass's
//! live session (get, list, erase, store, version). Per the protocol, answers and errors go
//! to stdout; errors exit 1.
//!
//! `get` asks the running app or daemon over the user's socket first (no config parsing,
//! no keychain, no AWS: milliseconds), and only without one reads the keychain itself.
#![forbid(unsafe_code)]

use dockpass_core::helper::socket::{self, Answer, Request};
use dockpass_core::helper::{self, Login};
use dockpass_core::{aws::Aws, session::Context, Error};
use std::io::Read;
use std::process::ExitCode;

/// docker sends a server URL or a small JSON document; anything bigger is not docker.
const MAX_INPUT: u64 = 64 * 1024;

enum Out {
    Text(String),
    Fail(String),
}

fn main() -> ExitCode {
    let verb = std::env::args().nth(1).unwrap_or_default();
    let out = match verb.as_str() {
        "version" => Out::Text(format!(
            "docker-credential-dockpass {}",
            env!("CARGO_PKG_VERSION")
        )),
        "get" => get(read_stdin().trim()),
        "list" => list(),
        "erase" => erase(read_stdin().trim()),
        "store" => {
            let _ = read_stdin();
            Out::Fail(
                "docker-credential-dockpass does not store credentials: Dockpass fetches them from ECR"
                    .into(),
            )
        }
        _ => Out::Fail("usage: docker-credential-dockpass get|store|erase|list|version".into()),
    };
    match out {
        Out::Text(t) => {
            println!("{t}");
            ExitCode::SUCCESS
        }
        Out::Fail(t) => {
            println!("{t}");
            ExitCode::FAILURE
        }
    }
}

fn read_stdin() -> String {
    let mut s = String::new();
    let _ = std::io::stdin().take(MAX_INPUT).read_to_string(&mut s);
    s
}

fn found(server_url: &str, username: &str, secret: &str) -> Out {
    Out::Text(
        serde_json::json!({
            "ServerURL": server_url,
            "Username": username,
            "Secret": secret,
        })
        .to_string(),
    )
}

fn get(server_url: &str) -> Out {
    if helper::host_of(server_url).is_empty() {
        return Out::Fail(helper::MISSING_URL.into());
    }
    let request = Request::Get {
        server_url: server_url.to_string(),
    };
    match socket::ask(&request) {
        Some(Ok(Answer::Login { username, secret })) => {
            return found(server_url, &username, &secret)
        }
        Some(Ok(Answer::NotFound)) => return Out::Fail(helper::NOT_FOUND.into()),
        Some(Ok(Answer::Error(e))) => return Out::Fail(e.message),
        // An odd answer or a broken socket: answer from the keychain instead.
        Some(Ok(Answer::Credentials(_))) | Some(Err(_)) | None => {}
    }
    let run = || -> Result<Option<Login>, Error> {
        let ctx = Context::load()?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                dockpass_core::err(dockpass_core::Code::Internal, format!("no runtime: {e}"))
            })?;
        rt.block_on(helper::get(
            &ctx,
            async |p| Aws::new(&p.region, p.sts_endpoint.as_deref()).await,
            server_url,
        ))
    };
    match run() {
        Ok(Some(l)) => found(server_url, &l.username, l.secret.expose()),
        Ok(None) => Out::Fail(helper::NOT_FOUND.into()),
        Err(e) => Out::Fail(e.message),
    }
}

fn list() -> Out {
    match Context::load().and_then(|ctx| helper::list(&ctx)) {
        Ok(entries) => {
            let map: serde_json::Map<String, serde_json::Value> = entries
                .into_iter()
                .map(|(h, u)| (h, serde_json::Value::String(u)))
                .collect();
            Out::Text(serde_json::Value::Object(map).to_string())
        }
        Err(e) => Out::Fail(e.message),
    }
}

/// Dockpass owns these credentials and publishes them again while the session lives, so
/// erase forgets nothing; it succeeds for hosts Dockpass serves (`docker logout` works)
/// and says "not found" for others, as every helper does.
fn erase(server_url: &str) -> Out {
    let host = helper::host_of(server_url);
    if host.is_empty() {
        return Out::Fail(helper::MISSING_URL.into());
    }
    match Context::load().and_then(|ctx| helper::is_ours(&ctx, &host)) {
        Ok(true) => Out::Text(String::new()),
        Ok(false) => Out::Fail(helper::NOT_FOUND.into()),
        Err(e) => Out::Fail(e.message),
    }
}
