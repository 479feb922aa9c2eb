//! `dockpass credential-helper get|list|erase` (hidden): the keychain half of
//! `docker-credential-dockpass`, which hands requests here when no app or daemon answers on
//! its socket. Speaks the docker credential helper protocol: answers and errors on stdout,
//! errors exit 1.

use dockpass_core::session::helper::{self, MISSING_URL, NOT_FOUND};
use dockpass_core::{aws::Aws, err, session::Context, Code, Error};
use std::io::Read;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// get, list or erase
    verb: String,
}

const MAX_INPUT: u64 = 64 * 1024;

pub fn run(args: Args) -> ExitCode {
    let mut input = String::new();
    let _ = std::io::stdin().take(MAX_INPUT).read_to_string(&mut input);
    let out = match args.verb.as_str() {
        "get" => get(input.trim()),
        "list" => list(),
        "erase" => erase(input.trim()),
        other => Err(err(Code::Usage, format!("unknown verb {other:?}"))),
    };
    match out {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("{}", e.message);
            ExitCode::FAILURE
        }
    }
}

fn not_found() -> Error {
    err(Code::NotLoggedIn, NOT_FOUND)
}

/// The state and keychain decide which hosts are Dockpass's, not the config: without a config
/// file (or with a broken one) every host is simply not found, as docker expects of a helper
/// that does not know it, and a pull of someone else's image goes on.
fn context() -> Result<Context, Error> {
    Context::load_lenient().map(|(ctx, _)| ctx)
}

fn get(server_url: &str) -> Result<String, Error> {
    if helper::host_of(server_url).is_empty() {
        return Err(err(Code::Usage, MISSING_URL));
    }
    let ctx = context()?;
    let login = super::block_on(helper::get(
        &ctx,
        async |p| Aws::new(&p.region, p.sts_endpoint.as_deref()).await,
        server_url,
    ))??
    .ok_or_else(not_found)?;
    Ok(serde_json::json!({
        "ServerURL": server_url,
        "Username": login.username,
        "Secret": login.secret.expose(),
    })
    .to_string())
}

fn list() -> Result<String, Error> {
    let ctx = context()?;
    let map: serde_json::Map<String, serde_json::Value> = helper::list(&ctx)?
        .into_iter()
        .map(|(h, u)| (h, serde_json::Value::String(u)))
        .collect();
    Ok(serde_json::Value::Object(map).to_string())
}

/// Dockpass owns these credentials and publishes them again while the session lives, so
/// erase forgets nothing; it succeeds for hosts Dockpass serves (`docker logout` works) and
/// says "not found" for others, as every helper does.
fn erase(server_url: &str) -> Result<String, Error> {
    let host = helper::host_of(server_url);
    if host.is_empty() {
        return Err(err(Code::Usage, MISSING_URL));
    }
    let ctx = context()?;
    if helper::is_ours(&ctx, &host)? {
        Ok(String::new())
    } else {
        Err(not_found())
    }
}
