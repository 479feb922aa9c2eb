//! The login window: the profile's IdP in a webview whose SAMLResponse is captured by the
//! core's init script and sentinel URL. The window never reaches AWS sign-in, has no IPC
//! capability, and closing it cancels the attempt.

use dockpass_core::capture;
use dockpass_core::controller::{Attempt, Controller, Navigation, Next};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder, WindowEvent};

/// How long a user-initiated silent sign-in (role switch) stays hidden before the IdP
/// evidently wants the user and the window is shown.
const SILENT_GRACE: Duration = Duration::from_secs(10);
/// How long a background renewal may take before its hidden window is closed (the
/// scheduler then notifies the user).
const RENEW_BOUND: Duration = Duration::from_secs(60);

/// How a login window appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// The user asked: shown and focused.
    Visible,
    /// A role switch: hidden, shown if nothing is captured within the grace time.
    HiddenThenShown,
    /// A background renewal: hidden, never focused, closed after a bound.
    HiddenBounded,
}

fn controller(app: &AppHandle) -> Arc<Controller> {
    app.state::<Arc<Controller>>().inner().clone()
}

fn label(profile: &str) -> String {
    let safe: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("login-{safe}")
}

/// Opens a visible login window for `profile` (default: the selected one).
pub fn start(app: &AppHandle, profile: Option<&str>, role_arn: Option<String>) {
    open(app, profile, role_arn, Mode::Visible);
}

/// A background renewal ahead of the session's end (see `keeper.rs`). False when a login
/// window for the profile is already open (one attempt per profile) or cannot open.
pub fn renew(app: &AppHandle, profile: &str, role_arn: Option<String>) -> bool {
    if app.get_webview_window(&label(profile)).is_some() {
        return true;
    }
    open(app, Some(profile), role_arn, Mode::HiddenBounded)
}

/// Does what the controller says comes next.
pub fn follow(app: &AppHandle, profile: &str, next: Next) {
    match next {
        Next::Done => {}
        Next::PickRole => crate::window::show_main(app),
        // A role switch without a usable assertion: try silently with the IdP's cookies.
        Next::SignIn { role_arn } => {
            open(app, Some(profile), role_arn, Mode::HiddenThenShown);
        }
    }
}

fn open(app: &AppHandle, profile: Option<&str>, role_arn: Option<String>, mode: Mode) -> bool {
    let ctl = controller(app);
    let Some(profile) = profile.map(str::to_string).or_else(|| ctl.selected()) else {
        crate::window::show_main(app);
        return false;
    };
    if ctl.uses_aws_profile(&profile) {
        // No IdP: the AWS profile is resolved directly (no window).
        if mode != Mode::HiddenBounded {
            let ctl = ctl.clone();
            tauri::async_runtime::spawn(async move {
                let _ = ctl.sign_in_aws_profile(&profile, false).await;
            });
        }
        return true;
    }
    if let Some(w) = app.get_webview_window(&label(&profile)) {
        if mode == Mode::Visible {
            ctl.adopt_attempt(&profile);
            let _ = w.show();
            let _ = w.set_focus();
        }
        return true;
    }
    let begun = if mode == Mode::HiddenBounded {
        ctl.begin_renewal(&profile, role_arn)
    } else {
        ctl.begin_login(&profile, role_arn)
    };
    let attempt = match begun {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!("cannot sign in: {}", e.message);
            if mode == Mode::Visible {
                crate::window::show_main(app);
            }
            return false;
        }
    };
    match build(app, &ctl, attempt, mode) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("cannot open the login window: {e}");
            ctl.end_attempt(&profile, false);
            false
        }
    }
}

fn build(
    app: &AppHandle,
    ctl: &Arc<Controller>,
    attempt: Attempt,
    mode: Mode,
) -> tauri::Result<()> {
    let visible = mode == Mode::Visible;
    let url: tauri::Url = attempt.idp_url.parse().map_err(tauri::Error::InvalidUrl)?;
    let profile = attempt.profile.clone();
    let label = label(&profile);
    let captured = Arc::new(AtomicBool::new(false));

    let nav = {
        let (ctl, app, profile, captured, label) = (
            ctl.clone(),
            app.clone(),
            profile.clone(),
            captured.clone(),
            label.clone(),
        );
        move |url: &tauri::Url| -> bool {
            match ctl.check_navigation(&profile, url.as_str()) {
                Navigation::Allow => true,
                Navigation::Refuse => false,
                Navigation::Captured(c, role_arn) => {
                    captured.store(true, Ordering::SeqCst);
                    let (ctl, app, profile, label) =
                        (ctl.clone(), app.clone(), profile.clone(), label.clone());
                    tauri::async_runtime::spawn(async move {
                        if let Some(w) = app.get_webview_window(&label) {
                            let _ = w.close();
                        }
                        match ctl.captured(&profile, c, role_arn).await {
                            Ok(next) => follow(&app, &profile, next),
                            // A background renewal fails quietly: the scheduler notifies.
                            Err(_) if mode == Mode::HiddenBounded => {}
                            Err(_) => crate::window::show_main(&app),
                        }
                    });
                    false
                }
            }
        }
    };

    let mut builder = WebviewWindowBuilder::new(app, &label, WebviewUrl::External(url))
        .title(format!("Sign in · {profile} · Dockpass"))
        .inner_size(520.0, 720.0)
        .visible(visible)
        .focused(visible)
        .initialization_script(capture::init_script(&attempt.nonce))
        .on_navigation(nav);
    // WebKitGTK lets WebDriver automate one web context per process; a per-profile data
    // directory is a second context. Under WebDriver (tauri-driver sets this variable) the
    // login window shares the main window's context so tests can reach both windows.
    if std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() != Ok("true") {
        builder = builder.data_directory(attempt.data_dir.clone());
    }
    let window = builder.build()?;

    {
        let (ctl, profile, captured) = (ctl.clone(), profile.clone(), captured.clone());
        window.on_window_event(move |e| {
            if let WindowEvent::Destroyed = e {
                ctl.end_attempt(&profile, captured.load(Ordering::SeqCst));
            }
        });
    }

    if mode != Mode::Visible {
        let (app, captured) = (app.clone(), captured.clone());
        tauri::async_runtime::spawn(async move {
            let bound = if mode == Mode::HiddenBounded {
                RENEW_BOUND
            } else {
                SILENT_GRACE
            };
            tokio::time::sleep(bound).await;
            if captured.load(Ordering::SeqCst) {
                return;
            }
            if let Some(w) = app.get_webview_window(&label) {
                if mode == Mode::HiddenBounded {
                    // The IdP wants the user: stop quietly, the scheduler tells them. Unless
                    // the user asked to sign in meanwhile (Log in…) and the window shows: it
                    // is theirs now, never closed under them.
                    if !w.is_visible().unwrap_or(false) {
                        let _ = w.close();
                    }
                } else {
                    let _ = w.show();
                    let _ = w.set_focus();
                }
            }
        });
    }
    Ok(())
}
