use super::Ctl;
use dockpass_core::app::controller::Overview;
use dockpass_core::Error;
use tauri::AppHandle;

#[tauri::command]
pub fn overview(ctl: Ctl<'_>) -> Result<Overview, Error> {
    ctl.overview()
}

#[tauri::command]
pub fn select_profile(app: AppHandle, ctl: Ctl<'_>, profile: String) -> Result<(), Error> {
    ctl.select_profile(&profile)?;
    crate::tray::refresh(&app);
    Ok(())
}

/// Opens the login window for `profile`.
#[tauri::command]
pub fn login(app: AppHandle, profile: String) {
    crate::login::start(&app, Some(&profile), None);
}

#[tauri::command]
pub fn logout(ctl: Ctl<'_>, profile: String) -> Result<(), Error> {
    ctl.logout(&profile)
}
