//! The first-run setup: registry proposals from the first sign-in, start at login, and the
//! browser sign-in's extension and host.

use super::Ctl;
use dockpass_core::app::controller::ConfigView;
use dockpass_core::app::setup::{NewRegistry, RegistryProposal};
use dockpass_core::app::wire::BrowserReadiness;
use dockpass_core::platform::autostart::Autostart;
use dockpass_core::platform::browsers;
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

/// The browser sign-in's state: the extension's folder, the browsers that reach the host,
/// the extension's last answer. Runs the host once, so off the main thread.
#[tauri::command]
pub async fn browser_readiness() -> BrowserReadiness {
    tauri::async_runtime::spawn_blocking(browsers::readiness)
        .await
        .unwrap_or_else(|_| browsers::readiness())
}

/// Writes the host manifests for the browsers found here, then says where things stand.
#[tauri::command]
pub async fn browser_install() -> Result<BrowserReadiness, Error> {
    tauri::async_runtime::spawn_blocking(|| {
        browsers::install(false)?;
        Ok(browsers::readiness())
    })
    .await
    .map_err(|e| dockpass_core::err(dockpass_core::Code::Internal, e.to_string()))?
}
