//! IPC commands for the local UI: each a few lines over dockpass-core.

use dockpass_core::session::{self, Context, Status};
use dockpass_core::Error;

/// The session status of a profile (default: the first).
#[tauri::command]
pub fn status(profile: Option<String>) -> Result<Status, Error> {
    let ctx = Context::load()?;
    let p = ctx.profile(profile.as_deref())?;
    session::status(&ctx, p)
}
