//! The first-run setup: registry proposals from the first sign-in, and start at login.

use super::Ctl;
use dockpass_core::app::controller::ConfigView;
use dockpass_core::app::setup::{NewRegistry, RegistryProposal};
use dockpass_core::platform::autostart::Autostart;
use dockpass_core::Error;

#[tauri::command]
pub fn propose_registries(ctl: Ctl<'_>, profile: String) -> Result<Vec<RegistryProposal>, Error> {
    ctl.propose_registries(&profile)
}

#[tauri::command]
pub async fn add_registries(
    ctl: Ctl<'_>,
    profile: String,
    registries: Vec<NewRegistry>,
) -> Result<ConfigView, Error> {
    ctl.add_registries(&profile, registries).await
}

#[tauri::command]
pub fn autostart_get() -> Result<bool, Error> {
    Ok(Autostart::standard()?.enabled())
}

#[tauri::command]
pub fn autostart_set(enabled: bool) -> Result<bool, Error> {
    crate::app::set_autostart(enabled)
}
