use super::Ctl;
use dockpass_core::app::controller::ConfigView;
use dockpass_core::config::Profile;
use dockpass_core::Error;

#[tauri::command]
pub fn config_get(ctl: Ctl<'_>) -> ConfigView {
    ctl.config_get()
}

#[tauri::command]
pub fn config_save(ctl: Ctl<'_>, profiles: Vec<Profile>) -> Result<ConfigView, Error> {
    ctl.config_save(profiles)
}
