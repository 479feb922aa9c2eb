//! `dockpass ui-check` (hidden): answers the UI's check commands from JSON on standard input
//! (`{"cmd": "check_profile", "args": {...}}`) with the JSON the app would return, so the web
//! UI's component tests run the real rules (dockpass_core::app::checks) rather than a copy.

use dockpass_core::{err, Code, Result};
use std::io::Read;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> Result<()> {
    let mut text = String::new();
    std::io::stdin()
        .lock()
        .take(1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| err(Code::Usage, format!("cannot read standard input: {e}")))?;
    let req: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| err(Code::Usage, format!("standard input is not JSON: {e}")))?;
    let cmd = req.get("cmd").and_then(|c| c.as_str()).unwrap_or_default();
    let out = dockpass_core::app::checks::answer(
        cmd,
        req.get("args").unwrap_or(&serde_json::Value::Null),
    )?;
    crate::output::write_stdout(format!("{out}\n").as_bytes())
}
