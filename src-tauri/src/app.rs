//! App-wide actions shared by the tray and the UI: quitting for real, the log folder, start
//! at login.

use dockpass_core::app::controller::Controller;
use dockpass_core::platform::autostart::{app_beside, Autostart};
use dockpass_core::Error;
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Manager};

/// Quits: notifications whose "Log in" button nobody would answer are closed, the helper
/// socket goes (helpers fall back to the keychain at once), then the event loop ends. Should
/// anything hang (a webview process), the process still ends within 3 s.
pub fn quit(app: &AppHandle) {
    tracing::info!("quit");
    let ctl = app.state::<Arc<Controller>>().inner().clone();
    crate::keeper::close_notices(app, &ctl);
    #[cfg(unix)]
    dockpass_core::app::helper_server::release();
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(3));
        std::process::exit(0);
    });
    app.exit(0);
}

pub fn open_logs() -> Result<(), Error> {
    dockpass_core::platform::desktop::open_folder(&dockpass_core::base::paths::log_dir()?)
}

/// Turns start at login on (this very binary, straight to the tray) or off; the new state.
pub fn set_autostart(on: bool) -> Result<bool, Error> {
    let me = std::env::current_exe().map_err(|e| {
        dockpass_core::err(
            dockpass_core::Code::Io,
            format!("cannot find the app's path: {e}"),
        )
    })?;
    Autostart::standard()?.set(on, &app_beside(&me))
}
