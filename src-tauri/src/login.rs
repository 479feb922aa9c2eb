//! The login window: the profile's IdP in a webview whose SAMLResponse is captured by the
//! core's init script and sentinel URL. The window never reaches AWS sign-in, has no IPC
//! capability, and closing it cancels the attempt.
//!
//! On Linux the window lives in a process of its own (login_host.rs), so that nothing of
//! WebKit stays in the tray app after a sign-in; elsewhere, and under WebDriver (which can
//! only reach the app's own windows), it is a window of the app.

use crate::login_host::{self, Spec, ToParent};
use crate::login_page::{explain, page_of, HEIGHT, WIDTH};
use dockpass_core::app::controller::{Attempt, Controller, Navigation, Next};
use dockpass_core::idp::capture;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
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

/// The notification's "Log in" (or "Renew in browser"): a profile that signs in in the
/// browser renews there quietly (its tab closes itself once signed in, and with the IdP's
/// session alive nobody types); others open the login window.
pub fn from_notification(app: &AppHandle, profile: &str) {
    let ctl = controller(app);
    if !ctl.uses_browser(profile) {
        return start(app, Some(profile), None);
    }
    let (app, profile) = (app.clone(), profile.to_string());
    tauri::async_runtime::spawn(async move {
        match ctl.renew_in_browser(&profile).await {
            Ok(next) => follow(&app, &profile, next),
            Err(_) => crate::window::show_main(&app),
        }
    });
}

/// A background renewal ahead of the session's end (see `keeper.rs`). False when a login
/// window for the profile is already open (one attempt per profile) or cannot open.
pub fn renew(app: &AppHandle, profile: &str, role_arn: Option<String>) -> bool {
    if exists(app, profile) {
        return true;
    }
    open(app, Some(profile), role_arn, Mode::HiddenBounded)
}

/// Login windows in processes of their own, by profile.
#[derive(Default)]
struct Hosts(Mutex<HashMap<String, Host>>);

struct Host {
    id: u64,
    stdin: ChildStdin,
    visible: bool,
}

fn hosts(app: &AppHandle) -> tauri::State<'_, Hosts> {
    if app.try_state::<Hosts>().is_none() {
        app.manage(Hosts::default());
    }
    app.state::<Hosts>()
}

impl Hosts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Host>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Whether the login window goes into a process of its own (login_host.rs).
fn in_own_process() -> bool {
    cfg!(target_os = "linux") && !automated()
}

/// Under WebDriver (tauri-driver sets this variable) the tests reach the app's own windows only.
fn automated() -> bool {
    std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true")
}

fn exists(app: &AppHandle, profile: &str) -> bool {
    hosts(app).lock().contains_key(profile) || app.get_webview_window(&label(profile)).is_some()
}

fn is_visible(app: &AppHandle, profile: &str) -> bool {
    if let Some(h) = hosts(app).lock().get(profile) {
        return h.visible;
    }
    app.get_webview_window(&label(profile))
        .and_then(|w| w.is_visible().ok())
        .unwrap_or(false)
}

fn send(host: &mut Host, cmd: login_host::Command) {
    let line = serde_json::to_string(&cmd).unwrap_or_default();
    // A host that is gone already ends its attempt on its own (see `spawn_host`).
    let _ = writeln!(host.stdin, "{line}").and_then(|()| host.stdin.flush());
}

fn show(app: &AppHandle, profile: &str) {
    if let Some(h) = hosts(app).lock().get_mut(profile) {
        send(h, login_host::Command::Show);
        h.visible = true;
        return;
    }
    if let Some(w) = app.get_webview_window(&label(profile)) {
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// The user cancelled from the main window: the login window closes, which cancels.
pub fn cancel(app: &AppHandle, profile: &str) {
    close(app, profile);
}

fn close(app: &AppHandle, profile: &str) {
    if let Some(h) = hosts(app).lock().get_mut(profile) {
        send(h, login_host::Command::Close);
        return;
    }
    if let Some(w) = app.get_webview_window(&label(profile)) {
        let _ = w.close();
    }
}

/// Does what the controller says comes next.
pub fn follow(app: &AppHandle, profile: &str, next: Next) {
    match next {
        Next::Done => {}
        Next::PickRole | Next::ConfirmTrust => crate::window::show_main(app),
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
    if ctl.signs_in_directly(&profile) {
        // No IdP window: the AWS profile is resolved directly; IAM Identity Center signs in
        // from its cached sign-in, else in the user's browser.
        if mode != Mode::HiddenBounded {
            let (app, ctl) = (app.clone(), ctl.clone());
            tauri::async_runtime::spawn(async move {
                match ctl.sign_in_direct(&profile, role_arn, false).await {
                    Ok(next) => follow(&app, &profile, next),
                    Err(_) => crate::window::show_main(&app),
                }
            });
        }
        return true;
    }
    if ctl.uses_browser(&profile) {
        // login = "browser" | "loopback": the user's own browser, no window. A background
        // renewal does not open a browser by itself: the scheduler's notification asks.
        if mode == Mode::HiddenBounded {
            return false;
        }
        let (app, ctl) = (app.clone(), ctl.clone());
        tauri::async_runtime::spawn(async move {
            match ctl.sign_in_in_browser(&profile, role_arn, false).await {
                Ok(next) => follow(&app, &profile, next),
                Err(_) => crate::window::show_main(&app),
            }
        });
        return true;
    }
    if exists(app, &profile) {
        if mode == Mode::Visible {
            ctl.adopt_attempt(&profile);
            show(app, &profile);
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

fn title(profile: &str) -> String {
    format!("Sign in · {profile} · Dockpass")
}

/// "Continue in your browser": the sign-in goes on there with the window's role (the
/// caller took the attempt from the window first: `take_for_browser`).
async fn continue_in_browser(
    app: AppHandle,
    ctl: Arc<Controller>,
    profile: String,
    role_arn: Option<String>,
    always: bool,
) {
    match ctl.continue_in_browser(&profile, role_arn, always).await {
        Ok(next) => follow(&app, &profile, next),
        Err(_) => crate::window::show_main(&app),
    }
}

/// After a capture: sign in, then what the controller says comes next.
async fn signed_in(
    app: AppHandle,
    ctl: Arc<Controller>,
    profile: String,
    c: capture::Captured,
    role_arn: Option<String>,
    mode: Mode,
) {
    match ctl.captured(&profile, c, role_arn).await {
        Ok(next) => follow(&app, &profile, next),
        // A background renewal fails quietly: the scheduler notifies.
        Err(_) if mode == Mode::HiddenBounded => {}
        Err(_) => crate::window::show_main(&app),
    }
}

fn build(
    app: &AppHandle,
    ctl: &Arc<Controller>,
    attempt: Attempt,
    mode: Mode,
) -> tauri::Result<()> {
    let profile = attempt.profile.clone();
    let captured = Arc::new(AtomicBool::new(false));
    if in_own_process() {
        spawn_host(app, ctl, attempt, mode, captured.clone())
            .map_err(|e| tauri::Error::Io(std::io::Error::other(e)))?;
    } else {
        build_here(app, ctl, attempt, mode, captured.clone())?;
    }
    if mode != Mode::Visible {
        bound(app, &profile, mode, captured);
    }
    Ok(())
}

static HOST_IDS: AtomicU64 = AtomicU64::new(1);

/// Starts `dockpass-app --login-window` for the attempt; a thread reads what it reports and
/// ends the attempt when it exits (its window closed).
fn spawn_host(
    app: &AppHandle,
    ctl: &Arc<Controller>,
    attempt: Attempt,
    mode: Mode,
    captured: Arc<AtomicBool>,
) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the app: {e}"))?;
    let mut child = Command::new(exe)
        .arg(login_host::ARG)
        .env_remove("DOCKPASS_BENCH_READY_FILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the login window: {e}"))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("the login window has no pipes".into());
    };
    let visible = mode == Mode::Visible;
    let spec = Spec {
        url: attempt.idp_url.clone(),
        title: title(&attempt.profile),
        nonce: attempt.nonce.clone(),
        policy: attempt.policy.clone(),
        data_dir: Some(attempt.data_dir.clone()),
        visible,
    };
    let sent = serde_json::to_string(&spec)
        .map_err(std::io::Error::other)
        .and_then(|line| writeln!(stdin, "{line}"))
        .and_then(|()| stdin.flush());
    if let Err(e) = sent {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!("cannot talk to the login window: {e}"));
    }
    let profile = attempt.profile.clone();
    let id = HOST_IDS.fetch_add(1, Ordering::Relaxed);
    hosts(app)
        .lock()
        .insert(profile.clone(), Host { id, stdin, visible });
    let (app, ctl) = (app.clone(), ctl.clone());
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Ok(msg) = serde_json::from_str::<ToParent>(&line) else {
                continue;
            };
            let checked = ctl.check_navigation(&profile, &msg.captured, msg.page.as_deref());
            if let Navigation::ContinueInBrowser { always } = checked {
                captured.store(true, Ordering::SeqCst);
                forget(&app, &profile, id);
                let role_arn = ctl.take_for_browser(&profile);
                tauri::async_runtime::spawn(continue_in_browser(
                    app.clone(),
                    ctl.clone(),
                    profile.clone(),
                    role_arn,
                    always,
                ));
            } else if let Navigation::Captured(c, role_arn) = checked {
                captured.store(true, Ordering::SeqCst);
                forget(&app, &profile, id);
                tauri::async_runtime::spawn(signed_in(
                    app.clone(),
                    ctl.clone(),
                    profile.clone(),
                    c,
                    role_arn,
                    mode,
                ));
            }
        }
        let _ = child.wait();
        forget(&app, &profile, id);
        ctl.end_attempt(&profile, captured.load(Ordering::SeqCst));
    });
    Ok(())
}

/// Drops the host `id` of `profile` (a newer one for the profile stays).
fn forget(app: &AppHandle, profile: &str, id: u64) {
    let hosts = hosts(app);
    let mut hosts = hosts.lock();
    if hosts.get(profile).is_some_and(|h| h.id == id) {
        hosts.remove(profile);
    }
}

/// The login window as a window of this app.
fn build_here(
    app: &AppHandle,
    ctl: &Arc<Controller>,
    attempt: Attempt,
    mode: Mode,
    captured: Arc<AtomicBool>,
) -> tauri::Result<()> {
    let visible = mode == Mode::Visible;
    let url: tauri::Url = attempt.idp_url.parse().map_err(tauri::Error::InvalidUrl)?;
    let profile = attempt.profile.clone();
    let label = label(&profile);

    let nav = {
        let (ctl, app, profile, captured, label) = (
            ctl.clone(),
            app.clone(),
            profile.clone(),
            captured.clone(),
            label.clone(),
        );
        move |url: &tauri::Url| -> bool {
            let window = app.get_webview_window(&label);
            let page = page_of(window.as_ref());
            match ctl.check_navigation(&profile, url.as_str(), page.as_deref()) {
                Navigation::Allow => true,
                Navigation::Refuse(why) => {
                    explain(window.as_ref(), why.as_deref());
                    false
                }
                Navigation::OfferBrowser { script } => {
                    crate::login_page::run_script(window.as_ref(), script);
                    false
                }
                Navigation::ContinueInBrowser { always } => {
                    // The attempt goes to the browser first, so closing the window does
                    // not count as cancelling it.
                    let role_arn = ctl.take_for_browser(&profile);
                    let (ctl, app, profile, label) =
                        (ctl.clone(), app.clone(), profile.clone(), label.clone());
                    tauri::async_runtime::spawn(async move {
                        if let Some(w) = app.get_webview_window(&label) {
                            let _ = w.close();
                        }
                        continue_in_browser(app, ctl, profile, role_arn, always).await;
                    });
                    false
                }
                Navigation::Captured(c, role_arn) => {
                    captured.store(true, Ordering::SeqCst);
                    let (ctl, app, profile, label) =
                        (ctl.clone(), app.clone(), profile.clone(), label.clone());
                    tauri::async_runtime::spawn(async move {
                        if let Some(w) = app.get_webview_window(&label) {
                            let _ = w.close();
                        }
                        signed_in(app, ctl, profile, c, role_arn, mode).await;
                    });
                    false
                }
            }
        }
    };

    let mut builder = WebviewWindowBuilder::new(app, &label, WebviewUrl::External(url))
        .title(title(&profile))
        .inner_size(WIDTH, HEIGHT)
        .visible(visible)
        .focused(visible)
        .initialization_script(capture::init_script(&attempt.nonce, &attempt.policy))
        .on_navigation(nav);
    // WebKitGTK lets WebDriver automate one web context per process; a per-profile data
    // directory is a second context. Under WebDriver (tauri-driver sets this variable) the
    // login window shares the main window's context so tests can reach both windows.
    if !automated() {
        builder = builder.data_directory(attempt.data_dir.clone());
    }
    let window = builder.build()?;

    let (ctl, profile) = (ctl.clone(), profile.clone());
    window.on_window_event(move |e| {
        if let WindowEvent::Destroyed = e {
            ctl.end_attempt(&profile, captured.load(Ordering::SeqCst));
        }
    });
    Ok(())
}

/// A hidden window's bound: a role switch shows it after the grace time; a background
/// renewal closes it.
fn bound(app: &AppHandle, profile: &str, mode: Mode, captured: Arc<AtomicBool>) {
    let (app, profile) = (app.clone(), profile.to_string());
    tauri::async_runtime::spawn(async move {
        let bound = if mode == Mode::HiddenBounded {
            RENEW_BOUND
        } else {
            SILENT_GRACE
        };
        tokio::time::sleep(bound).await;
        if captured.load(Ordering::SeqCst) || !exists(&app, &profile) {
            return;
        }
        if mode == Mode::HiddenBounded {
            // The IdP wants the user: stop quietly, the scheduler tells them. Unless the user
            // asked to sign in meanwhile (Log in…) and the window shows: it is theirs now,
            // never closed under them.
            if !is_visible(&app, &profile) {
                close(&app, &profile);
            }
        } else {
            show(&app, &profile);
        }
    });
}
