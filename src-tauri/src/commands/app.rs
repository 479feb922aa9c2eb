//! The app itself: quit, and show the log folder.

use dockpass_core::Error;

#[tauri::command]
pub fn quit_app(app: tauri::AppHandle) {
    crate::app::quit(&app);
}

#[tauri::command]
pub fn open_logs() -> Result<(), Error> {
    crate::app::open_logs()
}
