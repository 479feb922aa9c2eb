//! `dockpass daemon`: the tray app's scheduler without a GUI, for machines without a tray.
//! It resumes sessions from the keychain, refreshes ECR tokens, and notifies when the user
//! must sign in (the app or `dockpass login` does that).

use dockpass_core::app::controller::Controller;
use dockpass_core::app::scheduler::{self, Hooks};
use dockpass_core::app::wire::{Event, EventSink};
use dockpass_core::base::lock;
use dockpass_core::platform::notify::{Action, DesktopNotifier};
use dockpass_core::{err, session::Context, Code, Result};
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {}

/// Activity goes to stderr, one line each.
struct LogSink;

impl EventSink for LogSink {
    fn emit(&self, event: Event) {
        if let Event::Activity(a) = event {
            let who = if a.profile.is_empty() {
                String::new()
            } else {
                format!("[{}] ", a.profile)
            };
            eprintln!("dockpass: {who}{}", a.message);
        }
    }
}

/// "Log in" on a notification: start the app's login window when the app is installed.
fn open_app_login(profile: &str) {
    match std::process::Command::new("dockpass-app")
        .args(["--login", "--profile", profile])
        .spawn()
    {
        Ok(_) => {}
        Err(_) => eprintln!(
            "dockpass: [{profile}] sign in with the tray app or `dockpass login --profile {profile}`"
        ),
    }
}

/// "Renew in browser" on a notification (profiles with login = "browser" or "loopback"): the
/// daemon itself waits for the browser's sign-in, quietly (the tab closes itself); other
/// profiles open the app's login window.
fn on_action(
    ctl: std::sync::Weak<Controller>,
    rt: tokio::runtime::Handle,
) -> impl Fn(Action) + Send + Sync + 'static {
    move |action: Action| {
        let Action::LogIn { profile } = action;
        match ctl.upgrade() {
            Some(ctl) if ctl.uses_browser(&profile) => {
                rt.spawn(async move {
                    if let Err(e) = ctl.renew_in_browser(&profile).await {
                        eprintln!("dockpass: [{profile}] {}", e.message);
                    }
                });
            }
            // IAM Identity Center: the daemon signs in itself, in the user's browser.
            Some(ctl) if ctl.signs_in_directly(&profile) => {
                rt.spawn(async move {
                    if let Err(e) = ctl.sign_in_directly(&profile, false).await {
                        eprintln!("dockpass: [{profile}] {}", e.message);
                    }
                });
            }
            _ => open_app_login(&profile),
        }
    }
}

pub fn run(profile: Option<&str>, _args: Args) -> Result<()> {
    let ctx = Context::load()?;
    let names: Vec<String> = match profile {
        Some(p) => vec![ctx.profile(Some(p))?.name.clone()],
        None => ctx.config.profiles.iter().map(|p| p.name.clone()).collect(),
    };
    if names.is_empty() {
        return Err(err(
            Code::Config,
            "no profile to keep fresh; add one to the config",
        ));
    }
    if let Some(why) = ctx.secrets_warning() {
        return Err(err(
            Code::Keychain,
            format!("the daemon resumes sessions from the keychain, and there is none: {why}"),
        ));
    }
    let _locks = names
        .iter()
        .map(|n| lock::acquire(n, "dockpass daemon"))
        .collect::<Result<Vec<_>>>()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| err(Code::Internal, format!("cannot start the runtime: {e}")))?;
    rt.block_on(async move {
        let ctl = Arc::new(Controller::new(ctx, None, Arc::new(LogSink)));
        ctl.set_hooks(Hooks {
            renewer: None,
            notifier: Some(Arc::new(DesktopNotifier::new(on_action(
                Arc::downgrade(&ctl),
                tokio::runtime::Handle::current(),
            )))),
            profiles: Some(names.clone()),
        });
        eprintln!(
            "dockpass: keeping {} fresh (Ctrl-C stops)",
            names.join(", ")
        );
        // docker-credential-dockpass asks here first (unless the app already answers).
        #[cfg(unix)]
        match dockpass_core::app::helper_server::bind() {
            Ok(listener) => {
                let server = dockpass_core::app::helper_server::HelperServer::new(ctl.clone());
                tokio::spawn(Arc::new(server).serve(listener));
            }
            Err(e) => eprintln!("dockpass: credential helper socket: {}", e.message),
        }
        let stop = stop_signal()?;
        tokio::select! {
            _ = scheduler::run(ctl.clone()) => {}
            _ = stop => {}
        }
        #[cfg(unix)]
        dockpass_core::app::helper_server::release();
        eprintln!("dockpass: daemon stopped");
        Ok(())
    })
}

/// Ctrl-C, or SIGTERM (systemd, `kill`) on Unix.
fn stop_signal() -> Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| err(Code::Internal, format!("cannot watch signals: {e}")))?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    })
}
