//! The tray icon and its menu (docs/ARCHITECTURE.md and README: status line, Log in…, Switch role, Open Dockpass,
//! Profiles, Quit). Rebuilt from the controller whenever the session or config changes.

use dockpass_core::app::controller::Controller;
use dockpass_core::session::{accounts, SessionState, Status};
use std::sync::Arc;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};

const TRAY_ID: &str = "dockpass";

fn icon_for(state: SessionState) -> tauri::Result<Image<'static>> {
    let bytes: &[u8] = match state {
        SessionState::Active => include_bytes!("../../icons/tray-active.png"),
        SessionState::Expiring => include_bytes!("../../icons/tray-expiring.png"),
        SessionState::Error | SessionState::Expired => {
            include_bytes!("../../icons/tray-error.png")
        }
        SessionState::LoggedOut => include_bytes!("../../icons/tray-logged-out.png"),
    };
    Image::from_bytes(bytes)
}

/// "Developer @ 123456789012 · 52m left" (the account's name when it has one), or what is wrong.
fn status_line(status: &Result<Status, dockpass_core::Error>, now: time::OffsetDateTime) -> String {
    match status {
        Ok(s) => match (&s.role_arn, &s.account, s.expires_at) {
            (Some(r), Some(a), Some(exp)) => {
                let name = r.rsplit('/').next().unwrap_or(r);
                let a = s.account_name.as_deref().unwrap_or(a);
                let left = exp - now;
                if left.is_positive() {
                    let d = std::time::Duration::from_secs(left.whole_seconds() as u64);
                    format!(
                        "{name} @ {a} · {} left",
                        dockpass_core::base::duration::format(d)
                    )
                } else {
                    format!("{name} @ {a} · expired")
                }
            }
            _ => "Not signed in".to_string(),
        },
        Err(e) => e.message.clone(),
    }
}

fn build_menu(
    app: &AppHandle,
    ctl: &Controller,
) -> tauri::Result<(Menu<tauri::Wry>, SessionState, String)> {
    let status = ctl.status(None);
    let now = ctl.context().clock.now();
    let line = status_line(&status, now);
    let state = status
        .as_ref()
        .map(|s| s.state)
        .unwrap_or(SessionState::Error);
    let menu = Menu::new(app)?;
    menu.append(&MenuItem::with_id(
        app,
        "status",
        &line,
        false,
        None::<&str>,
    )?)?;
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(
        app,
        "login",
        "Log in…",
        true,
        None::<&str>,
    )?)?;
    if let Some(profile) = ctl.selected() {
        let items = ctl.role_items(&profile).unwrap_or_default();
        if !items.is_empty() {
            let sub = Submenu::with_id(app, "switch", "Switch role", true)?;
            for i in &items {
                let r = &i.role;
                // The other roles the sign-in gave (a profile's `roles`) are in use too.
                let checked = i.current || i.also_signed_in;
                let item = CheckMenuItem::with_id(
                    app,
                    format!("role:{}", r.role_arn),
                    format!(
                        "{} @ {}",
                        r.name,
                        accounts::label(&r.account, i.account_name.as_deref())
                    ),
                    true,
                    checked,
                    None::<&str>,
                )?;
                sub.append(&item)?;
            }
            menu.append(&sub)?;
        }
    }
    let live = matches!(state, SessionState::Active | SessionState::Expiring);
    menu.append(&MenuItem::with_id(
        app,
        "console",
        "Open AWS console",
        live,
        None::<&str>,
    )?)?;
    menu.append(&MenuItem::with_id(
        app,
        "open",
        "Open Dockpass",
        true,
        None::<&str>,
    )?)?;
    let profiles = ctl.context().config.profiles.clone();
    if profiles.len() > 1 {
        let selected = ctl.selected();
        let sub = Submenu::with_id(app, "profiles", "Profiles", true)?;
        for p in &profiles {
            sub.append(&CheckMenuItem::with_id(
                app,
                format!("profile:{}", p.name),
                &p.name,
                true,
                selected.as_deref() == Some(p.name.as_str()),
                None::<&str>,
            )?)?;
        }
        menu.append(&sub)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    let autostart = dockpass_core::platform::autostart::Autostart::standard()
        .map(|a| a.enabled())
        .unwrap_or(false);
    menu.append(&CheckMenuItem::with_id(
        app,
        "autostart",
        "Start at login",
        true,
        autostart,
        None::<&str>,
    )?)?;
    menu.append(&MenuItem::with_id(
        app,
        "logs",
        "Open logs",
        true,
        None::<&str>,
    )?)?;
    menu.append(&MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?)?;
    Ok((menu, state, line))
}

fn controller(app: &AppHandle) -> Arc<Controller> {
    app.state::<Arc<Controller>>().inner().clone()
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let ctl = controller(app);
    let (menu, state, line) = build_menu(app, &ctl)?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon_for(state)?)
        .tooltip(format!("Dockpass: {line}"))
        .menu(&menu)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .build(app)?;
    Ok(())
}

/// Rebuilds menu, icon and tooltip from the current state.
pub fn refresh(app: &AppHandle) {
    let app2 = app.clone();
    // Menus must be touched on the main thread.
    let _ = app.run_on_main_thread(move || {
        let ctl = controller(&app2);
        let Some(tray) = app2.tray_by_id(TRAY_ID) else {
            return;
        };
        match build_menu(&app2, &ctl) {
            Ok((menu, state, line)) => {
                let _ = tray.set_menu(Some(menu));
                if let Ok(icon) = icon_for(state) {
                    let _ = tray.set_icon(Some(icon));
                }
                let _ = tray.set_tooltip(Some(format!("Dockpass: {line}")));
            }
            Err(e) => tracing::warn!("cannot rebuild the tray menu: {e}"),
        }
    });
}

/// Wakes the minute ticker when a session starts or ends.
static SESSION_CHANGED: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// While signed in, the status line counts down and the state moves from active to expiring
/// to expired with time alone: refresh once a minute then. Signed out, nothing ticks until a
/// session starts.
pub fn keep_fresh(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let signed_in = controller(&app)
                .status(None)
                .is_ok_and(|s| s.role_arn.is_some());
            if signed_in {
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => refresh(&app),
                    _ = SESSION_CHANGED.notified() => {}
                }
            } else {
                SESSION_CHANGED.notified().await;
            }
        }
    });
}

/// A session started or ended: the ticker re-decides whether to tick.
pub fn session_changed() {
    SESSION_CHANGED.notify_one();
}

fn on_menu(app: &AppHandle, id: &str) {
    let ctl = controller(app);
    match id {
        "login" => crate::login::start(app, None, None),
        "open" => crate::window::show_main(app),
        "console" => {
            if let Some(profile) = ctl.selected() {
                // The outcome (or why not) goes to the activity list; the link never does.
                tauri::async_runtime::spawn(async move {
                    let _ = ctl.open_console(&profile).await;
                });
            }
        }
        "refresh" => {
            if let Some(profile) = ctl.selected() {
                tauri::async_runtime::spawn(async move { ctl.refresh_now(&profile).await });
            }
        }
        "quit" => crate::app::quit(app),
        "logs" => {
            if let Err(e) = crate::app::open_logs() {
                tracing::warn!("{}", e.message);
            }
        }
        "autostart" => {
            let on = !dockpass_core::platform::autostart::Autostart::standard()
                .map(|a| a.enabled())
                .unwrap_or(false);
            if let Err(e) = crate::app::set_autostart(on) {
                tracing::warn!("start at login: {}", e.message);
            }
            refresh(app);
        }
        _ => {
            if let Some(arn) = id.strip_prefix("role:") {
                let Some(profile) = ctl.selected() else {
                    return;
                };
                let (app, arn) = (app.clone(), arn.to_string());
                tauri::async_runtime::spawn(async move {
                    match ctl.pick_role(&profile, &arn).await {
                        Ok(next) => crate::login::follow(&app, &profile, next),
                        Err(_) => refresh(&app),
                    }
                });
            } else if let Some(p) = id.strip_prefix("profile:") {
                if ctl.select_profile(p).is_ok() {
                    refresh(app);
                }
            }
        }
    }
}
