//! `docker-credential-dockpass`: the docker credential helper protocol over Dockpass's
//! live session (get, list, erase, store, version).
#![forbid(unsafe_code)]

use dockpass_core::{helper, session::Context};
use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let verb = std::env::args().nth(1).unwrap_or_default();
    match verb.as_str() {
        "version" => {
            println!("docker-credential-dockpass {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        "get" => answer(|ctx, input| match helper::get(ctx, input)? {
            Some((user, secret)) => Ok(Some(
                serde_json::json!({
                    "ServerURL": input.trim(),
                    "Username": user,
                    "Secret": secret.expose(),
                })
                .to_string(),
            )),
            None => Ok(None),
        }),
        "list" => answer(|ctx, _| {
            let map: serde_json::Map<String, serde_json::Value> = helper::list(ctx)?
                .into_iter()
                .map(|(h, u)| (h, serde_json::Value::String(u)))
                .collect();
            Ok(Some(serde_json::Value::Object(map).to_string()))
        }),
        // Dockpass owns these credentials: docker logout may forget them without harm.
        "erase" => {
            let _ = read_stdin();
            ExitCode::SUCCESS
        }
        "store" => {
            let _ = read_stdin();
            println!("docker-credential-dockpass does not store credentials: Dockpass fetches them from ECR");
            ExitCode::FAILURE
        }
        _ => {
            println!("usage: docker-credential-dockpass get|store|erase|list|version");
            ExitCode::FAILURE
        }
    }
}

fn read_stdin() -> String {
    let mut s = String::new();
    let _ = std::io::stdin().take(64 * 1024).read_to_string(&mut s);
    s
}

/// Runs a verb; per the protocol, errors go to stdout with exit 1.
fn answer(f: impl FnOnce(&Context, &str) -> dockpass_core::Result<Option<String>>) -> ExitCode {
    let input = read_stdin();
    let out = Context::load().and_then(|ctx| f(&ctx, &input));
    match out {
        Ok(Some(text)) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Ok(None) => {
            println!("{}", helper::NOT_FOUND);
            ExitCode::FAILURE
        }
        Err(e) => {
            println!("{}", e.message);
            ExitCode::FAILURE
        }
    }
}
