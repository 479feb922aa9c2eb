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

/// The user trusts the new issuer or account of the sign-in that waits: sign in with it.
#[tauri::command]
pub async fn confirm_trust(app: AppHandle, ctl: Ctl<'_>, profile: String) -> Result<(), Error> {
    let next = ctl.confirm_trust(&profile).await?;
    crate::login::follow(&app, &profile, next);
    Ok(())
}

/// The user does not trust it: nothing is used.
#[tauri::command]
pub fn reject_trust(ctl: Ctl<'_>, profile: String) {
    ctl.reject_trust(&profile);
}
