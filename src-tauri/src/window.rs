//! The main window: created on demand, focused when it exists.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

pub const MAIN: &str = "main";

pub fn show_main(app: &AppHandle) {
    if let Err(e) = try_show_main(app) {
        tracing::warn!("cannot open the main window: {e}");
    }
}

fn try_show_main(app: &AppHandle) -> tauri::Result<()> {
    if let Some(w) = app.get_webview_window(MAIN) {
        w.show()?;
        w.unminimize()?;
        w.set_focus()?;
        return Ok(());
    }
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("Dockpass")
        .inner_size(880.0, 600.0)
        .min_inner_size(640.0, 420.0)
        .build()?;
    Ok(())
}
