//! The app's brain, shared by the tray app (and later the daemon): sign-in attempts, the
//! role picker, role switching, settings, activity. Front ends wire windows and menus to it
//! and forward its [`Event`]s; they decide nothing themselves.

mod browser;
mod console;
mod provider;
mod signin;
mod work;

use signin::Untrusted;

pub use provider::{AwsProvider, SdkProvider};
pub use signin::{Attempt, Navigation, Next};

use crate::app::activity::{self, Activity, Kind};
use crate::app::scheduler::{Freshness, Hooks};
pub use crate::app::wire::{
    ConfigView, Event, EventSink, LoginProgress, Overview, Phase, RolePicker,
};
use crate::aws::repos::{Image, RepositoryList};
use crate::config::Profile;
use crate::role::Role;
use crate::saml::Assertion;
use crate::session::repos;
use crate::session::{self, Context, Status};
use crate::{err, Code, Error, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

pub struct Controller<P: AwsProvider = SdkProvider> {
    ctx: RwLock<Arc<Context>>,
    config_error: RwLock<Option<Error>>,
    sink: Arc<dyn EventSink>,
    /// What this process holds for each profile.
    slots: Mutex<HashMap<String, Slot>>,
    selected: Mutex<Option<String>>,
    activity: activity::Log,
    aws: P,
    /// The scheduler's memory and what the front end lends it.
    pub(crate) fresh: Freshness,
}

/// What the controller holds for one profile, in this process only.
#[derive(Default)]
struct Slot {
    /// The live login attempt.
    attempt: Option<Attempt>,
    /// The last assertion, in memory only: reused to switch roles while valid.
    assertion: Option<Assertion>,
    /// The role picker waiting for the user's choice: also handed to a main window that
    /// opens later (the event may have had no listener).
    picker: Option<RolePicker>,
    /// A sign-in waiting for the user to confirm a new issuer or account.
    untrusted: Option<Untrusted>,
    /// The repository browser's list, for the session it was fetched in.
    repos: Option<(String, RepositoryList)>,
    /// The loopback ACS URLs the slot's assertion may be addressed to (loopback mode).
    acs: Vec<String>,
    /// A sign-in waits in the user's browser; the sender stops it (Cancel).
    in_browser: bool,
    stop_browser: Option<tokio::sync::oneshot::Sender<()>>,
    /// The sign-in under way: its last progress (none once done, cancelled or failed).
    progress: Option<LoginProgress>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Controller<SdkProvider> {
    /// A controller over `ctx` with the real AWS clients. A config that failed to load is
    /// kept as `config_error`, so the UI can show it and offer the editor.
    pub fn new(ctx: Context, config_error: Option<Error>, sink: Arc<dyn EventSink>) -> Self {
        Controller::with_provider(ctx, config_error, sink, SdkProvider::default())
    }
}

impl<P: AwsProvider> Controller<P> {
    pub fn with_provider(
        ctx: Context,
        config_error: Option<Error>,
        sink: Arc<dyn EventSink>,
        aws: P,
    ) -> Self {
        Controller {
            ctx: RwLock::new(Arc::new(ctx)),
            config_error: RwLock::new(config_error),
            sink,
            slots: Mutex::new(HashMap::new()),
            selected: Mutex::new(None),
            activity: activity::Log::default(),
            aws,
            fresh: Freshness::default(),
        }
    }

    /// Works on what this process holds for `profile`.
    fn slot<T>(&self, profile: &str, f: impl FnOnce(&mut Slot) -> T) -> T {
        f(lock(&self.slots).entry(profile.to_string()).or_default())
    }

    /// Lends the scheduler the front end's renewer, notifier and profile set.
    pub fn set_hooks(&self, hooks: Hooks) {
        self.fresh.set_hooks(hooks);
    }

    pub fn context(&self) -> Arc<Context> {
        self.ctx.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn profile(&self, name: &str) -> Result<Profile> {
        self.context().profile(Some(name)).cloned()
    }

    pub(crate) fn note(&self, profile: &str, kind: Kind, message: impl Into<String>) {
        let a = Activity {
            at: self.context().clock.now(),
            profile: profile.to_string(),
            kind,
            message: message.into(),
        };
        self.activity.push(a.clone());
        self.sink.emit(Event::Activity(a));
    }

    fn progress(&self, profile: &str, phase: Phase, message: Option<String>) {
        let p = LoginProgress {
            profile: profile.to_string(),
            phase,
            message,
        };
        let running = !matches!(phase, Phase::Done | Phase::Cancelled | Phase::Failed);
        self.slot(profile, |s| s.progress = running.then(|| p.clone()));
        self.sink.emit(Event::LoginProgress(p));
    }

    /// A new session (or none): scheduling starts afresh and any notice goes.
    fn session_renewed(&self, profile: &str) {
        self.fresh.session_renewed(profile);
    }

    pub(crate) fn publish_status(&self, profile: &str) {
        let ctx = self.context();
        if let Ok(p) = ctx.profile(Some(profile)) {
            if let Ok(s) = session::status(&ctx, p) {
                self.sink.emit(Event::SessionChanged(s));
            }
        }
    }

    /// The selected profile: the one chosen in the UI, else the default.
    pub fn selected(&self) -> Option<String> {
        let ctx = self.context();
        let chosen = lock(&self.selected).clone();
        chosen
            .filter(|n| ctx.config.profiles.iter().any(|p| &p.name == n))
            .or_else(|| ctx.config.profiles.first().map(|p| p.name.clone()))
    }

    /// Selects a profile; the UI hears of it through an `overview` event (the tray may
    /// have done it).
    pub fn select_profile(&self, name: &str) -> Result<()> {
        self.profile(name)?;
        let changed = lock(&self.selected).replace(name.to_string()).as_deref() != Some(name);
        if changed {
            if let Ok(o) = self.overview() {
                self.sink.emit(Event::Overview(Box::new(o)));
            }
        }
        Ok(())
    }

    /// Everything the main window shows at start.
    pub fn overview(&self) -> Result<Overview> {
        let ctx = self.context();
        let (picker, trust, progress) = {
            let slots = lock(&self.slots);
            let picker = slots.values().find_map(|s| s.picker.clone());
            let trust = slots
                .values()
                .find_map(|s| s.untrusted.as_ref().map(|u| u.question.clone()));
            let progress = slots.values().filter_map(|s| s.progress.clone()).collect();
            (picker, trust, progress)
        };
        let state = ctx.state.load()?;
        let now = ctx.clock.now();
        let mut sessions = Vec::new();
        let mut roles = HashMap::new();
        for p in &ctx.config.profiles {
            let ps = state.profiles.get(&p.name).cloned().unwrap_or_default();
            sessions.push(session::status_of(&p.name, &ps, p, now));
            roles.insert(p.name.clone(), ps.roles.clone());
        }
        Ok(Overview {
            profiles: ctx.config.profiles.iter().map(|p| p.name.clone()).collect(),
            selected: self.selected(),
            sessions,
            roles,
            activity: self.activity.entries(),
            config_error: self
                .config_error
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
            picker,
            trust,
            progress,
            warnings: ctx
                .secrets_warning()
                .map(|w| {
                    vec![format!(
                        "Keychain unavailable: {w}. Sessions are kept in memory and end when Dockpass quits."
                    )]
                })
                .unwrap_or_default(),
        })
    }

    /// The status of one profile (default: the selected one).
    pub fn status(&self, profile: Option<&str>) -> Result<Status> {
        let ctx = self.context();
        let name = match profile {
            Some(n) => n.to_string(),
            None => self
                .selected()
                .ok_or_else(|| err(Code::Config, "no profile yet: add one in Settings"))?,
        };
        session::status(&ctx, ctx.profile(Some(&name))?)
    }

    /// Starts a sign-in: what the login window must open. One attempt per profile.
    pub async fn repositories(&self, profile: &str, refresh: bool) -> Result<RepositoryList> {
        let ctx = self.context();
        let p = self.profile(profile)?;
        let key = ctx
            .state
            .load()?
            .profiles
            .get(profile)
            .and_then(|ps| ps.session.as_ref())
            .map(|s| {
                format!(
                    "{}|{}",
                    s.role_arn,
                    crate::base::clock::rfc3339(s.started_at)
                )
            })
            .unwrap_or_default();
        if !refresh {
            let cached = self.slot(profile, |s| {
                s.repos
                    .as_ref()
                    .filter(|(k, _)| *k == key)
                    .map(|(_, list)| list.clone())
            });
            if let Some(list) = cached {
                return Ok(list);
            }
        }
        let aws = self.aws.client(&p).await;
        let list = repos::of_session(&ctx, aws.as_ref(), &p).await?;
        self.slot(profile, |s| s.repos = Some((key, list.clone())));
        Ok(list)
    }

    /// The images of one repository (on demand, not cached).
    pub async fn images(&self, profile: &str, registry: &str, name: &str) -> Result<Vec<Image>> {
        let ctx = self.context();
        let p = self.profile(profile)?;
        let aws = self.aws.client(&p).await;
        repos::images_of_session(&ctx, aws.as_ref(), &p, registry, name).await
    }

    fn failed(&self, profile: &str, e: Error) -> Error {
        self.progress(profile, Phase::Failed, Some(e.message.clone()));
        self.note(profile, Kind::Error, e.message.clone());
        let ctx = self.context();
        let _ = ctx.state.update(|s| {
            s.profiles
                .entry(profile.to_string())
                .or_default()
                .last_error = Some(e.clone());
        });
        self.publish_status(profile);
        e
    }

    pub(crate) fn aws(&self) -> &P {
        &self.aws
    }

    /// The user picked a role: finish the pending sign-in, or switch role with the last
    /// assertion while it is valid; otherwise a sign-in at the IdP is needed first.
    /// What the state file holds for `profile` (empty when nothing).
    fn profile_state(&self, profile: &str) -> Result<crate::session::state::ProfileState> {
        let mut state = self.context().state.load()?;
        Ok(state.profiles.remove(profile).unwrap_or_default())
    }

    /// The picker for `roles`, with the names of their accounts.
    fn role_picker(&self, profile: &str, roles: Vec<Role>, current: Option<String>) -> RolePicker {
        let account_names = match (self.profile(profile), self.profile_state(profile)) {
            (Ok(p), Ok(ps)) => {
                session::accounts::names(&p, Some(&ps), roles.iter().map(|r| r.account.as_str()))
            }
            _ => Default::default(),
        };
        RolePicker {
            profile: profile.to_string(),
            roles,
            current,
            account_names,
        }
    }

    /// The roles of the last sign-in for the tray's role menu: names, and which are in use.
    pub fn role_items(&self, profile: &str) -> Result<Vec<session::RoleItem>> {
        let ctx = self.context();
        session::role_items(&ctx, ctx.profile(Some(profile))?)
    }

    /// The roles of the last sign-in and the role in use.
    pub fn roles(&self, profile: &str) -> Result<(Vec<Role>, Option<String>)> {
        let ps = self.profile_state(profile)?;
        Ok((ps.roles, ps.session.map(|s| s.role_arn)))
    }

    pub fn logout(&self, profile: &str) -> Result<()> {
        let ctx = self.context();
        let p = self.profile(profile)?;
        let report = session::logout(&ctx, &p)?;
        self.slot(profile, |s| s.assertion = None);
        let mut msg = "Signed out".to_string();
        if !report.removed.is_empty() {
            msg.push_str(&format!(
                "; removed docker credentials for {}",
                report.removed.join(", ")
            ));
        }
        self.note(profile, Kind::Logout, msg);
        self.session_renewed(profile);
        for h in report.kept_changed {
            self.note(
                profile,
                Kind::Info,
                format!("Left the docker entry for {h} alone: it changed since Dockpass wrote it"),
            );
        }
        self.publish_status(profile);
        Ok(())
    }

    /// The setup's registry proposals from the last sign-in's roles.
    pub fn propose_registries(
        &self,
        profile: &str,
    ) -> Result<Vec<crate::app::setup::RegistryProposal>> {
        let p = self.profile(profile)?;
        let ps = self.profile_state(profile)?;
        let account = ps.session.as_ref().map(|s| s.account.as_str());
        Ok(crate::app::setup::proposals(&p, &ps.roles, account))
    }

    /// Adds registries to a profile (saved like the editor saves) and, with a live session,
    /// fetches and publishes their tokens at once.
    pub async fn add_registries(
        &self,
        profile: &str,
        add: Vec<crate::app::setup::NewRegistry>,
    ) -> Result<ConfigView> {
        let p = self.profile(profile)?;
        let ctx = self.context();
        let session = self.profile_state(profile)?.session;
        let account = session.as_ref().map(|s| s.account.as_str());
        let updated = crate::app::setup::with_registries(&p, account, &add);
        let profiles = ctx
            .config
            .profiles
            .iter()
            .map(|q| {
                if q.name == profile {
                    updated.clone()
                } else {
                    q.clone()
                }
            })
            .collect();
        let view = self.config_save(profiles)?;
        if session.is_some() {
            self.refresh_now(profile).await;
            self.publish_status(profile);
        }
        Ok(view)
    }

    pub fn config_get(&self) -> ConfigView {
        let ctx = self.context();
        ConfigView {
            exists: ctx.config.path.exists(),
            path: ctx.config.path.clone(),
            profiles: ctx.config.profiles.clone(),
            ecr_public: Default::default(),
        }
    }

    /// The settings editor's and the setup's check of a profile before it is saved: every
    /// problem under its field, by the rules the config file is loaded with. `original` is the
    /// name the profile had (editing), so it does not clash with itself.
    pub fn check_profile(
        &self,
        profile: &serde_json::Value,
        original: Option<&str>,
    ) -> crate::config::check::ProfileCheck {
        let ctx = self.context();
        let saved = ctx.config.profiles.iter().map(|p| p.name.as_str());
        crate::config::check::check_profile(profile, saved, original)
    }

    /// Saves profiles from the editor (validated; comments in the file kept).
    pub fn config_save(&self, profiles: Vec<Profile>) -> Result<ConfigView> {
        let ctx = self.context();
        let config = crate::config::edit::save_profiles(&ctx.config.path, &profiles)?;
        *self.ctx.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(ctx.with_config(config));
        *self.config_error.write().unwrap_or_else(|p| p.into_inner()) = None;
        let view = self.config_get();
        self.sink.emit(Event::ConfigChanged(view.clone()));
        self.fresh.replan();
        self.note("", Kind::Info, "Settings saved");
        Ok(view)
    }
}

#[cfg(test)]
mod tests;
