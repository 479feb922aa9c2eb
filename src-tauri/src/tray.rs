//! The tray icon and its menu.

use dockpass_core::session::{self, Context, SessionState};
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::AppHandle;

fn icon_for(state: SessionState) -> tauri::Result<Image<'static>> {
    let bytes: &[u8] = match state {
        SessionState::Active => include_bytes!("../../icons/tray-active.png"),
        SessionState::Expiring => include_bytes!("../../icons/tray-expiring.png"),
        SessionState::Error | SessionState::Expired => include_bytes!("../../icons/tray-error.png"),
        SessionState::LoggedOut => include_bytes!("../../icons/tray-logged-out.png"),
    };
    Image::from_bytes(bytes)
}

/// One line for the menu and tooltip: "Developer @ 123456789012" or why not.
fn status_line() -> (SessionState, String) {
    let st = Context::load().and_then(|ctx| {
        let p = ctx.profile(None)?.clone();
        session::status(&ctx, &p)
    });
    match st {
        Ok(s) => {
            let who = match (&s.role_arn, &s.account) {
                (Some(r), Some(a)) => format!("{} @ {a}", r.rsplit('/').next().unwrap_or(r)),
                _ => "Not signed in".to_string(),
            };
            (s.state, who)
        }
        Err(e) => (SessionState::Error, e.message),
    }
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let (state, line) = status_line();
    let status = MenuItem::with_id(app, "status", &line, false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open Dockpass", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let sep = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&status, &sep, &open, &quit])?;
    TrayIconBuilder::with_id("dockpass")
        .icon(icon_for(state)?)
        .tooltip(format!("Dockpass: {line}"))
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => {
                if let Err(e) = crate::window::show_main(app) {
                    tracing::warn!("cannot open the main window: {e}");
                }
            }
            "quit" => app.exit(0),
            _ => {}
        })
        .build(app)?;
    Ok(())
}
