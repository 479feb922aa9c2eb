//! The login window in a process of its own (Linux): `dockpass-app --login-window`, started by
//! the tray app for each sign-in (login.rs), ends with its window.
//!
//! Why: WebKitGTK never gives back what a web view cost its process. After one sign-in the
//! tray app kept Mesa/libLLVM and WebKit's UI-process state (about 80 MB resident) and the
//! login context's network process (another 64 MB, tauri keeps every web context alive on
//! Linux), for the rest of its life. In a child process all of it goes when the window
//! closes; the tray app itself never starts WebKit for a sign-in.
//!
//! Protocol (JSON lines; the pipes are the two processes' own):
//! - parent → child, stdin: first the [`Spec`], then commands `{"cmd":"show"}` (show and
//!   focus the hidden window) and `{"cmd":"close"}`; end of input (the app quit or died)
//!   closes the window too;
//! - child → parent, stdout: `{"captured": URL, "page": URL}`, the sentinel URL that holds
//!   the SAMLResponse and the page that handed it over (the parent checks both again with the
//!   controller and signs in); the child then closes its window and exits. Exiting is the
//!   window's end ("destroyed").
//!
//! The child decides about navigations exactly as the in-process window does, with the same
//! core rule (`capture::decide` with the attempt's nonce and policy), and shows a refusal's
//! reason in the page itself.

use dockpass_core::idp::capture;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

/// The argument that makes `dockpass-app` a login window host.
pub const ARG: &str = "--login-window";
const LABEL: &str = "login";

/// What the window shows: the same settings as the in-process login window (login.rs).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Spec {
    pub url: String,
    pub title: String,
    pub nonce: String,
    /// The pages that may hand over the assertion.
    pub policy: capture::Policy,
    pub data_dir: Option<PathBuf>,
    pub visible: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    Show,
    Close,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ToParent {
    pub captured: String,
    /// The page the window showed when the hand-over came.
    pub page: Option<String>,
}

/// `dockpass-app --login-window`: read the spec, show the window, report a capture, end.
pub fn run() -> i32 {
    dockpass_core::platform::logging::init("warn", true);
    let mut stdin = std::io::stdin().lock();
    let mut line = String::new();
    let spec: Spec = match stdin
        .read_line(&mut line)
        .map(|_| serde_json::from_str(&line))
    {
        Ok(Ok(s)) => s,
        _ => {
            eprintln!("dockpass-app {ARG}: no window description on standard input");
            return 2;
        }
    };
    drop(stdin);
    let url: tauri::Url = match spec.url.parse() {
        Ok(u) => u,
        Err(e) => {
            eprintln!("dockpass-app {ARG}: {e}");
            return 2;
        }
    };
    let app = tauri::Builder::default()
        .setup(move |app| {
            build(app.handle(), &spec, url)?;
            listen(app.handle().clone());
            Ok(())
        })
        .build(crate::context());
    match app {
        // The window was the only one: closing it ends the process.
        Ok(app) => {
            app.run(|_, _| {});
            0
        }
        Err(e) => {
            eprintln!("dockpass-app {ARG}: cannot start: {e}");
            1
        }
    }
}

fn build(app: &tauri::AppHandle, spec: &Spec, url: tauri::Url) -> tauri::Result<()> {
    let (nonce, policy) = (spec.nonce.clone(), spec.policy.clone());
    let done = Arc::new(AtomicBool::new(false));
    let handle = app.clone();
    let nav = move |url: &tauri::Url| -> bool {
        let window = handle.get_webview_window(LABEL);
        let page = crate::login_page::page_of(window.as_ref());
        match capture::decide(url.as_str(), &nonce, page.as_deref(), &policy) {
            capture::Decision::OfferBrowser(why) => {
                let js = dockpass_core::idp::embedded::offer_script(&nonce, why);
                crate::login_page::run_script(window.as_ref(), js);
                false
            }
            // The app checks the URL again and goes on in the browser.
            capture::Decision::Captured(_) | capture::Decision::ContinueInBrowser { .. } => {
                if !done.swap(true, Ordering::SeqCst) {
                    let msg = ToParent {
                        captured: url.to_string(),
                        page,
                    };
                    let mut out = std::io::stdout().lock();
                    let sent = serde_json::to_writer(&mut out, &msg)
                        .map_err(std::io::Error::other)
                        .and_then(|()| out.write_all(b"\n"))
                        .and_then(|()| out.flush());
                    if let Err(e) = sent {
                        tracing::warn!("cannot hand the SAML response to the app: {e}");
                    }
                    let handle = handle.clone();
                    tauri::async_runtime::spawn(async move { handle.exit(0) });
                }
                false
            }
            capture::Decision::Refuse(why) => {
                crate::login_page::explain(window.as_ref(), why.as_deref());
                false
            }
            capture::Decision::Allow => true,
        }
    };
    let mut builder = WebviewWindowBuilder::new(app, LABEL, WebviewUrl::External(url))
        .title(&spec.title)
        .inner_size(crate::login_page::WIDTH, crate::login_page::HEIGHT)
        .visible(spec.visible)
        .focused(spec.visible)
        .initialization_script(capture::init_script(&spec.nonce, &spec.policy))
        .on_navigation(nav);
    if let Some(dir) = &spec.data_dir {
        builder = builder.data_directory(dir.clone());
    }
    builder.build()?;
    Ok(())
}

/// The parent's commands; end of input (the app is gone) closes the window.
fn listen(app: tauri::AppHandle) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            match serde_json::from_str::<Command>(&line) {
                Ok(Command::Show) => {
                    let app2 = app.clone();
                    let _ = app.run_on_main_thread(move || {
                        if let Some(w) = app2.get_webview_window(LABEL) {
                            let _ = w.show();
                            let _ = w.set_focus();
                        }
                    });
                }
                Ok(Command::Close) => break,
                Err(e) => tracing::warn!("unknown command from the app: {e}"),
            }
        }
        app.exit(0);
    });
}
