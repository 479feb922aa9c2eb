//! What every login window does with its page, in the app or in its own process
//! (login_host.rs): its size, the page it shows (what a hand-over is checked against), and the
//! line that says why a sign-in was refused.

use dockpass_core::idp::capture;

/// The login window's size.
pub const WIDTH: f64 = 520.0;
pub const HEIGHT: f64 = 720.0;

/// The page a login window shows (what a hand-over is checked against).
pub fn page_of(window: Option<&tauri::WebviewWindow>) -> Option<String> {
    window.and_then(|w| w.url().ok()).map(|u| u.to_string())
}

/// Says in the login window's page why a sign-in was refused (the log has it too). The script
/// runs once the navigation handler has returned (through the event loop): evaluated while
/// WebKit still waits for the handler's decision, it was sometimes lost.
/// Runs `js` in the login window's page (the offer to continue in the browser).
pub fn run_script(window: Option<&tauri::WebviewWindow>, js: String) {
    if let Some(w) = window {
        let w = w.clone();
        tauri::async_runtime::spawn(async move {
            if let Err(e) = w.eval(js) {
                tracing::debug!("cannot run a script in the login window: {e}");
            }
        });
    }
}

pub fn explain(window: Option<&tauri::WebviewWindow>, why: Option<&str>) {
    if let (Some(w), Some(why)) = (window, why) {
        let (w, js) = (w.clone(), capture::banner_script(why));
        tauri::async_runtime::spawn(async move {
            if let Err(e) = w.eval(js) {
                tracing::debug!("cannot show the refusal in the login window: {e}");
            }
        });
    }
}
