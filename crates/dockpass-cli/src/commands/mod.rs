//! One file per command.

pub mod autostart;
pub mod browser;
pub mod completions;
pub mod console;
pub mod credential_helper;
pub mod credentials;
pub mod daemon;
pub mod doctor;
pub mod env;
pub mod exec;
pub mod login;
pub mod logout;
pub mod man;
pub mod refresh;
pub mod repos;
pub mod roles;
pub mod saml;
pub mod status;
pub mod ui_check;

use dockpass_core::Result;

/// A single-threaded runtime: the CLI does a handful of concurrent requests at most.
pub fn block_on<F: std::future::Future>(f: F) -> Result<F::Output> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map(|rt| rt.block_on(f))
        .map_err(|e| {
            dockpass_core::err(
                dockpass_core::Code::Internal,
                format!("cannot start the async runtime: {e}"),
            )
        })
}

/// Reads a SAML response from FILE or `-` (stdin), capped at the parser's size limit.
pub fn read_input(path: &str) -> Result<Vec<u8>> {
    use dockpass_core::{err, saml::MAX_INPUT_BYTES, Code};
    use std::io::Read;
    let limit = MAX_INPUT_BYTES as u64 + 1;
    let mut buf = Vec::new();
    let res = if path == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut buf))
    };
    res.map_err(|e| {
        err(
            Code::Usage,
            format!(
                "cannot read {}: {}",
                if path == "-" { "standard input" } else { path },
                dockpass_core::error::describe_io(&e)
            ),
        )
    })?;
    Ok(buf)
}
