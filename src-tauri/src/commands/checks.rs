//! The settings editor's and the setup's checks: the rules live in the core, the UI asks.

use super::Ctl;
use dockpass_core::app::setup::{NewRegistry, RegistryHost};
use dockpass_core::config::check::ProfileCheck;
use dockpass_core::idp::link::LinkCheck;

#[tauri::command]
pub fn check_profile(
    ctl: Ctl<'_>,
    profile: serde_json::Value,
    original: Option<String>,
) -> ProfileCheck {
    ctl.check_profile(&profile, original.as_deref())
}

#[tauri::command]
pub fn check_link(url: String) -> LinkCheck {
    dockpass_core::idp::link::check_link(&url)
}

#[tauri::command]
pub fn registry_hosts(registries: Vec<NewRegistry>) -> Vec<RegistryHost> {
    dockpass_core::app::setup::hosts(&registries)
}
