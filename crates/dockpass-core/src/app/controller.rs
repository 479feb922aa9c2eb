//! The app's brain, shared by the tray app (and later the daemon): sign-in attempts, the
//! role picker, role switching, settings, activity. Front ends wire windows and menus to it
//! and forward its [`Event`]s; they decide nothing themselves.

use crate::app::activity::{self, Activity, Kind};
use crate::aws::ecr::Ecr;
use crate::aws::profile_source::ProfileSource;
use crate::aws::repos::{Image, RepoApi, RepositoryList};
use crate::aws::sts::Sts;
use crate::aws::Aws;
use crate::config::Profile;
use crate::idp::capture::{self, Captured};
use crate::role::Role;
use crate::saml::{self, Assertion};
use crate::session::repos;
use crate::session::{self, Context, Status};
use crate::{err, Code, Error, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

/// Something the UI and the tray should know about. `name()` is the event name on the wire.
#[derive(Clone, Debug)]
pub enum Event {
    SessionChanged(Status),
    Activity(Activity),
    RolePicker(RolePicker),
    RolePickerClosed {
        profile: String,
    },
    /// A sign-in waits for the user to confirm a new issuer or account.
    TrustPrompt(crate::idp::trust::Question),
    TrustPromptClosed {
        profile: String,
    },
    LoginProgress(LoginProgress),
    ConfigChanged(ConfigView),
    /// Everything changed (e.g. the profile was selected from the tray).
    Overview(Box<Overview>),
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::SessionChanged(_) => "session-changed",
            Event::Activity(_) => "activity",
            Event::RolePicker(_) => "role-picker",
            Event::RolePickerClosed { .. } => "role-picker-closed",
            Event::TrustPrompt(_) => "trust-prompt",
            Event::TrustPromptClosed { .. } => "trust-prompt-closed",
            Event::LoginProgress(_) => "login-progress",
            Event::ConfigChanged(_) => "config-changed",
            Event::Overview(_) => "overview",
        }
    }

    pub fn payload(&self) -> serde_json::Value {
        let v = match self {
            Event::SessionChanged(s) => serde_json::to_value(s),
            Event::Activity(a) => serde_json::to_value(a),
            Event::RolePicker(p) => serde_json::to_value(p),
            Event::RolePickerClosed { profile } | Event::TrustPromptClosed { profile } => {
                Ok(serde_json::json!({ "profile": profile }))
            }
            Event::TrustPrompt(q) => serde_json::to_value(q),
            Event::LoginProgress(p) => serde_json::to_value(p),
            Event::ConfigChanged(c) => serde_json::to_value(c),
            Event::Overview(o) => serde_json::to_value(o),
        };
        v.unwrap_or(serde_json::Value::Null)
    }
}

/// Where events go (the Tauri shell emits them to the UI and updates the tray).
pub trait EventSink: Send + Sync {
    fn emit(&self, event: Event);
}

#[derive(Clone, Debug, Serialize)]
pub struct RolePicker {
    pub profile: String,
    pub roles: Vec<Role>,
    /// The role in use, if any (role ARN).
    pub current: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Opening,
    WaitingForIdp,
    AssumingRole,
    WritingDockerConfig,
    Done,
    Cancelled,
    Failed,
}

#[derive(Clone, Debug, Serialize)]
pub struct LoginProgress {
    pub profile: String,
    pub phase: Phase,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConfigView {
    pub path: PathBuf,
    pub profiles: Vec<Profile>,
    pub exists: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    pub profiles: Vec<String>,
    pub selected: Option<String>,
    pub sessions: Vec<Status>,
    pub roles: HashMap<String, Vec<Role>>,
    pub activity: Vec<Activity>,
    /// The config problem, when the config file is missing or broken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_error: Option<Error>,
    /// One-line warnings for the user (no keychain).
    pub warnings: Vec<String>,
    /// A sign-in waiting for the user's role choice, if any.
    pub picker: Option<RolePicker>,
    /// A sign-in waiting for the user to confirm a new issuer or account, if any.
    pub trust: Option<crate::idp::trust::Question>,
}

/// One sign-in attempt in a login window: what to open and how to recognise its capture.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub profile: String,
    pub idp_url: String,
    /// Per-profile webview data directory, so IdP cookies allow silent re-login.
    pub data_dir: PathBuf,
    pub nonce: String,
    /// The pages that may hand over the assertion (the profile's IdP origins).
    pub policy: capture::Policy,
    /// The role to use once the assertion arrives (role switch), else chosen as usual.
    pub role_arn: Option<String>,
    /// A background renewal in a hidden window: the user did not ask, so the UI hears
    /// nothing of it (no "waiting for the IdP", no "cancelled"); the scheduler notifies.
    pub background: bool,
}

/// What the login window must do with a navigation.
#[derive(Debug)]
pub enum Navigation {
    Allow,
    /// With the line the window shows, when the user should know why.
    Refuse(Option<String>),
    /// The assertion of the live attempt, and the role that attempt was for.
    Captured(Captured, Option<String>),
}

/// What the front end must do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Nothing: the session is written.
    Done,
    /// The role picker is showing.
    PickRole,
    /// The user is asked to confirm a new issuer or account (the main window shows it).
    ConfirmTrust,
    /// A (silent) sign-in at the IdP is needed first; then use this role.
    SignIn { role_arn: Option<String> },
}

/// Gives the AWS client for a profile: the SDK in the app, a fake in tests.
pub trait AwsProvider: Send + Sync + 'static {
    type Client: Sts + Ecr + RepoApi + ProfileSource + Send + Sync + 'static;
    fn client(&self, profile: &Profile) -> impl Future<Output = Arc<Self::Client>> + Send;
}

/// The real SDK clients, configured once per profile and shared.
#[derive(Default)]
pub struct SdkProvider(tokio::sync::Mutex<HashMap<String, Arc<Aws>>>);

impl AwsProvider for SdkProvider {
    type Client = Aws;

    async fn client(&self, p: &Profile) -> Arc<Aws> {
        let mut cache = self.0.lock().await;
        if let Some(a) = cache.get(&p.name) {
            return a.clone();
        }
        let a = Arc::new(Aws::new(&p.region, p.sts_endpoint.as_deref()).await);
        cache.insert(p.name.clone(), a.clone());
        a
    }
}

/// A sign-in held back until the user confirms what is new about it.
struct Untrusted {
    assertion: Assertion,
    role: Option<String>,
    question: crate::idp::trust::Question,
}

pub struct Controller<P: AwsProvider = SdkProvider> {
    ctx: RwLock<Arc<Context>>,
    config_error: RwLock<Option<Error>>,
    sink: Arc<dyn EventSink>,
    /// Last assertion per profile, in memory only: reused to switch roles while valid.
    assertions: Mutex<HashMap<String, Assertion>>,
    /// Pickers waiting for the user's role choice, by profile: also handed to a main window
    /// that opens later (the event may have had no listener).
    pending: Mutex<HashMap<String, RolePicker>>,
    /// Live login attempts by profile.
    attempts: Mutex<HashMap<String, Attempt>>,
    /// Sign-ins waiting for the user to confirm a new issuer or account, by profile.
    untrusted: Mutex<HashMap<String, Untrusted>>,
    selected: Mutex<Option<String>>,
    activity: activity::Log,
    aws: P,
    /// Wakes the scheduler when sessions change (sign-in, logout, settings).
    pub(crate) replan: tokio::sync::Notify,
    pub(crate) sched: Mutex<HashMap<String, crate::app::scheduler::Sched>>,
    pub(crate) hooks: RwLock<Hooks>,
    /// The repository browser's list per profile, for the session it was fetched in.
    repos: Mutex<HashMap<String, (String, RepositoryList)>>,
}

/// Asks the front end for a silent sign-in (a hidden login window with the IdP's cookies).
pub trait Renewer: Send + Sync {
    /// Starts a silent sign-in for `profile` that signs in with `role_arn`; false when the
    /// front end cannot (then the user is notified at once).
    fn renew(&self, profile: &str, role_arn: Option<String>) -> bool;
}

/// What the front end lends the scheduler.
#[derive(Clone, Default)]
pub struct Hooks {
    pub renewer: Option<Arc<dyn Renewer>>,
    pub notifier: Option<Arc<dyn crate::platform::notify::Notifier>>,
    /// The profiles this process keeps fresh (those whose lock it holds); `None`: all.
    pub profiles: Option<Vec<String>>,
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
            assertions: Mutex::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
            attempts: Mutex::new(HashMap::new()),
            untrusted: Mutex::new(HashMap::new()),
            selected: Mutex::new(None),
            activity: activity::Log::default(),
            aws,
            replan: tokio::sync::Notify::new(),
            sched: Mutex::new(HashMap::new()),
            hooks: RwLock::new(Hooks::default()),
            repos: Mutex::new(HashMap::new()),
        }
    }

    /// Lends the scheduler the front end's renewer, notifier and profile set.
    pub fn set_hooks(&self, hooks: Hooks) {
        *self.hooks.write().unwrap_or_else(|p| p.into_inner()) = hooks;
        self.replan.notify_one();
    }

    pub(crate) fn hooks(&self) -> Hooks {
        self.hooks.read().unwrap_or_else(|p| p.into_inner()).clone()
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
        self.sink.emit(Event::LoginProgress(LoginProgress {
            profile: profile.to_string(),
            phase,
            message,
        }));
    }

    /// A new session (or none): scheduling starts afresh and any notice goes.
    fn session_renewed(&self, profile: &str) {
        lock(&self.sched).remove(profile);
        if let Some(n) = self.hooks().notifier {
            n.clear(profile);
        }
        self.replan.notify_one();
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
            picker: lock(&self.pending).values().next().cloned(),
            trust: lock(&self.untrusted)
                .values()
                .next()
                .map(|u| u.question.clone()),
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
    pub fn begin_login(&self, profile: &str, role_arn: Option<String>) -> Result<Attempt> {
        self.begin(profile, role_arn, false)
    }

    /// Starts a background renewal (silent re-login in a hidden window): like `begin_login`,
    /// without progress events.
    pub fn begin_renewal(&self, profile: &str, role_arn: Option<String>) -> Result<Attempt> {
        self.begin(profile, role_arn, true)
    }

    fn begin(&self, profile: &str, role_arn: Option<String>, background: bool) -> Result<Attempt> {
        let p = self.profile(profile)?;
        let Some(idp_url) = p.idp_url.clone() else {
            return Err(err(
                Code::Usage,
                format!("profile {profile} takes credentials from aws_profile, not an IdP sign-in"),
            ));
        };
        let attempt = Attempt {
            policy: capture::Policy::new(&idp_url, &p.idp_origins)?,
            profile: profile.to_string(),
            idp_url,
            data_dir: crate::base::paths::data_dir()?
                .join("webview")
                .join(profile),
            nonce: capture::new_nonce()?,
            role_arn,
            background,
        };
        lock(&self.attempts).insert(profile.to_string(), attempt.clone());
        if !background {
            self.progress(profile, Phase::WaitingForIdp, None);
        }
        Ok(attempt)
    }

    /// The login window, showing `page`, saw `url` about to load: let it, refuse it, or take
    /// it as the captured assertion of the live attempt (which ends the attempt).
    pub fn check_navigation(&self, profile: &str, url: &str, page: Option<&str>) -> Navigation {
        let mut attempts = lock(&self.attempts);
        let Some(attempt) = attempts.get(profile) else {
            // No attempt: nothing may be handed over, AWS sign-in stays refused.
            return match capture::is_aws_acs(url) || capture::is_sentinel(url) {
                true => Navigation::Refuse(None),
                false => Navigation::Allow,
            };
        };
        let _profile = tracing::info_span!("login", profile).entered();
        match capture::decide(url, &attempt.nonce, page, &attempt.policy) {
            capture::Decision::Captured(c) => {
                let role_arn = attempts.remove(profile).and_then(|a| a.role_arn);
                Navigation::Captured(c, role_arn)
            }
            capture::Decision::Refuse(why) => {
                if let Some(w) = &why {
                    self.note(profile, Kind::Error, w.clone());
                }
                Navigation::Refuse(why)
            }
            capture::Decision::Allow => Navigation::Allow,
        }
    }

    /// The user asked to sign in while a background renewal's hidden window was open; the
    /// front end shows that window: the attempt is theirs now (progress, "cancelled").
    pub fn adopt_attempt(&self, profile: &str) {
        let adopted = lock(&self.attempts)
            .get_mut(profile)
            .is_some_and(|a| std::mem::replace(&mut a.background, false));
        if adopted {
            self.progress(profile, Phase::WaitingForIdp, None);
        }
    }

    /// The login window closed. Without a capture that cancels the attempt; the previous
    /// session stays as it was.
    pub fn end_attempt(&self, profile: &str, captured: bool) {
        let ended = lock(&self.attempts).remove(profile);
        match ended {
            Some(a) if !captured && a.background => {
                tracing::info!(profile, "silent sign-in closed without an assertion");
            }
            Some(_) if !captured => {
                self.progress(profile, Phase::Cancelled, None);
                self.note(profile, Kind::Info, "Sign-in cancelled");
            }
            _ => {}
        }
    }

    /// The assertion arrived: remember it (memory only), then sign in with the attempt's
    /// role, the profile's or the last one; ask the user when several remain.
    pub async fn captured(
        &self,
        profile: &str,
        captured: Captured,
        role_arn: Option<String>,
    ) -> Result<Next> {
        let parsed = saml::parse_response(captured.response.expose().as_bytes())
            .and_then(|a| a.check_addressed_to_aws().map(|()| a));
        let assertion = match parsed {
            Ok(a) => a,
            Err(e) => return Err(self.failed(profile, e)),
        };
        lock(&self.assertions).insert(profile.to_string(), assertion.clone());
        self.sign_in(profile, &assertion, role_arn.as_deref()).await
    }

    async fn sign_in(
        &self,
        profile: &str,
        assertion: &Assertion,
        role: Option<&str>,
    ) -> Result<Next> {
        self.sign_in_with(
            profile,
            assertion,
            session::LoginOptions {
                role,
                trust_new: false,
            },
        )
        .await
    }

    async fn sign_in_with(
        &self,
        profile: &str,
        assertion: &Assertion,
        opts: session::LoginOptions<'_>,
    ) -> Result<Next> {
        let ctx = self.context();
        let p = self.profile(profile)?;
        let plan = match session::plan_login(&ctx, &p, assertion, opts) {
            Ok(session::Plan {
                question: Some(question),
                ..
            }) => {
                tracing::warn!(
                    profile,
                    issuer = question.issuer.as_deref().unwrap_or(""),
                    account = question.account,
                    "a sign-in waits for the user's confirmation"
                );
                let held = Untrusted {
                    assertion: assertion.clone(),
                    role: opts.role.map(str::to_string),
                    question: question.clone(),
                };
                lock(&self.untrusted).insert(profile.to_string(), held);
                self.sink.emit(Event::TrustPrompt(question));
                return Ok(Next::ConfirmTrust);
            }
            Ok(plan) => plan,
            Err(e) if e.code == Code::RoleNotChosen => {
                let current = self
                    .profile_state(profile)
                    .ok()
                    .and_then(|ps| ps.role)
                    .map(|r| r.role_arn);
                let picker = RolePicker {
                    profile: profile.to_string(),
                    roles: assertion.roles.clone(),
                    current,
                };
                lock(&self.pending).insert(profile.to_string(), picker.clone());
                self.sink.emit(Event::RolePicker(picker));
                return Ok(Next::PickRole);
            }
            Err(e) => return Err(self.failed(profile, e)),
        };
        self.progress(profile, Phase::AssumingRole, None);
        let aws = self.aws.client(&p).await;
        let switched = plan
            .previous_role()
            .is_some_and(|was| was != plan.role.role_arn)
            .then(|| plan.role.label());
        match session::login_planned(&ctx, aws.as_ref(), &p, assertion, plan).await {
            Ok(report) => {
                self.signed_in(profile, &report, false);
                if let Some(label) = switched {
                    self.note(profile, Kind::Switch, format!("Switched role to {label}"));
                }
                Ok(Next::Done)
            }
            Err(e) => Err(self.failed(profile, e)),
        }
    }

    /// The user confirmed the new issuer or account of the held sign-in: sign in with it.
    pub async fn confirm_trust(&self, profile: &str) -> Result<Next> {
        let held = lock(&self.untrusted).remove(profile);
        self.sink.emit(Event::TrustPromptClosed {
            profile: profile.to_string(),
        });
        let Some(held) = held else {
            return Err(err(
                Code::Usage,
                format!("no sign-in of profile {profile} waits for a confirmation"),
            ));
        };
        let q = &held.question;
        self.note(
            profile,
            Kind::Info,
            format!(
                "Trusted {}",
                match (q.new_issuer, q.new_account) {
                    (true, true) => format!(
                        "issuer {} and account {}",
                        q.issuer.as_deref().unwrap_or("(none)"),
                        q.account
                    ),
                    (true, false) => format!("issuer {}", q.issuer.as_deref().unwrap_or("(none)")),
                    _ => format!("account {}", q.account),
                }
            ),
        );
        self.sign_in_with(
            profile,
            &held.assertion,
            session::LoginOptions {
                role: held.role.as_deref(),
                trust_new: true,
            },
        )
        .await
    }

    /// The user refused the held sign-in: nothing is used, the assertion is forgotten.
    pub fn reject_trust(&self, profile: &str) {
        let held = lock(&self.untrusted).remove(profile);
        self.sink.emit(Event::TrustPromptClosed {
            profile: profile.to_string(),
        });
        if let Some(held) = held {
            lock(&self.assertions).remove(profile);
            self.progress(profile, Phase::Cancelled, None);
            let q = held.question;
            self.note(
                profile,
                Kind::Error,
                format!(
                    "Did not sign in: you did not trust {}",
                    if q.new_issuer {
                        format!("issuer {}", q.issuer.as_deref().unwrap_or("(none)"))
                    } else {
                        format!("account {}", q.account)
                    }
                ),
            );
        }
    }

    /// Whether `profile` takes its credentials from an AWS shared-config profile (no IdP
    /// window: "Log in" and renewals resolve the profile directly).
    pub fn uses_aws_profile(&self, profile: &str) -> bool {
        self.profile(profile).is_ok_and(|p| p.aws_profile.is_some())
    }

    /// Signs in an `aws_profile` profile: credentials from aws-config's chain, no window.
    /// A `background` renewal sends no progress to the UI (the user did not ask).
    pub async fn sign_in_aws_profile(&self, profile: &str, background: bool) -> Result<()> {
        let ctx = self.context();
        let p = self.profile(profile)?;
        if !background {
            self.progress(profile, Phase::AssumingRole, None);
        }
        let aws = self.aws.client(&p).await;
        match session::login_aws_profile(&ctx, aws.as_ref(), &p).await {
            Ok(report) => {
                self.signed_in(profile, &report, background);
                Ok(())
            }
            Err(e) if background => {
                self.note(
                    profile,
                    Kind::Error,
                    format!("Renewal failed: {}", e.message),
                );
                Err(e)
            }
            Err(e) => Err(self.failed(profile, e)),
        }
    }

    fn signed_in(&self, profile: &str, report: &session::LoginReport, background: bool) {
        // A missing keychain is shown once, as an overview warning, not per sign-in.
        for w in report
            .warnings
            .iter()
            .filter(|w| !w.starts_with("keychain unavailable"))
        {
            self.note(profile, Kind::Info, w.clone());
        }
        let name = report
            .role_arn
            .rsplit('/')
            .next()
            .unwrap_or(&report.role_arn);
        let mut hosts: Vec<&str> = report.registries.iter().map(|r| r.host.as_str()).collect();
        hosts.dedup();
        self.note(
            profile,
            Kind::Login,
            format!(
                "Signed in as {name} @ {}; docker credentials for {}",
                report.account,
                hosts.join(", ")
            ),
        );
        lock(&self.repos).remove(profile);
        if !background {
            self.progress(profile, Phase::Done, None);
        }
        self.publish_status(profile);
        self.session_renewed(profile);
    }

    /// The repository browser's list: cached for the session, fetched again on `refresh`.
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
            if let Some((k, list)) = lock(&self.repos).get(profile) {
                if *k == key {
                    return Ok(list.clone());
                }
            }
        }
        let aws = self.aws.client(&p).await;
        let list = repos::of_session(&ctx, aws.as_ref(), &p).await?;
        lock(&self.repos).insert(profile.to_string(), (key, list.clone()));
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
    pub async fn pick_role(&self, profile: &str, role_arn: &str) -> Result<Next> {
        lock(&self.pending).remove(profile);
        self.sink.emit(Event::RolePickerClosed {
            profile: profile.to_string(),
        });
        let now = self.context().clock.now();
        let reusable = lock(&self.assertions)
            .get(profile)
            .filter(|a| a.check_not_expired(now).is_ok())
            .cloned();
        match reusable {
            Some(a) => self.sign_in(profile, &a, Some(role_arn)).await,
            None => Ok(Next::SignIn {
                role_arn: Some(role_arn.to_string()),
            }),
        }
    }

    pub fn cancel_pick(&self, profile: &str) {
        if lock(&self.pending).remove(profile).is_some() {
            self.progress(profile, Phase::Cancelled, None);
        }
        self.sink.emit(Event::RolePickerClosed {
            profile: profile.to_string(),
        });
    }

    /// Shows the picker with the roles of the last sign-in (for "Switch role").
    pub fn show_switch_picker(&self, profile: &str) -> Result<Next> {
        let (roles, current) = self.roles(profile)?;
        if roles.is_empty() {
            return Ok(Next::SignIn { role_arn: None });
        }
        self.sink.emit(Event::RolePicker(RolePicker {
            profile: profile.to_string(),
            roles,
            current,
        }));
        Ok(Next::PickRole)
    }

    /// What the state file holds for `profile` (empty when nothing).
    fn profile_state(&self, profile: &str) -> Result<crate::session::state::ProfileState> {
        let mut state = self.context().state.load()?;
        Ok(state.profiles.remove(profile).unwrap_or_default())
    }

    /// The roles of the last sign-in and the role in use (for the tray's radio items).
    pub fn roles(&self, profile: &str) -> Result<(Vec<Role>, Option<String>)> {
        let ps = self.profile_state(profile)?;
        Ok((ps.roles, ps.session.map(|s| s.role_arn)))
    }

    pub fn logout(&self, profile: &str) -> Result<()> {
        let ctx = self.context();
        let p = self.profile(profile)?;
        let report = session::logout(&ctx, &p)?;
        lock(&self.assertions).remove(profile);
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
        }
    }

    /// Saves profiles from the editor (validated; comments in the file kept).
    pub fn config_save(&self, profiles: Vec<Profile>) -> Result<ConfigView> {
        let ctx = self.context();
        let config = crate::config::edit::save_profiles(&ctx.config.path, &profiles)?;
        *self.ctx.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(ctx.with_config(config));
        *self.config_error.write().unwrap_or_else(|p| p.into_inner()) = None;
        let view = self.config_get();
        self.sink.emit(Event::ConfigChanged(view.clone()));
        self.replan.notify_one();
        self.note("", Kind::Info, "Settings saved");
        Ok(view)
    }
}

#[cfg(test)]
#[path = "controller_tests.rs"]
mod tests;
