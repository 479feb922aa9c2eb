use super::Ctl;
use dockpass_core::Error;
use tauri::AppHandle;

/// Completes a pending sign-in or switches role; signs in first when needed.
#[tauri::command]
pub async fn pick_role(
    app: AppHandle,
    ctl: Ctl<'_>,
    profile: String,
    role_arn: String,
) -> Result<(), Error> {
    let next = ctl.pick_role(&profile, &role_arn).await?;
    crate::login::follow(&app, &profile, next);
    Ok(())
}

#[tauri::command]
pub fn cancel_pick(ctl: Ctl<'_>, profile: String) {
    ctl.cancel_pick(&profile);
}

/// Shows the picker for switching role (or signs in when no roles are known yet).
#[tauri::command]
pub fn switch_role(app: AppHandle, ctl: Ctl<'_>, profile: String) -> Result<(), Error> {
    let next = ctl.show_switch_picker(&profile)?;
    crate::login::follow(&app, &profile, next);
    Ok(())
}
