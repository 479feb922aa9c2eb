//! The repository browser over a live session: every registry of the session listed with
//! the credentials that reach it (a chained role's for its registries).

use crate::aws::repos::{images, list, Image, RepoApi, RepositoryList};
use crate::config::Profile;
use crate::session::Context;
use crate::{err, Code, Result};

/// Every repository of a profile's live session (registries reached through chained
/// roles with those roles' credentials).
pub async fn of_session<A: RepoApi>(
    ctx: &Context,
    api: &A,
    profile: &Profile,
) -> Result<RepositoryList> {
    let (session, secrets) = super::live_session(ctx, profile)?;
    let mut regs = Vec::new();
    for r in &session.registries {
        let creds = secrets.credentials_for(r.via.as_deref()).ok_or_else(|| {
            err(
                Code::NotLoggedIn,
                format!("no credentials for {}; sign in again", r.host),
            )
        })?;
        regs.push((r.registry(), creds.clone()));
    }
    Ok(list(api, &profile.name, &regs, ctx.clock.now()).await)
}

/// The images of repository `name` in the session's registry `registry` (its host or alias).
pub async fn images_of_session<A: RepoApi>(
    ctx: &Context,
    api: &A,
    profile: &Profile,
    registry: &str,
    name: &str,
) -> Result<Vec<Image>> {
    let (session, secrets) = super::live_session(ctx, profile)?;
    let r = session
        .registries
        .iter()
        .find(|r| {
            r.host.eq_ignore_ascii_case(registry)
                || r.aliases.iter().any(|a| a.eq_ignore_ascii_case(registry))
        })
        .ok_or_else(|| {
            err(
                Code::Usage,
                format!("{registry} is not a registry of profile {}", profile.name),
            )
        })?;
    let creds = secrets.credentials_for(r.via.as_deref()).ok_or_else(|| {
        err(
            Code::NotLoggedIn,
            format!("no credentials for {}; sign in again", r.host),
        )
    })?;
    images(api, creds, &r.registry(), name).await
}
