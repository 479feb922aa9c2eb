//! Keeps sessions working while the app runs: takes each profile's keeper lock (a daemon
//! may hold some), lends the core scheduler a silent-login renewer and desktop
//! notifications, and runs it.

use dockpass_core::app::controller::Controller;
use dockpass_core::app::scheduler::{self, Hooks, Renewer};
use dockpass_core::base::lock::{self, ProfileLock};
use dockpass_core::platform::notify::{Action, DesktopNotifier};
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Manager};

/// The locks this app holds (released when it exits) and its one notifier (so a notice
/// replaces the previous one rather than stacking).
struct Keeper {
    held: Mutex<Vec<ProfileLock>>,
    notifier: Arc<DesktopNotifier>,
}

struct SilentLogin(AppHandle);

impl Renewer for SilentLogin {
    fn renew(&self, profile: &str, role_arn: Option<String>) -> bool {
        crate::login::renew(&self.0, profile, role_arn)
    }
}

pub fn start(app: &AppHandle) {
    let on_action = {
        let app = app.clone();
        move |action: Action| {
            let Action::LogIn { profile } = action;
            crate::login::from_notification(&app, &profile);
        }
    };
    app.manage(Keeper {
        held: Mutex::new(Vec::new()),
        notifier: Arc::new(DesktopNotifier::new(on_action)),
    });
    relock(app);
    let ctl = app.state::<Arc<Controller>>().inner().clone();
    tauri::async_runtime::spawn(scheduler::run(ctl.clone()));
    // docker-credential-dockpass asks here first (a daemon may already answer).
    #[cfg(unix)]
    tauri::async_runtime::spawn(async move {
        match dockpass_core::app::helper_server::bind() {
            Ok(listener) => {
                let server = dockpass_core::app::helper_server::HelperServer::new(ctl);
                Arc::new(server).serve(listener).await
            }
            Err(e) => tracing::info!("credential helper socket: {}", e.message),
        }
    });
}

/// Closes the profiles' notifications (on quit: nobody would answer their "Log in" button).
pub fn close_notices(app: &AppHandle, ctl: &Controller) {
    if let Some(keeper) = app.try_state::<Keeper>() {
        for p in &ctl.context().config.profiles {
            dockpass_core::platform::notify::Notifier::clear(keeper.notifier.as_ref(), &p.name);
        }
        keeper.notifier.flush(std::time::Duration::from_secs(1));
    }
}

/// Takes the locks of profiles not yet kept (at start and after the settings changed) and
/// tells the scheduler which profiles are this app's.
pub fn relock(app: &AppHandle) {
    let ctl = app.state::<Arc<Controller>>().inner().clone();
    let keeper = app.state::<Keeper>();
    let mut held = keeper.held.lock().unwrap_or_else(|p| p.into_inner());
    for p in &ctl.context().config.profiles {
        let name = format!("{}.lock", p.name);
        if held
            .iter()
            .any(|l| l.path.file_name().is_some_and(|f| f == name.as_str()))
        {
            continue;
        }
        match lock::acquire(&p.name, "dockpass-app") {
            Ok(l) => held.push(l),
            // A daemon keeps it fresh: the app still shows it and signs in for it.
            Err(e) => tracing::info!("{}", e.message),
        }
    }
    let kept: Vec<String> = held
        .iter()
        .filter_map(|l| l.path.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    let hooks = Hooks {
        renewer: Some(Arc::new(SilentLogin(app.clone()))),
        notifier: Some(keeper.notifier.clone()),
        profiles: Some(kept),
    };
    drop(held);
    ctl.set_hooks(hooks);
}
