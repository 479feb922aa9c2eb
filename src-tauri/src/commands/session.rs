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

/// Cancels the profile's sign-in under way: the one waiting in the browser, else its login
/// window (closing it cancels).
#[tauri::command]
pub fn cancel_login(app: AppHandle, ctl: Ctl<'_>, profile: String) {
    if !ctl.cancel_browser_sign_in(&profile) {
        crate::login::cancel(&app, &profile);
    }
}

#[tauri::command]
pub fn logout(ctl: Ctl<'_>, profile: String) -> Result<(), Error> {
    ctl.logout(&profile)
}
