//! The login chain and the session's life: assertion → role → STS → ECR → docker → state.
//!
//! Front ends (CLI, tray app, daemon) call these functions; they hold no logic of their own.

pub mod credentials;
pub mod helper;
pub mod repos;
pub mod schedule;
pub mod secrets;
pub mod state;

use crate::aws::ecr::{self, Ecr, EcrToken};
use crate::aws::profile_source::ProfileSource;
use crate::aws::sts::{self, Credentials, Sts};
use crate::base::clock::{Clock, SystemClock};
use crate::config::{Config, DockerMode, Profile, RegistrySpec};
use crate::docker;
use crate::idp::trust;
use crate::registry::EcrRegistry;
use crate::role::{self, Role};
use crate::saml::Assertion;
use crate::{err, Code, Result};
use secrets::{ChainedCredentials, SecretStore, SessionSecrets};
use serde::Serialize;
use state::{ChainInfo, ProfileState, RegistryInfo, SessionInfo, StateFile};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use time::OffsetDateTime;

type SecretCell = Arc<OnceLock<(Box<dyn SecretStore>, Option<String>)>>;

/// Everything a front end needs to run Dockpass: config, state, secrets, clock, docker path.
#[derive(Clone)]
pub struct Context {
    pub config: Config,
    pub state: StateFile,
    pub clock: Arc<dyn Clock>,
    pub docker_config: PathBuf,
    secrets: SecretCell,
}

impl Context {
    /// The standard locations (DOCKPASS_CONFIG, XDG dirs, DOCKER_CONFIG) and the system clock.
    pub fn load() -> Result<Context> {
        match Context::load_lenient()? {
            (ctx, None) => Ok(ctx),
            (_, Some(problem)) => Err(problem),
        }
    }

    /// Like [`Context::load`], but a missing or broken config file gives an empty config and
    /// the error, so the app can still start, show the problem and offer the editor.
    pub fn load_lenient() -> Result<(Context, Option<crate::Error>)> {
        let path = crate::base::paths::config_file()?;
        let (config, problem) = match Config::load_from(&path) {
            Ok(c) => (c, None),
            Err(e) => (
                Config {
                    path,
                    profiles: vec![],
                },
                Some(e),
            ),
        };
        Ok((
            Context {
                config,
                state: StateFile::default_location()?,
                clock: Arc::new(SystemClock),
                docker_config: docker::config_path()?,
                secrets: Arc::new(OnceLock::new()),
            },
            problem,
        ))
    }

    /// The same context with another config (after the settings editor saved).
    pub fn with_config(&self, config: Config) -> Context {
        Context {
            config,
            ..self.clone()
        }
    }

    /// A context with explicit parts (tests, embedding).
    pub fn new(
        config: Config,
        state: StateFile,
        clock: Arc<dyn Clock>,
        docker_config: PathBuf,
        secrets: Box<dyn SecretStore>,
    ) -> Context {
        let cell = OnceLock::new();
        let _ = cell.set((secrets, None));
        Context {
            config,
            state,
            clock,
            docker_config,
            secrets: Arc::new(cell),
        }
    }

    /// The secret store, opened on first use (the keychain probe costs a D-Bus round trip).
    pub fn secrets(&self) -> &dyn SecretStore {
        self.secrets.get_or_init(secrets::open).0.as_ref()
    }

    /// Why secrets are in memory only, when they are.
    pub fn secrets_warning(&self) -> Option<&str> {
        self.secrets.get_or_init(secrets::open).1.as_deref()
    }

    pub fn profile(&self, name: Option<&str>) -> Result<&Profile> {
        self.config.profile(name)
    }
}

/// A registry to publish: the ECR registry, its extra host names, and the chained role
/// whose credentials reach it (`None`: the session's own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub registry: EcrRegistry,
    pub aliases: Vec<String>,
    pub via: Option<String>,
}

fn spec_registry(r: &RegistrySpec, account: &str, profile_region: &str) -> EcrRegistry {
    if r.public {
        EcrRegistry::public(account)
    } else {
        EcrRegistry::new(
            r.account.as_deref().unwrap_or(account),
            r.region.as_deref().unwrap_or(profile_region),
        )
    }
}

/// The extra host names of a registry: the configured aliases, and ECR Public's dual-stack
/// name, which docker clients use as `public.ecr.aws`.
fn spec_aliases(r: &RegistrySpec) -> Vec<String> {
    let mut out = r.aliases.clone();
    let dual = crate::registry::PUBLIC_DUAL_STACK_HOST;
    if r.public && !out.iter().any(|a| a.eq_ignore_ascii_case(dual)) {
        out.push(dual.to_string());
    }
    out
}

/// The registries of a profile for a role: every `[[profile.registry]]` (or the role's
/// account in the profile's region when none is configured), then every registry of every
/// `[[profile.chain]]` role (default: its account in the profile's region). A host that
/// appears twice is published once, through the first entry.
pub fn targets(profile: &Profile, role_account: &str) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    let mut add = |t: Target| {
        if !out.iter().any(|o| o.registry.host() == t.registry.host()) {
            out.push(t);
        }
    };
    if profile.registry.is_empty() {
        add(Target {
            registry: EcrRegistry::new(role_account, &profile.region),
            aliases: vec![],
            via: None,
        });
    }
    for r in &profile.registry {
        add(Target {
            registry: spec_registry(r, role_account, &profile.region),
            aliases: spec_aliases(r),
            via: None,
        });
    }
    for c in &profile.chain {
        let Ok((_, account, _, _)) = role::parse_role_arn(&c.role_arn) else {
            continue; // validated with the config; never here
        };
        let default = [RegistrySpec {
            account: None,
            region: None,
            aliases: vec![],
            public: false,
        }];
        let specs = if c.registry.is_empty() {
            &default[..]
        } else {
            &c.registry[..]
        };
        for r in specs {
            add(Target {
                registry: spec_registry(r, &account, &profile.region),
                aliases: spec_aliases(r),
                via: Some(c.role_arn.clone()),
            });
        }
    }
    out
}

/// Picks the role: the one asked for, else the profile's, else the last used when the
/// assertion still offers it, else the only one. Several and no hint is an error. A bare
/// role name picks only in the `known` accounts (see `role::select_known`).
pub fn choose_role<'a>(
    roles: &'a [Role],
    asked: Option<&str>,
    profile_role: Option<&str>,
    last: Option<&Role>,
    known: &[String],
) -> Result<&'a Role> {
    if roles.is_empty() {
        return Err(err(Code::SamlNoRoles, "the assertion offers no AWS role"));
    }
    if let Some(sel) = asked {
        return role::select_known(roles, sel, known);
    }
    if let Some(sel) = profile_role {
        return role::select_known(roles, sel, known).map_err(|e| {
            e.context(format!(
                "the profile's role {sel:?} is not usable; fix `role` in the config or pass --role"
            ))
        });
    }
    if let Some(last) = last {
        if let Some(r) = roles.iter().find(|r| r.role_arn == last.role_arn) {
            return Ok(r);
        }
    }
    if roles.len() == 1 {
        return Ok(&roles[0]);
    }
    let list: Vec<String> = roles
        .iter()
        .take(8)
        .map(|r| format!("{}/{}", r.account, r.name))
        .collect();
    Err(err(
        Code::RoleNotChosen,
        format!(
            "the assertion offers {} roles; pick one with --role ACCOUNT/NAME ({}{})",
            roles.len(),
            list.join(", "),
            if roles.len() > 8 { ", ..." } else { "" }
        ),
    ))
}

/// What a login did.
#[derive(Clone, Debug, Serialize)]
pub struct LoginReport {
    pub profile: String,
    pub role_arn: String,
    pub account: String,
    #[serde(with = "crate::base::clock::serde_rfc3339")]
    pub expires_at: OffsetDateTime,
    pub registries: Vec<RegistryStatus>,
    /// Chained roles assumed, with their own expiry.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<ChainStatus>,
    /// Where the secrets went: "keychain" or "memory".
    pub secrets: String,
    /// One-line warnings for the user (e.g. no keychain).
    pub warnings: Vec<String>,
}

impl LoginReport {
    /// For a sign-in that ends with its process (the CLI): why docker will find nothing, if
    /// it will not. In helper mode docker asks docker-credential-dockpass, which answers from
    /// the keychain or from the app or daemon that signed in; a session kept only in this
    /// process's memory reaches neither.
    pub fn unserved_in_helper_mode(&self, profile: &Profile) -> Option<String> {
        if profile.docker != DockerMode::Helper || self.secrets != "memory" {
            return None;
        }
        let daemon = if profile.aws_profile.is_some() {
            ", run `dockpass daemon` (it signs in this profile itself and serves docker)"
        } else {
            ", sign in from the tray app (it serves docker while it runs)"
        };
        Some(format!(
            "docker will get \"credentials not found\" for {}: docker = \"helper\" reads the session from the keychain or from the running app or daemon, and this session is in neither (no keychain); set up a keychain (a Secret Service such as gnome-keyring){daemon}, or use docker = \"config\"",
            self.registries
                .iter()
                .map(|r| r.host.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// A chained role's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainStatus {
    pub role_arn: String,
    pub account: String,
    #[serde(with = "crate::base::clock::serde_rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// The base credentials of a session and who they are.
struct Base {
    role_arn: String,
    account: String,
    credentials: Credentials,
    /// RoleSessionName for chained roles.
    session_name: String,
    /// SAML: the role picked (remembered for the next login), all the assertion offered and
    /// its issuer (remembered, see trust.rs).
    role: Option<Role>,
    roles: Option<Vec<Role>>,
    issuer: Option<String>,
    subject: Option<String>,
}

/// How a sign-in with an assertion goes.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoginOptions<'a> {
    /// The role asked for (`--role`, a role switch); else chosen as `choose_role` says.
    pub role: Option<&'a str>,
    /// The user confirmed a new issuer or account (`--trust-new-account`, the app's dialog).
    pub trust_new: bool,
}

/// Signs in with a captured assertion: role → trust → STS → chained roles and ECR tokens →
/// docker config → state.
pub async fn login<A: Sts + Ecr>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    assertion: &Assertion,
    opts: LoginOptions<'_>,
) -> Result<LoginReport> {
    open_secrets_early(ctx);
    crate::base::deadline::bounded(
        "signing in",
        login_unbounded(ctx, aws, profile, assertion, opts),
    )
    .await
}

/// Opens the secret store on a blocking thread while STS and ECR answer: the keychain probe
/// is a D-Bus connection and a key exchange (about 10 ms) that would otherwise wait for
/// them. Whoever needs the store later waits for this one opening (`OnceLock`).
fn open_secrets_early(ctx: &Context) {
    if ctx.secrets.get().is_some() {
        return;
    }
    if let Ok(rt) = tokio::runtime::Handle::try_current() {
        let ctx = ctx.clone();
        drop(rt.spawn_blocking(move || {
            ctx.secrets();
        }));
    }
}

/// What a sign-in with an assertion would do, worked out before anything is asked of AWS.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The role it would use.
    pub role: Role,
    /// What the user must confirm first, if anything.
    pub question: Option<trust::Question>,
    /// The role of the profile's session before it (a different one makes it a switch).
    pub previous_role: Option<String>,
}

/// The plan of a sign-in with `assertion` (role, trust), from the profile's state.
pub fn plan_login(
    ctx: &Context,
    profile: &Profile,
    assertion: &Assertion,
    opts: LoginOptions<'_>,
) -> Result<Plan> {
    let state = ctx.state.load()?;
    let pstate = state
        .profiles
        .get(&profile.name)
        .cloned()
        .unwrap_or_default();
    let known = pstate.known();
    let accounts = known.accounts_with(&profile.accounts);
    let role = choose_role(
        &assertion.roles,
        opts.role,
        profile.role.as_deref(),
        pstate.role.as_ref(),
        &accounts,
    )?
    .clone();
    let question = match opts.trust_new {
        true => None,
        false => known.question(profile, assertion.issuer.as_deref(), &role),
    };
    Ok(Plan {
        role,
        question,
        previous_role: pstate.session.map(|s| s.role_arn),
    })
}

async fn login_unbounded<A: Sts + Ecr>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    assertion: &Assertion,
    opts: LoginOptions<'_>,
) -> Result<LoginReport> {
    let now = ctx.clock.now();
    assertion.check_not_expired(now)?;
    assertion.check_addressed_to_aws()?;
    let Plan { role, question, .. } = plan_login(ctx, profile, assertion, opts)?;
    if let Some(q) = question {
        return Err(q.to_error());
    }
    let credentials = sts::assume_role_with_saml(
        aws,
        &role,
        assertion,
        profile.session_duration.map(|d| d.0),
        now,
    )
    .await?;
    let base = Base {
        role_arn: role.role_arn.clone(),
        account: role.account.clone(),
        credentials,
        session_name: sts::session_name(
            assertion
                .role_session_name
                .as_deref()
                .or(assertion.subject.as_deref()),
        ),
        role: Some(role),
        roles: Some(assertion.roles.clone()),
        issuer: assertion.issuer.clone(),
        subject: assertion.subject.clone(),
    };
    establish(ctx, aws, profile, base).await
}

/// Signs in with an AWS shared-config profile (`aws_profile`): its credentials through
/// aws-config's standard chain, then the same chained roles, tokens and docker config.
pub async fn login_aws_profile<A: Sts + Ecr + ProfileSource>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
) -> Result<LoginReport> {
    open_secrets_early(ctx);
    crate::base::deadline::bounded("signing in", login_aws_profile_unbounded(ctx, aws, profile))
        .await
}

async fn login_aws_profile_unbounded<A: Sts + Ecr + ProfileSource>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
) -> Result<LoginReport> {
    let Some(name) = profile.aws_profile.as_deref() else {
        return Err(err(
            Code::Usage,
            format!(
                "profile {} signs in at its IdP, not with an AWS profile",
                profile.name
            ),
        ));
    };
    let credentials = {
        let _waiting = crate::base::deadline::waiting(format!("AWS profile {name:?}"));
        aws.profile_credentials(name).await?
    };
    let id = {
        let _waiting = crate::base::deadline::waiting("AWS STS");
        aws.caller_identity(&credentials).await?
    };
    let base = Base {
        role_arn: role_arn_of(&id.arn),
        account: id.account,
        credentials,
        session_name: "dockpass".into(),
        role: None,
        roles: None,
        issuer: None,
        subject: Some(id.arn),
    };
    establish(ctx, aws, profile, base).await
}

/// `arn:aws:sts::1:assumed-role/Name/session` → `arn:aws:iam::1:role/Name`; other ARNs as they are.
fn role_arn_of(caller_arn: &str) -> String {
    let parts: Vec<&str> = caller_arn.splitn(6, ':').collect();
    if let [arn, partition, "sts", "", account, resource] = parts[..] {
        if let Some(rest) = resource.strip_prefix("assumed-role/") {
            let name = rest.split('/').next().unwrap_or(rest);
            return format!("{arn}:{partition}:iam::{account}:role/{name}");
        }
    }
    caller_arn.to_string()
}

/// Chained roles and tokens for every target, concurrently: the session's own registries
/// start at once; each chained role's registries start as soon as that role is assumed.
async fn fetch_all<A: Sts + Ecr>(
    aws: &A,
    base: &Credentials,
    session_name: &str,
    targets: &[Target],
) -> Result<(Vec<ChainedCredentials>, Vec<EcrToken>)> {
    let regs_of = |via: Option<&str>| -> Vec<EcrRegistry> {
        targets
            .iter()
            .filter(|t| t.via.as_deref() == via)
            .map(|t| t.registry.clone())
            .collect()
    };
    let mut roles: Vec<&str> = Vec::new();
    for t in targets {
        if let Some(v) = t.via.as_deref() {
            if !roles.contains(&v) {
                roles.push(v);
            }
        }
    }
    let own = regs_of(None);
    let own_fut = ecr::authorization_tokens(aws, base, &own);
    let chain_futs = roles.iter().map(|arn| {
        let regs = regs_of(Some(arn));
        async move {
            let c = sts::assume_chained(aws, base, arn, session_name).await?;
            let toks = ecr::authorization_tokens(aws, &c, &regs).await?;
            Ok::<_, crate::Error>((
                ChainedCredentials {
                    role_arn: arn.to_string(),
                    credentials: c,
                },
                toks,
            ))
        }
    });
    let (own_toks, chained) = futures::join!(own_fut, futures::future::join_all(chain_futs));
    let mut tokens = own_toks?;
    let mut creds = Vec::new();
    for r in chained {
        let (c, t) = r?;
        creds.push(c);
        tokens.extend(t);
    }
    Ok((creds, in_target_order(targets, tokens)))
}

fn in_target_order(targets: &[Target], mut tokens: Vec<EcrToken>) -> Vec<EcrToken> {
    let mut out = Vec::with_capacity(targets.len());
    for t in targets {
        if let Some(i) = tokens.iter().position(|k| k.registry == t.registry) {
            out.push(tokens.swap_remove(i));
        }
    }
    out
}

/// The common end of every sign-in: chained roles, tokens, one docker config write, the
/// keychain and the state file.
async fn establish<A: Sts + Ecr>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    base: Base,
) -> Result<LoginReport> {
    let now = ctx.clock.now();
    let targets = targets(profile, &base.account);
    let (chained, tokens) = fetch_all(aws, &base.credentials, &base.session_name, &targets).await?;

    let previous = ctx
        .state
        .load()?
        .profiles
        .get(&profile.name)
        .and_then(|p| p.session.clone());
    let written = publish(ctx, profile, &targets, &tokens, previous.as_ref())?;

    // The docker config is written. The keychain (D-Bus round trips, key exchanges, the
    // keyring's own file) and the state file are independent: write them at once. The state
    // names the secrets' backend; in the rare case the keychain refuses, it is corrected.
    let secrets = SessionSecrets {
        credentials: base.credentials.clone(),
        tokens: tokens.clone(),
        chained: chained.clone(),
    };
    let saving = {
        let (ctx, name) = (ctx.clone(), profile.name.clone());
        tokio::task::spawn_blocking(move || {
            let store = ctx.secrets();
            let saved = store.save(&name, &secrets).map_err(|e| e.message);
            let why = ctx.secrets_warning().map(str::to_string);
            (store.backend(), why, saved)
        })
    };
    let backend = ctx.secrets().backend();
    let registries = registry_infos(&targets, &tokens, now);

    let chain: Vec<ChainInfo> = chained
        .iter()
        .map(|c| ChainInfo {
            account: role::parse_role_arn(&c.role_arn)
                .map(|r| r.1)
                .unwrap_or_default(),
            role_arn: c.role_arn.clone(),
            issued_at: now,
            expires_at: c.credentials.expires_at,
        })
        .collect();
    let info = SessionInfo {
        role_arn: base.role_arn.clone(),
        account: base.account.clone(),
        started_at: now,
        expires_at: base.credentials.expires_at,
        registries: registries.clone(),
        docker_config: ctx.docker_config.clone(),
        written,
        secrets: backend.to_string(),
        chain: chain.clone(),
    };
    let stated = ctx.state.update(|state| {
        let pstate = state.profiles.entry(profile.name.clone()).or_default();
        if let Some(r) = base.role {
            let mut known = pstate.known();
            known.remember(base.issuer.as_deref(), &r.account);
            pstate.known = known;
            pstate.role = Some(r);
        }
        if let Some(r) = base.roles {
            pstate.roles = r;
        }
        pstate.subject = base.subject;
        pstate.session = Some(info);
        pstate.last_error = None;
    });
    let (backend, why, saved) = saving.await.map_err(|e| {
        err(
            Code::Internal,
            format!("the keychain write did not finish: {e}"),
        )
    })?;
    stated?;
    let mut backend = backend.to_string();
    let mut warnings = Vec::new();
    // In helper mode nothing is written for docker to read: the helper asks for the session.
    let ends = match profile.docker {
        DockerMode::Config => {
            "docker credentials are written, but the session ends with this process"
        }
        DockerMode::Helper => "the session ends with this process",
    };
    if let Some(why) = why {
        warnings.push(format!("keychain unavailable: {why}; {ends}"));
    }
    if let Err(message) = saved {
        warnings.push(format!(
            "could not keep the session in the keychain: {message}; {ends}"
        ));
        backend = "memory".into();
        ctx.state.update(|state| {
            if let Some(s) = state
                .profiles
                .get_mut(&profile.name)
                .and_then(|p| p.session.as_mut())
            {
                s.secrets = backend.clone();
            }
        })?;
    }

    Ok(LoginReport {
        profile: profile.name.clone(),
        role_arn: base.role_arn,
        account: base.account,
        expires_at: base.credentials.expires_at,
        registries: registry_statuses(&registries),
        chain: chain_statuses(&chain),
        secrets: backend,
        warnings,
    })
}

fn chain_statuses(chain: &[ChainInfo]) -> Vec<ChainStatus> {
    chain
        .iter()
        .map(|c| ChainStatus {
            role_arn: c.role_arn.clone(),
            account: c.account.clone(),
            expires_at: c.expires_at,
        })
        .collect()
}

fn registry_infos(
    targets: &[Target],
    tokens: &[EcrToken],
    now: OffsetDateTime,
) -> Vec<RegistryInfo> {
    targets
        .iter()
        .zip(tokens)
        .map(|(t, tok)| RegistryInfo {
            host: t.registry.host(),
            account: t.registry.account.clone(),
            region: t.registry.region.clone(),
            aliases: t.aliases.clone(),
            issued_at: Some(now),
            expires_at: tok.expires_at,
            via: t.via.clone(),
            variant: t.registry.variant,
        })
        .collect()
}

/// What a token refresh did.
#[derive(Clone, Debug, Serialize)]
pub struct RefreshReport {
    pub profile: String,
    pub registries: Vec<RegistryStatus>,
    /// Hosts whose token was fetched now (the others were not due).
    pub refreshed: Vec<String>,
    /// Chained roles assumed again now.
    pub chain_refreshed: Vec<String>,
}

/// Work closer than this to being due is done with what is due now: one write, not two.
const BATCH: Duration = Duration::from_secs(60);

/// Fetches fresh ECR tokens (and re-assumes chained roles) with the session's credentials
/// from the secret store, and rewrites the docker config when a token changed. `force`
/// refreshes everything ("Refresh now"); otherwise only what is due. A failure is recorded
/// as the profile's error and leaves the last good credentials in place.
pub async fn refresh_tokens<A: Sts + Ecr>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    force: bool,
) -> Result<RefreshReport> {
    let result = crate::base::deadline::bounded(
        "refreshing the ECR tokens",
        refresh_tokens_inner(ctx, aws, profile, force),
    )
    .await;
    if let Err(e) = &result {
        let _ = ctx.state.update(|s| {
            if let Some(p) = s.profiles.get_mut(&profile.name) {
                if p.session.is_some() {
                    p.last_error = Some(e.clone());
                }
            }
        });
    }
    result
}

/// The live session and its secrets, or why there is none (exit 3: sign in).
pub fn live_session(ctx: &Context, profile: &Profile) -> Result<(SessionInfo, SessionSecrets)> {
    let now = ctx.clock.now();
    let state = ctx.state.load()?;
    let Some(session) = state
        .profiles
        .get(&profile.name)
        .and_then(|p| p.session.clone())
    else {
        return Err(err(
            Code::NotLoggedIn,
            format!("profile {} is not signed in; sign in first", profile.name),
        ));
    };
    let Some(secrets) = ctx.secrets().load(&profile.name)? else {
        let why = match ctx.secrets_warning() {
            Some(w) => {
                format!("the session's credentials live only in the process that signed in ({w})")
            }
            None => "the session's credentials are not in the keychain".to_string(),
        };
        return Err(err(Code::NotLoggedIn, format!("{why}; sign in again")));
    };
    if now >= secrets.credentials.expires_at {
        return Err(err(
            Code::NotLoggedIn,
            format!(
                "the AWS session of profile {} ended at {}; sign in again",
                profile.name,
                crate::base::clock::rfc3339(secrets.credentials.expires_at)
            ),
        ));
    }
    Ok((session, secrets))
}

/// Registries added to the profile since the sign-in (the setup's proposals, the settings
/// editor) join the live session with no token yet, so this refresh fetches and publishes
/// them. Those reached through a chained role the session has not assumed wait for the next
/// sign-in. Registries removed from the profile stay until then (their entries are the
/// session's to take back at logout).
fn adopt_new_targets(session: &mut SessionInfo, profile: &Profile, now: OffsetDateTime) {
    for t in targets(profile, &session.account) {
        let host = t.registry.host();
        let reachable = t
            .via
            .as_deref()
            .is_none_or(|v| session.chain.iter().any(|c| c.role_arn == v));
        if reachable && !session.registries.iter().any(|r| r.host == host) {
            session.registries.push(RegistryInfo {
                host,
                account: t.registry.account.clone(),
                region: t.registry.region.clone(),
                aliases: t.aliases,
                issued_at: Some(now),
                expires_at: now,
                via: t.via,
                variant: t.registry.variant,
            });
        }
    }
}

async fn refresh_tokens_inner<A: Sts + Ecr>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    force: bool,
) -> Result<RefreshReport> {
    let now = ctx.clock.now();
    let rb = profile.refresh_before();
    let (mut session, mut secrets) = live_session(ctx, profile)?;
    adopt_new_targets(&mut session, profile, now);
    let due = |issued: OffsetDateTime, expires: OffsetDateTime| {
        force || now + BATCH >= crate::session::schedule::token_refresh_at(issued, expires, rb)
    };

    // Chained roles first: a registry reached through one may need its fresh credentials.
    let name = sts::session_name(
        ctx.state
            .load()?
            .profiles
            .get(&profile.name)
            .and_then(|p| p.subject.clone())
            .as_deref(),
    );
    let name = if profile.aws_profile.is_some() {
        "dockpass".to_string()
    } else {
        name
    };
    let chain_due: Vec<&ChainInfo> = session
        .chain
        .iter()
        .filter(|c| {
            due(c.issued_at, c.expires_at) || secrets.credentials_for(Some(&c.role_arn)).is_none()
        })
        .collect();
    let base = secrets.credentials.clone();
    let assumed = futures::future::join_all(chain_due.iter().map(|c| {
        let base = &base;
        let name = &name;
        async move { sts::assume_chained(aws, base, &c.role_arn, name).await }
    }))
    .await;
    let mut chain = session.chain.clone();
    let mut chain_refreshed = Vec::new();
    for (c, r) in chain_due.iter().zip(assumed) {
        let creds = r?;
        secrets.chained.retain(|x| x.role_arn != c.role_arn);
        secrets.chained.push(ChainedCredentials {
            role_arn: c.role_arn.clone(),
            credentials: creds.clone(),
        });
        if let Some(ci) = chain.iter_mut().find(|x| x.role_arn == c.role_arn) {
            ci.issued_at = now;
            ci.expires_at = creds.expires_at;
        }
        chain_refreshed.push(c.role_arn.clone());
    }

    let targets: Vec<Target> = session
        .registries
        .iter()
        .map(|r| Target {
            registry: r.registry(),
            aliases: r.aliases.clone(),
            via: r.via.clone(),
        })
        .collect();
    let due_regs: Vec<&RegistryInfo> = session
        .registries
        .iter()
        .filter(|r| {
            due(r.issued_at.unwrap_or(session.started_at), r.expires_at)
                || !secrets.tokens.iter().any(|t| t.registry == r.registry())
        })
        .collect();
    // By the credentials that reach them, so that each group's tokens come in as few calls as
    // ECR allows (ecr::authorization_tokens).
    let mut groups: Vec<(Option<&str>, Vec<EcrRegistry>)> = Vec::new();
    for r in &due_regs {
        let via = r.via.as_deref();
        match groups.iter_mut().find(|(v, _)| *v == via) {
            Some((_, regs)) => regs.push(r.registry()),
            None => groups.push((via, vec![r.registry()])),
        }
    }
    let fetched = futures::future::join_all(groups.iter().map(|(via, regs)| {
        let creds = secrets.credentials_for(*via).cloned();
        async move {
            let Some(creds) = creds else {
                return Err(err(
                    Code::NotLoggedIn,
                    format!(
                        "no credentials for the chained role {}; sign in again",
                        via.unwrap_or("")
                    ),
                ));
            };
            ecr::authorization_tokens(aws, &creds, regs).await
        }
    }))
    .await;
    let mut refreshed = Vec::new();
    for r in fetched {
        for tok in r? {
            refreshed.push(tok.registry.host());
            secrets.tokens.retain(|t| t.registry != tok.registry);
            secrets.tokens.push(tok);
        }
    }
    let tokens = in_target_order(&targets, secrets.tokens.clone());
    secrets.tokens = tokens.clone();

    let written = if refreshed.is_empty() {
        session.written.clone()
    } else {
        publish(ctx, profile, &targets, &tokens, Some(&session))?
    };
    if !(refreshed.is_empty() && chain_refreshed.is_empty()) {
        if let Err(e) = ctx.secrets().save(&profile.name, &secrets) {
            tracing::warn!("could not update the keychain: {}", e.message);
        }
    }
    let registries: Vec<RegistryInfo> = session
        .registries
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if refreshed.contains(&r.host) {
                if let Some(t) = tokens.iter().find(|t| t.registry == r.registry()) {
                    r.issued_at = Some(now);
                    r.expires_at = t.expires_at;
                }
            }
            r
        })
        .collect();
    ctx.state.update(|s| {
        let p = s.profiles.entry(profile.name.clone()).or_default();
        if let Some(sess) = p.session.as_mut() {
            sess.registries = registries.clone();
            sess.chain = chain.clone();
            sess.written = written;
            sess.docker_config = ctx.docker_config.clone();
        }
        p.last_error = None;
    })?;
    Ok(RefreshReport {
        profile: profile.name.clone(),
        registries: registry_statuses(&registries),
        refreshed,
        chain_refreshed,
    })
}

/// Writes the tokens to docker the profile's way; returns what was written (for logout).
fn publish(
    ctx: &Context,
    profile: &Profile,
    targets: &[Target],
    tokens: &[EcrToken],
    previous: Option<&SessionInfo>,
) -> Result<Vec<docker::Written>> {
    let mut creds = Vec::new();
    for (t, tok) in targets.iter().zip(tokens) {
        for host in std::iter::once(t.registry.host()).chain(t.aliases.iter().cloned()) {
            creds.push(docker::Credential {
                host,
                username: tok.username.clone(),
                secret: tok.password.clone(),
            });
        }
    }
    // Entries of the previous session that this one will not overwrite the same way go
    // first: hosts no longer published, and helper-mode entries when the mode changed (a
    // `credHelpers[HOST] = "dockpass"` left behind would capture the config-mode write).
    if let Some(prev) = previous {
        let helper_mode = profile.docker == DockerMode::Helper;
        let stale: Vec<docker::Written> = prev
            .written
            .iter()
            .filter(|w| {
                let same_mode = matches!(w.via, docker::Via::CredHelper { .. }) == helper_mode;
                !creds.iter().any(|c| c.host == w.host) || !same_mode
            })
            .cloned()
            .collect();
        if !stale.is_empty() {
            docker::remove(&prev.docker_config, &stale)?;
        }
    }
    let mut written = match profile.docker {
        DockerMode::Config => docker::publish(&ctx.docker_config, &creds)?,
        DockerMode::Helper => {
            let hosts: Vec<String> = creds.iter().map(|c| c.host.clone()).collect();
            docker::set_cred_helpers(&ctx.docker_config, &hosts, "dockpass")?
        }
    };
    // An `auths` object the first publish created stays ours to drop at logout.
    if previous.is_some_and(|p| p.written.iter().any(|w| w.created_auths)) {
        for w in &mut written {
            w.created_auths = !matches!(w.via, docker::Via::CredHelper { .. });
        }
    }
    Ok(written)
}

/// The session state names of design.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    LoggedOut,
    Active,
    Expiring,
    Expired,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegistryStatus {
    pub host: String,
    #[serde(with = "crate::base::clock::serde_rfc3339")]
    pub expires_at: OffsetDateTime,
}

fn registry_statuses(regs: &[RegistryInfo]) -> Vec<RegistryStatus> {
    regs.iter()
        .flat_map(|r| {
            std::iter::once(r.host.clone())
                .chain(r.aliases.iter().cloned())
                .map(move |host| RegistryStatus {
                    host,
                    expires_at: r.expires_at,
                })
        })
        .collect()
}

/// `dockpass status --json`.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub profile: String,
    pub state: SessionState,
    pub role_arn: Option<String>,
    pub account: Option<String>,
    #[serde(with = "crate::base::clock::serde_rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    pub registries: Vec<RegistryStatus>,
    /// Chained roles and when their credentials end.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<ChainStatus>,
    /// Who signed in (the assertion's NameID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Where the session's secrets are kept: "keychain" or "memory" (as of the sign-in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secrets: Option<String>,
    /// The last error while state is `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::Error>,
}

/// The profile's state now.
pub fn status(ctx: &Context, profile: &Profile) -> Result<Status> {
    let state = ctx.state.load()?;
    let p = state
        .profiles
        .get(&profile.name)
        .cloned()
        .unwrap_or_default();
    Ok(status_of(&profile.name, &p, profile, ctx.clock.now()))
}

/// Derives the status from stored facts and the time.
pub fn status_of(name: &str, p: &ProfileState, profile: &Profile, now: OffsetDateTime) -> Status {
    let Some(s) = &p.session else {
        return Status {
            profile: name.to_string(),
            state: if p.last_error.is_some() {
                SessionState::Error
            } else {
                SessionState::LoggedOut
            },
            role_arn: None,
            account: None,
            expires_at: None,
            registries: vec![],
            chain: vec![],
            subject: None,
            secrets: None,
            error: p.last_error.clone(),
        };
    };
    let state = if now >= s.expires_at {
        SessionState::Expired
    } else if p.last_error.is_some() {
        SessionState::Error
    } else if now + profile.refresh_before() >= s.expires_at {
        SessionState::Expiring
    } else {
        SessionState::Active
    };
    Status {
        profile: name.to_string(),
        state,
        role_arn: Some(s.role_arn.clone()),
        account: Some(s.account.clone()),
        expires_at: Some(s.expires_at),
        registries: registry_statuses(&s.registries),
        chain: chain_statuses(&s.chain),
        subject: p.subject.clone(),
        secrets: Some(s.secrets.clone()),
        error: p.last_error.clone(),
    }
}

/// The last assertion's roles and the remembered one.
pub fn roles(ctx: &Context, profile: &Profile) -> Result<(Vec<Role>, Option<Role>)> {
    let state = ctx.state.load()?;
    let p = state
        .profiles
        .get(&profile.name)
        .cloned()
        .unwrap_or_default();
    Ok((p.roles, p.role))
}

/// What a logout did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LogoutReport {
    pub profile: String,
    /// Docker entries removed.
    pub removed: Vec<String>,
    /// Docker entries left alone because someone changed them since we wrote them.
    pub kept_changed: Vec<String>,
    /// Entries that could not be removed (a failing credential helper).
    #[serde(skip)]
    pub failed: Vec<docker::HostError>,
    pub was_logged_in: bool,
}

/// Removes exactly the docker entries we wrote (while unchanged), the secrets and the
/// session. The remembered role and role list stay.
pub fn logout(ctx: &Context, profile: &Profile) -> Result<LogoutReport> {
    let state = ctx.state.load()?;
    let mut report = LogoutReport {
        profile: profile.name.clone(),
        ..Default::default()
    };
    let session = state
        .profiles
        .get(&profile.name)
        .and_then(|p| p.session.clone());
    if let Some(s) = &session {
        report.was_logged_in = true;
        if !s.written.is_empty() {
            let r = docker::remove(&s.docker_config, &s.written)?;
            report.removed = r.removed;
            report.kept_changed = r.kept_changed;
            report.failed = r.failed;
        }
    }
    if !report.failed.is_empty() {
        // Keep the session (and what we wrote) so a later logout can finish the job.
        let hosts: Vec<&str> = report.failed.iter().map(|f| f.host.as_str()).collect();
        let first = &report.failed[0].error.message;
        return Err(err(
            Code::DockerHelper,
            format!(
                "could not remove the docker credentials for {} ({first}); fix that and run logout again",
                hosts.join(", ")
            ),
        ));
    }
    ctx.secrets().delete(&profile.name)?;
    if state.profiles.contains_key(&profile.name) {
        ctx.state.update(|s| {
            if let Some(p) = s.profiles.get_mut(&profile.name) {
                p.session = None;
                p.last_error = None;
            }
        })?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles() -> Vec<Role> {
        [
            "arn:aws:iam::111111111111:role/Developer,arn:aws:iam::111111111111:saml-provider/IdP",
            "arn:aws:iam::111111111111:role/ReadOnly,arn:aws:iam::111111111111:saml-provider/IdP",
            "arn:aws:iam::222222222222:role/Developer,arn:aws:iam::222222222222:saml-provider/IdP",
        ]
        .iter()
        .map(|v| Role::from_attribute_value(v).unwrap())
        .collect()
    }

    #[test]
    fn role_choice_order() {
        let r = roles();
        assert_eq!(
            choose_role(
                &r,
                Some("111111111111/ReadOnly"),
                Some("Developer"),
                None,
                &[]
            )
            .unwrap()
            .name,
            "ReadOnly"
        );
        assert_eq!(
            choose_role(&r, None, Some("222222222222/Developer"), Some(&r[1]), &[])
                .unwrap()
                .account,
            "222222222222"
        );
        assert_eq!(
            choose_role(&r, None, None, Some(&r[1]), &[]).unwrap().name,
            "ReadOnly"
        );
        let e = choose_role(&r, None, None, None, &[]).unwrap_err();
        assert_eq!(e.code, Code::RoleNotChosen);
        assert!(e.message.contains("111111111111/ReadOnly"), "{}", e.message);
        assert_eq!(
            choose_role(&r[..1], None, None, None, &[]).unwrap().name,
            "Developer"
        );
        assert_eq!(
            choose_role(&r, Some("Developer"), None, None, &[])
                .unwrap_err()
                .code,
            Code::RoleAmbiguous
        );
    }

    #[test]
    fn default_target_is_role_account_in_profile_region() {
        let c = Config::parse(
            "[[profile]]\nname=\"p\"\nidp_url=\"https://x\"\nregion=\"eu-west-1\"\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap();
        let t = targets(&c.profiles[0], "123456789012");
        assert_eq!(
            t[0].registry.host(),
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
        );
        let c = Config::parse(
            "[[profile]]\nname=\"p\"\nidp_url=\"https://x\"\nregion=\"eu-west-1\"\n[[profile.registry]]\nregion=\"us-east-1\"\naliases=[\"r.example\"]\n[[profile.registry]]\naccount=\"999999999999\"\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap();
        let t = targets(&c.profiles[0], "123456789012");
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].registry, EcrRegistry::new("123456789012", "us-east-1"));
        assert_eq!(t[0].aliases, vec!["r.example"]);
        assert_eq!(t[1].registry, EcrRegistry::new("999999999999", "eu-west-1"));
    }
}
