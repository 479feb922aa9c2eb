//! The login chain and the session's life: assertion → role → STS → ECR → docker → state.
//!
//! Front ends (CLI, tray app, daemon) call these functions; they hold no logic of their own.

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, DockerMode, Profile};
use crate::docker;
use crate::ecr::{self, Ecr, EcrToken};
use crate::registry::EcrRegistry;
use crate::role::{self, Role};
use crate::saml::Assertion;
use crate::secrets::{self, SecretStore, SessionSecrets};
use crate::state::{ProfileState, RegistryInfo, SessionInfo, StateFile};
use crate::sts::{self, Sts};
use crate::{err, Code, Result};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
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
        let path = crate::paths::config_file()?;
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

/// A registry to publish: the ECR registry and its extra host names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub registry: EcrRegistry,
    pub aliases: Vec<String>,
}

/// The registries of a profile for a role: every `[[profile.registry]]`, or the role's
/// account in the profile's region when none is configured.
pub fn targets(profile: &Profile, role_account: &str) -> Vec<Target> {
    if profile.registry.is_empty() {
        return vec![Target {
            registry: EcrRegistry::new(role_account, &profile.region),
            aliases: vec![],
        }];
    }
    profile
        .registry
        .iter()
        .map(|r| Target {
            registry: EcrRegistry::new(
                r.account.as_deref().unwrap_or(role_account),
                r.region.as_deref().unwrap_or(&profile.region),
            ),
            aliases: r.aliases.clone(),
        })
        .collect()
}

/// Picks the role: the one asked for, else the profile's, else the last used when the
/// assertion still offers it, else the only one. Several and no hint is an error.
pub fn choose_role<'a>(
    roles: &'a [Role],
    asked: Option<&str>,
    profile_role: Option<&str>,
    last: Option<&Role>,
) -> Result<&'a Role> {
    if roles.is_empty() {
        return Err(err(Code::SamlNoRoles, "the assertion offers no AWS role"));
    }
    if let Some(sel) = asked {
        return role::select(roles, sel);
    }
    if let Some(sel) = profile_role {
        return role::select(roles, sel).map_err(|e| {
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
    #[serde(with = "crate::clock::serde_rfc3339")]
    pub expires_at: OffsetDateTime,
    pub registries: Vec<RegistryStatus>,
    /// Where the secrets went: "keychain" or "memory".
    pub secrets: String,
    /// One-line warnings for the user (e.g. no keychain).
    pub warnings: Vec<String>,
}

/// Signs in with a captured assertion: role → STS → ECR tokens → docker config → state.
pub async fn login<A: Sts + Ecr>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    assertion: &Assertion,
    asked_role: Option<&str>,
) -> Result<LoginReport> {
    let now = ctx.clock.now();
    assertion.check_not_expired(now)?;
    let mut state = ctx.state.load()?;
    let pstate = state.profiles.entry(profile.name.clone()).or_default();
    let role = choose_role(
        &assertion.roles,
        asked_role,
        profile.role.as_deref(),
        pstate.role.as_ref(),
    )?
    .clone();

    let creds = sts::assume_role_with_saml(
        aws,
        &role,
        assertion,
        profile.session_duration.map(|d| d.0),
        now,
    )
    .await?;
    let targets = targets(profile, &role.account);
    let regs: Vec<EcrRegistry> = targets.iter().map(|t| t.registry.clone()).collect();
    let tokens = ecr::authorization_tokens(aws, &creds, &regs).await?;

    let previous = pstate.session.take();
    let written = publish(ctx, profile, &targets, &tokens, previous.as_ref())?;

    let mut warnings = Vec::new();
    let secrets = SessionSecrets {
        credentials: creds.clone(),
        tokens: tokens.clone(),
    };
    let store = ctx.secrets();
    let mut backend = store.backend().to_string();
    if let Some(why) = ctx.secrets_warning() {
        warnings.push(format!(
            "keychain unavailable: {why}; docker credentials are written, but the session ends with this process"
        ));
    }
    if let Err(e) = store.save(&profile.name, &secrets) {
        warnings.push(format!(
            "could not keep the session in the keychain: {}; docker credentials are written, but the session ends with this process",
            e.message
        ));
        backend = "memory".into();
    }

    let registries = registry_infos(&targets, &tokens, now);
    let info = SessionInfo {
        role_arn: role.role_arn.clone(),
        account: role.account.clone(),
        started_at: now,
        expires_at: creds.expires_at,
        registries: registries.clone(),
        docker_config: ctx.docker_config.clone(),
        written,
        secrets: backend.clone(),
    };
    let pstate = state.profiles.entry(profile.name.clone()).or_default();
    pstate.role = Some(role.clone());
    pstate.roles = assertion.roles.clone();
    pstate.subject = assertion.subject.clone();
    pstate.session = Some(info);
    pstate.last_error = None;
    ctx.state.save(&state)?;

    Ok(LoginReport {
        profile: profile.name.clone(),
        role_arn: role.role_arn,
        account: role.account,
        expires_at: creds.expires_at,
        registries: registry_statuses(&registries),
        secrets: backend,
        warnings,
    })
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
        })
        .collect()
}

/// What a token refresh did.
#[derive(Clone, Debug, Serialize)]
pub struct RefreshReport {
    pub profile: String,
    pub registries: Vec<RegistryStatus>,
}

/// Fetches fresh ECR tokens for the session's registries with the session's STS credentials
/// (from the secret store) and rewrites the docker config. A failure is recorded as the
/// profile's error and leaves the last good credentials in place.
pub async fn refresh_tokens<E: Ecr>(
    ctx: &Context,
    ecr: &E,
    profile: &Profile,
) -> Result<RefreshReport> {
    let result = refresh_tokens_inner(ctx, ecr, profile).await;
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

async fn refresh_tokens_inner<E: Ecr>(
    ctx: &Context,
    ecr: &E,
    profile: &Profile,
) -> Result<RefreshReport> {
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
    let store = ctx.secrets();
    let Some(mut secrets) = store.load(&profile.name)? else {
        let why = match ctx.secrets_warning() {
            Some(w) => {
                format!("the session's credentials live only in the process that signed in ({w})")
            }
            None => "the session's credentials are not in the keychain".to_string(),
        };
        return Err(err(
            Code::NotLoggedIn,
            format!("{why}; sign in again to refresh"),
        ));
    };
    if now >= secrets.credentials.expires_at {
        return Err(err(
            Code::NotLoggedIn,
            format!(
                "the AWS session of profile {} ended at {}; sign in again",
                profile.name,
                crate::clock::rfc3339(secrets.credentials.expires_at)
            ),
        ));
    }
    let targets: Vec<Target> = session
        .registries
        .iter()
        .map(|r| Target {
            registry: EcrRegistry::new(&r.account, &r.region),
            aliases: r.aliases.clone(),
        })
        .collect();
    let regs: Vec<EcrRegistry> = targets.iter().map(|t| t.registry.clone()).collect();
    let tokens = ecr::authorization_tokens(ecr, &secrets.credentials, &regs).await?;
    let written = publish(ctx, profile, &targets, &tokens, Some(&session))?;
    secrets.tokens = tokens.clone();
    if let Err(e) = store.save(&profile.name, &secrets) {
        tracing::warn!("could not update the keychain: {}", e.message);
    }
    let registries = registry_infos(&targets, &tokens, now);
    ctx.state.update(|s| {
        let p = s.profiles.entry(profile.name.clone()).or_default();
        if let Some(sess) = p.session.as_mut() {
            sess.registries = registries.clone();
            sess.written = written;
            sess.docker_config = ctx.docker_config.clone();
        }
        p.last_error = None;
    })?;
    Ok(RefreshReport {
        profile: profile.name.clone(),
        registries: registry_statuses(&registries),
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
    match profile.docker {
        DockerMode::Config => docker::publish(&ctx.docker_config, &creds),
        DockerMode::Helper => {
            let hosts: Vec<String> = creds.iter().map(|c| c.host.clone()).collect();
            docker::set_cred_helpers(&ctx.docker_config, &hosts, "dockpass")
        }
    }
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
    #[serde(with = "crate::clock::serde_rfc3339")]
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
    #[serde(with = "crate::clock::serde_rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    pub registries: Vec<RegistryStatus>,
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
    let mut state = ctx.state.load()?;
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
    if let Some(p) = state.profiles.get_mut(&profile.name) {
        p.session = None;
        p.last_error = None;
        ctx.state.save(&state)?;
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
            choose_role(&r, Some("111111111111/ReadOnly"), Some("Developer"), None)
                .unwrap()
                .name,
            "ReadOnly"
        );
        assert_eq!(
            choose_role(&r, None, Some("222222222222/Developer"), Some(&r[1]))
                .unwrap()
                .account,
            "222222222222"
        );
        assert_eq!(
            choose_role(&r, None, None, Some(&r[1])).unwrap().name,
            "ReadOnly"
        );
        let e = choose_role(&r, None, None, None).unwrap_err();
        assert_eq!(e.code, Code::RoleNotChosen);
        assert!(e.message.contains("111111111111/ReadOnly"), "{}", e.message);
        assert_eq!(
            choose_role(&r[..1], None, None, None).unwrap().name,
            "Developer"
        );
        assert_eq!(
            choose_role(&r, Some("Developer"), None, None)
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
