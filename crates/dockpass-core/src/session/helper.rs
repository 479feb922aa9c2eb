//! The docker credential helper protocol (`docker-credential-dockpass`), answered from the
//! session Dockpass keeps. The state file says which profile owns a host; the token comes
//! from the running app or daemon over a socket only the user can open (`app::socket`), else
//! from the keychain. A hit makes no AWS call; an expired token is fetched again while the
//! session lives. Unknown hosts are answered at once, without any network call.

use crate::session::state::{RegistryInfo, State};
use crate::session::Context;
use crate::{Result, SecretString};
use time::OffsetDateTime;

pub use dockpass_helper::{host_of, MISSING_URL, NOT_FOUND};

/// A username and password for a registry.
#[derive(Clone, Debug)]
pub struct Login {
    pub username: String,
    pub secret: SecretString,
}

/// What the state says about a host.
#[derive(Clone, Debug)]
pub enum Lookup {
    /// No signed-in profile publishes this host.
    Unknown,
    /// `profile` publishes it with a live token of `registry`.
    Live {
        profile: String,
        registry: RegistryInfo,
    },
    /// `profile` publishes it, but its token has expired (the session may still pay for one).
    Expired { profile: String },
}

/// Which profile's session publishes `host`, and whether its token is live.
pub fn lookup(state: &State, host: &str, now: OffsetDateTime) -> Lookup {
    let mut expired = None;
    for (name, p) in &state.profiles {
        let Some(s) = &p.session else { continue };
        let Some(reg) = s.registries.iter().find(|r| {
            r.host.eq_ignore_ascii_case(host)
                || r.aliases.iter().any(|a| a.eq_ignore_ascii_case(host))
        }) else {
            continue;
        };
        if now < reg.expires_at {
            return Lookup::Live {
                profile: name.clone(),
                registry: reg.clone(),
            };
        }
        if now < s.expires_at {
            expired.get_or_insert_with(|| name.clone());
        }
    }
    match expired {
        Some(profile) => Lookup::Expired { profile },
        None => Lookup::Unknown,
    }
}

/// The token for `registry` among a profile's secrets.
pub fn token_for(
    secrets: &crate::session::secrets::SessionSecrets,
    registry: &RegistryInfo,
) -> Option<Login> {
    let reg = registry.registry();
    secrets
        .tokens
        .iter()
        .find(|t| t.registry == reg)
        .map(|t| Login {
            username: t.username.clone(),
            secret: t.password.clone(),
        })
}

/// The answer from the keychain, without AWS: `None` when unknown or expired.
pub fn get_stored(ctx: &Context, host: &str) -> Result<(Option<Login>, Lookup)> {
    let state = ctx.state.load()?;
    let found = lookup(&state, host, ctx.clock.now());
    if let Lookup::Live { profile, registry } = &found {
        if let Some(secrets) = ctx.secrets().load(profile)? {
            return Ok((token_for(&secrets, registry), found));
        }
    }
    Ok((None, found))
}

/// The answer when neither the app nor the daemon runs: from the keychain, and when the
/// token has expired while the session lives, a fresh one from ECR (written back).
pub async fn get<A: crate::aws::sts::Sts + crate::aws::ecr::Ecr>(
    ctx: &Context,
    aws_for: impl AsyncFnOnce(&crate::config::Profile) -> A,
    server_url: &str,
) -> Result<Option<Login>> {
    let host = host_of(server_url);
    let (hit, found) = get_stored(ctx, &host)?;
    if hit.is_some() {
        return Ok(hit);
    }
    let Lookup::Expired { profile } = found else {
        return Ok(None);
    };
    let Ok(p) = ctx.profile(Some(&profile)).cloned() else {
        return Ok(None);
    };
    let aws = aws_for(&p).await;
    crate::session::refresh_tokens(ctx, &aws, &p, false).await?;
    Ok(get_stored(ctx, &host)?.0)
}

/// Every host with a live token, and its username.
pub fn list(ctx: &Context) -> Result<Vec<(String, String)>> {
    let state = ctx.state.load()?;
    let now = ctx.clock.now();
    let mut out = Vec::new();
    for p in state.profiles.values() {
        let Some(s) = &p.session else { continue };
        for r in s.registries.iter().filter(|r| now < r.expires_at) {
            for h in std::iter::once(&r.host).chain(r.aliases.iter()) {
                out.push((h.clone(), "AWS".to_string()));
            }
        }
    }
    Ok(out)
}

/// Whether a signed-in profile publishes `host` (for `erase`).
pub fn is_ours(ctx: &Context, host: &str) -> Result<bool> {
    let state = ctx.state.load()?;
    Ok(!matches!(
        lookup(&state, host, OffsetDateTime::UNIX_EPOCH),
        Lookup::Unknown
    ))
}
