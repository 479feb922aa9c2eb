//! Fresh ECR tokens (and chained roles) with the live session's credentials, for what is due.

use super::context::Context;
use super::secrets::SessionSecrets;
use super::state::{RegistryInfo, SessionInfo};
use super::status::{registry_statuses, RegistryStatus};
use super::targets::{targets, Target};
use super::{publish, tokens};
use crate::aws::ecr::Ecr;
use crate::aws::sts::{self, Sts};
use crate::config::Profile;
use crate::{err, Code, Result};
use serde::Serialize;
use std::time::Duration;
use time::OffsetDateTime;

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
    live(ctx, profile).map(|l| (l.session, l.secrets))
}

/// A live session with what else the profile's state says about it (read once).
pub(crate) struct Live {
    pub session: SessionInfo,
    pub secrets: SessionSecrets,
    /// The subject of the sign-in (RoleSessionName of chained roles).
    pub subject: Option<String>,
}

impl Live {
    /// The RoleSessionName for chained roles of this profile's session.
    pub fn session_name(&self, profile: &Profile) -> String {
        match profile.signs_in_at_idp() {
            false => "dockpass".to_string(),
            true => sts::session_name(self.subject.as_deref()),
        }
    }
}

/// [`live_session`], with the rest of the profile's state.
pub(crate) fn live(ctx: &Context, profile: &Profile) -> Result<Live> {
    let now = ctx.clock.now();
    let pstate = ctx.state.load()?.profiles.remove(&profile.name);
    let subject = pstate.as_ref().and_then(|p| p.subject.clone());
    let Some(session) = pstate.and_then(|p| p.session) else {
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
    if now >= secrets.credentials.expires_at.min(session.expires_at) {
        return Err(err(
            Code::NotLoggedIn,
            format!(
                "the AWS session of profile {} ended at {}; sign in again",
                profile.name,
                crate::base::clock::rfc3339(secrets.credentials.expires_at.min(session.expires_at))
            ),
        ));
    }
    Ok(Live {
        session,
        secrets,
        subject,
    })
}

/// Registries added to the profile since the sign-in (the setup's proposals, the settings
/// editor) join the live session with no token yet, so this refresh fetches and publishes
/// them. Those reached through a chained role the session has not assumed wait for the next
/// sign-in. Registries removed from the profile stay until then (their entries are the
/// session's to take back at logout).
fn adopt_new_targets(session: &mut SessionInfo, profile: &Profile, now: OffsetDateTime) {
    for mut t in targets(profile, &session.account) {
        // An account the session reaches through IAM Identity Center's role there: that role.
        if t.via.is_none() {
            if let Some(c) = session
                .chain
                .iter()
                .find(|c| c.portal && c.account == t.registry.account)
            {
                t.via = Some(c.role_arn.clone());
            }
        }
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
    let live = live(ctx, profile)?;
    let session_name = live.session_name(profile);
    let Live {
        mut session,
        mut secrets,
        ..
    } = live;
    adopt_new_targets(&mut session, profile, now);
    let due = |issued: OffsetDateTime, expires: OffsetDateTime| {
        force || now + BATCH >= crate::session::schedule::token_refresh_at(issued, expires, rb)
    };

    let assume: Vec<String> = session
        .chain
        .iter()
        // Roles the sign-in gave (Identity Center's other accounts, a profile's `roles`) are
        // renewed with the session.
        .filter(|c| !c.portal)
        .filter(|c| {
            due(c.issued_at, c.expires_at) || secrets.credentials_for(Some(&c.role_arn)).is_none()
        })
        .map(|c| c.role_arn.clone())
        .collect();
    let targets: Vec<Target> = session
        .registries
        .iter()
        .map(|r| Target {
            registry: r.registry(),
            aliases: r.aliases.clone(),
            via: r.via.clone(),
        })
        .collect();
    let due_targets: Vec<Target> = session
        .registries
        .iter()
        .zip(&targets)
        .filter(|(r, _)| {
            due(r.issued_at.unwrap_or(session.started_at), r.expires_at)
                || !secrets.tokens.iter().any(|t| t.registry == r.registry())
        })
        .map(|(_, t)| t.clone())
        .collect();
    let from = tokens::Sources {
        base: &secrets.credentials,
        session_name: &session_name,
        assume,
        held: &secrets.chained,
        parents: session
            .chain
            .iter()
            .filter_map(|c| Some((c.role_arn.clone(), c.from.clone()?)))
            .collect(),
    };
    let fetched = tokens::fetch(aws, &from, &due_targets).await?;

    let mut chain = session.chain.clone();
    let mut chain_refreshed = Vec::new();
    for c in fetched.chained {
        if let Some(ci) = chain.iter_mut().find(|x| x.role_arn == c.role_arn) {
            ci.issued_at = now;
            ci.expires_at = c.credentials.expires_at;
        }
        chain_refreshed.push(c.role_arn.clone());
        secrets.chained.retain(|x| x.role_arn != c.role_arn);
        secrets.chained.push(c);
    }
    let mut refreshed = Vec::new();
    for tok in fetched.tokens {
        refreshed.push(tok.registry.host());
        secrets.tokens.retain(|t| t.registry != tok.registry);
        secrets.tokens.push(tok);
    }
    let tokens = tokens::in_target_order(&targets, std::mem::take(&mut secrets.tokens));
    secrets.tokens = tokens.clone();

    let published = if refreshed.is_empty() {
        None
    } else {
        Some(publish::publish(
            ctx,
            profile,
            &targets,
            &tokens,
            Some(&session),
        )?)
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
            if let Some(p) = &published {
                sess.written = p.docker.clone();
                sess.containers = p.containers.clone();
                sess.docker_config = ctx.docker_config.clone();
            }
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
