use super::Ctl;
use dockpass_core::aws::repos::{Image, RepositoryList};
use dockpass_core::Error;

/// The repository browser's list (cached for the session; `refresh` fetches again).
#[tauri::command]
pub async fn list_repositories(
    ctl: Ctl<'_>,
    profile: String,
    refresh: bool,
) -> Result<RepositoryList, Error> {
    ctl.repositories(&profile, refresh).await
}

/// The images of one repository, on demand.
#[tauri::command]
pub async fn list_images(
    ctl: Ctl<'_>,
    profile: String,
    registry: String,
    name: String,
) -> Result<Vec<Image>, Error> {
    ctl.images(&profile, &registry, &name).await
}
