//! Signing in through IAM Identity Center (docs/identity-center.md): a token (the cache the AWS
//! CLI shares, renewed with its refresh token, else a sign-in in the browser or with a device
//! code), the portal's accounts and roles, `GetRoleCredentials` for the chosen one, and then
//! the same chained roles, tokens and docker config as every other session.

use super::context::Context;
use super::login::{choose_role, establish, open_secrets_early, Base, LoginReport};
use super::secrets::ChainedCredentials;
use crate::aws::ecr::Ecr;
use crate::aws::iam::Iam;
use crate::aws::identity_center::{
    Account, DeviceAuthorization, Grant, Instance, RegistrationFor, SsoOidc, SsoPortal,
    TokenAnswer, ACCOUNT_ACCESS_SCOPE,
};
use crate::aws::sso_cache::{self, CachedToken};
use crate::aws::sts::Sts;
use crate::config::Profile;
use crate::role::Role;
use crate::{err, Code, Result, SecretString};
use std::time::Duration;
use time::OffsetDateTime;

/// How a sign-in may involve the user when the cached token cannot be used or renewed.
#[derive(Clone, Copy)]
pub enum Interaction<'a> {
    /// Not at all (a renewal in the background): the cache or nothing.
    Never,
    /// The authorization code flow in the user's browser; `open` opens the URL there.
    Browser {
        open: &'a (dyn Fn(&str) -> Result<()> + Sync),
        until: OffsetDateTime,
    },
    /// The device code flow; `show` tells the user where to go and which code to confirm.
    DeviceCode {
        show: &'a (dyn Fn(&DeviceAuthorization) + Sync),
        until: OffsetDateTime,
    },
}

/// What an Identity Center sign-in is asked for.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// `ACCOUNT/ROLE_NAME` (or a role name when one account has it); else the profile's role,
    /// the last one used, or the only one.
    pub role: Option<&'a str>,
    pub interaction: Interaction<'a>,
}

/// The profile's Identity Center instance and the key of its token in the shared cache (the
/// session name, else the start URL: the AWS CLI's rule).
pub fn instance(profile: &Profile) -> Result<(Instance, String)> {
    if let Some(name) = &profile.sso_session {
        return Ok((crate::aws::shared_config::sso_session(name)?, name.clone()));
    }
    match (&profile.sso_start_url, &profile.sso_region) {
        (Some(start_url), Some(region)) => Ok((
            Instance {
                start_url: start_url.clone(),
                region: region.clone(),
            },
            start_url.clone(),
        )),
        _ => Err(err(
            Code::Usage,
            format!(
                "profile {} does not sign in through IAM Identity Center (no sso_start_url or sso_session)",
                profile.name
            ),
        )),
    }
}

/// A usable access token: the cached one, else renewed with its refresh token, else (when
/// allowed) a new sign-in. Every new token goes to the shared cache.
pub async fn access_token<A: SsoOidc>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    interaction: Interaction<'_>,
) -> Result<SecretString> {
    let place = instance(profile)?;
    Ok(token(ctx, aws, profile, &place, interaction, false)
        .await?
        .0)
}

/// [`access_token`], and whether the user signed in just now. `anew`: the cached sign-in was
/// refused by the portal (revoked, signed out), so neither it nor its refresh token is tried.
async fn token<A: SsoOidc>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    (instance, key): &(Instance, String),
    interaction: Interaction<'_>,
    anew: bool,
) -> Result<(SecretString, bool)> {
    let dir = ctx.sso_cache()?;
    let now = ctx.clock.now();
    // A file that is not a cache is no sign-in (the write below says what to do about it).
    let cached = match sso_cache::read(&dir, key) {
        Ok(c) => c.filter(|c| c.start_url == instance.start_url && !anew),
        Err(e) => {
            tracing::warn!("{}", e.message);
            None
        }
    };
    if let Some(c) = &cached {
        if c.is_fresh(now) {
            return Ok((c.access_token.clone(), false));
        }
    }
    let ended = match cached.as_ref().and_then(|c| renewable(c, now)) {
        Some((registration, refresh_token)) => {
            let grant = Grant::RefreshToken { refresh_token };
            match aws.create_token(instance, &registration, &grant).await {
                Ok(TokenAnswer::Token(t)) => {
                    let token = t.access_token.clone();
                    let mut c = cached.clone().expect("renewable came from it");
                    c.access_token = t.access_token;
                    c.expires_at = t.expires_at;
                    if t.refresh_token.is_some() {
                        c.refresh_token = t.refresh_token;
                    }
                    sso_cache::write(&dir, key, &c)?;
                    return Ok((token, false));
                }
                Ok(_) => {
                    return Err(err(
                        Code::SsoFailed,
                        "IAM Identity Center did not renew the sign-in; sign in again",
                    ))
                }
                // The sign-in ended (revoked, past the session's end): sign in anew below.
                Err(e) if e.code == Code::NotLoggedIn => e,
                Err(e) => return Err(e),
            }
        }
        None => err(
            Code::NotLoggedIn,
            format!(
                "the IAM Identity Center sign-in of profile {} has ended; sign in again (dockpass login --profile {})",
                profile.name, profile.name
            ),
        ),
    };
    let (registration, token) = match interaction {
        Interaction::Never => return Err(ended),
        Interaction::Browser { open, until } => in_browser(ctx, aws, instance, open, until).await?,
        Interaction::DeviceCode { show, until } => {
            with_device_code(ctx, aws, instance, show, until).await?
        }
    };
    let access = token.access_token.clone();
    let entry = CachedToken {
        start_url: instance.start_url.clone(),
        region: instance.region.clone(),
        access_token: token.access_token,
        expires_at: token.expires_at,
        client_id: Some(registration.client_id),
        client_secret: Some(registration.client_secret),
        registration_expires_at: Some(registration.expires_at),
        refresh_token: token.refresh_token,
    };
    sso_cache::write(&dir, key, &entry)?;
    Ok((access, true))
}

/// The registration and refresh token of a cached sign-in, when they can still renew it.
fn renewable(
    c: &CachedToken,
    now: OffsetDateTime,
) -> Option<(crate::aws::identity_center::Registration, SecretString)> {
    let expires_at = c.registration_expires_at.filter(|t| *t > now)?;
    Some((
        crate::aws::identity_center::Registration {
            client_id: c.client_id.clone()?,
            client_secret: c.client_secret.clone()?,
            expires_at,
        },
        c.refresh_token.clone()?,
    ))
}

type NewToken = (
    crate::aws::identity_center::Registration,
    crate::aws::identity_center::Token,
);

async fn in_browser<A: SsoOidc>(
    ctx: &Context,
    aws: &A,
    instance: &Instance,
    open: &(dyn Fn(&str) -> Result<()> + Sync),
    until: OffsetDateTime,
) -> Result<NewToken> {
    use crate::idp::oauth;
    let redirect = oauth::Redirect::open().await?;
    let purpose = RegistrationFor::AuthorizationCode {
        redirect_uri: redirect.uri(),
    };
    let registration = aws.register_client(instance, &purpose).await?;
    let pkce = oauth::Pkce::new()?;
    let url = oauth::authorize_url(
        &aws.authorize_endpoint(instance),
        &registration.client_id,
        &redirect.uri(),
        &pkce,
        ACCOUNT_ACCESS_SCOPE,
    );
    open(&url)?;
    let code = redirect
        .wait(&pkce.state, ctx.clock.as_ref(), until)
        .await?;
    let grant = Grant::AuthorizationCode {
        code,
        redirect_uri: redirect.uri(),
        code_verifier: pkce.verifier,
    };
    match aws.create_token(instance, &registration, &grant).await? {
        TokenAnswer::Token(t) => Ok((registration, t)),
        _ => Err(err(
            Code::SsoFailed,
            "IAM Identity Center gave no token for the browser's sign-in; sign in again",
        )),
    }
}

async fn with_device_code<A: SsoOidc>(
    ctx: &Context,
    aws: &A,
    instance: &Instance,
    show: &(dyn Fn(&DeviceAuthorization) + Sync),
    until: OffsetDateTime,
) -> Result<NewToken> {
    let registration = aws
        .register_client(instance, &RegistrationFor::DeviceCode)
        .await?;
    let device = aws
        .start_device_authorization(instance, &registration)
        .await?;
    show(&device);
    let until = until.min(device.expires_at);
    let mut interval = device.interval;
    let grant = Grant::DeviceCode {
        device_code: device.device_code.clone(),
    };
    loop {
        match aws.create_token(instance, &registration, &grant).await? {
            TokenAnswer::Token(t) => return Ok((registration, t)),
            TokenAnswer::Pending => {}
            TokenAnswer::SlowDown => interval += Duration::from_secs(5),
        }
        let next = ctx.clock.now() + interval;
        if next >= until {
            return Err(err(
                Code::SignInTimeout,
                format!(
                    "code {} was not confirmed in time; sign in again",
                    device.user_code
                ),
            ));
        }
        ctx.clock.sleep_until(next).await;
    }
}

/// The role handle of a portal role: `arn:PARTITION:iam::ACCOUNT:role/ROLE_NAME`. The portal
/// names a role by account and name only (its IAM role is AWSReservedSSO_NAME_HASH); this
/// handle is what the picker, `role` and the state remember.
pub fn portal_role(partition: &str, account: &str, name: &str) -> Role {
    Role {
        role_arn: format!("arn:{partition}:iam::{account}:role/{name}"),
        principal_arn: String::new(),
        account: account.to_string(),
        name: name.to_string(),
        path: "/".to_string(),
        partition: partition.to_string(),
    }
}

/// The account and role name when the selector names both: `ACCOUNT/ROLE_NAME`, or a role ARN
/// (the picker's handle, see [`portal_role`]).
fn full_selector(sel: &str) -> Option<(String, String)> {
    if let Ok((_, account, _, name)) = crate::role::parse_role_arn(sel) {
        return Some((account, name));
    }
    let (account, name) = sel.trim().split_once('/')?;
    (crate::registry::is_account(account) && !name.is_empty() && !name.contains('/'))
        .then(|| (account.to_string(), name.to_string()))
}

/// ListAccountRoles calls in flight at once.
const LISTING_AT_ONCE: usize = 8;

/// Every role the portal lists for the token, account by account (a few at a time).
async fn portal_roles<A: SsoPortal>(
    aws: &A,
    instance: &Instance,
    token: &SecretString,
    accounts: &[Account],
) -> Result<Vec<Role>> {
    use futures::StreamExt;
    let partition = crate::registry::partition_of(&instance.region);
    // A few at a time: an organisation may give a user hundreds of accounts.
    let mut calls = Vec::with_capacity(accounts.len());
    for a in accounts {
        calls.push(aws.list_account_roles(instance, token, &a.id));
    }
    let lists: Vec<Result<Vec<String>>> = futures::stream::iter(calls)
        .buffered(LISTING_AT_ONCE)
        .collect()
        .await;
    let mut roles = Vec::new();
    for (a, names) in accounts.iter().zip(lists) {
        for n in names? {
            roles.push(portal_role(partition, &a.id, &n));
        }
    }
    Ok(roles)
}

/// Signs in a profile through IAM Identity Center.
pub async fn login<A: Sts + Ecr + Iam + SsoOidc + SsoPortal>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    opts: Options<'_>,
) -> Result<LoginReport> {
    open_secrets_early(ctx);
    // The browser's or the device's sign-in has its own deadline; the rest is bounded.
    // Where Identity Center is (an `[sso-session]` is read from the AWS config once).
    let place = instance(profile)?;
    let (access, interacted) = token(ctx, aws, profile, &place, opts.interaction, false).await?;
    let first = crate::base::deadline::bounded(
        "signing in",
        with_token(ctx, aws, profile, &place.0, opts.role, access),
    )
    .await;
    // The portal refused a cached sign-in (revoked, signed out at the portal): when the user
    // may be asked, sign in anew once instead of failing on the same token until it expires.
    let retry = !interacted && !matches!(opts.interaction, Interaction::Never);
    match first {
        Err(e) if e.code == Code::NotLoggedIn && retry => {
            tracing::info!(
                "the cached IAM Identity Center sign-in was refused: {}",
                e.message
            );
            let (access, _) = token(ctx, aws, profile, &place, opts.interaction, true).await?;
            crate::base::deadline::bounded(
                "signing in",
                with_token(ctx, aws, profile, &place.0, opts.role, access),
            )
            .await
        }
        other => other,
    }
}

async fn with_token<A: Sts + Ecr + Iam + SsoPortal>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    instance: &Instance,
    asked: Option<&str>,
    token: SecretString,
) -> Result<LoginReport> {
    let partition = crate::registry::partition_of(&instance.region);
    let pstate = ctx
        .state
        .load()?
        .profiles
        .remove(&profile.name)
        .unwrap_or_default();
    let accounts = aws.list_accounts(instance, &token).await?;
    // A role named in full needs no listing of every account's roles; otherwise the list
    // feeds the choice (and the picker remembers it).
    // The role asked for, the profile's, else the one used last (a renewal asks for none):
    // named in full, it needs no listing first.
    let named = match asked.or(profile.role.as_deref()) {
        Some(sel) => full_selector(sel),
        None => pstate
            .role
            .as_ref()
            .map(|r| (r.account.clone(), r.name.clone())),
    };
    let (role, listed) = match named {
        Some((account, name)) => (portal_role(partition, &account, &name), None),
        None => {
            let roles = portal_roles(aws, instance, &token, &accounts).await?;
            // The picker offers what the portal listed, also when the choice below needs it.
            ctx.state.update(|s| {
                s.profiles.entry(profile.name.clone()).or_default().roles = roles.clone();
            })?;
            let ids: Vec<String> = accounts.iter().map(|a| a.id.clone()).collect();
            let role = choose_role(
                &roles,
                asked,
                profile.role.as_deref(),
                pstate.role.as_ref(),
                &ids,
            )
            .map_err(|e| match e.code {
                Code::SamlNoRoles => err(
                    Code::RoleNotFound,
                    "IAM Identity Center gives you no role in any account; ask your administrator for an assignment",
                ),
                _ => err(e.code, e.message.replace("the assertion offers", "IAM Identity Center offers")),
            })?
            .clone();
            (role, Some(roles))
        }
    };
    if !accounts.iter().any(|a| a.id == role.account) {
        return Err(err(
            Code::RoleNotFound,
            format!(
                "IAM Identity Center gives you no access to account {}; pick one of {}",
                role.account,
                accounts
                    .iter()
                    .take(8)
                    .map(|a| format!("{} ({})", a.id, a.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let (credentials, portal, listed) = {
        let _waiting = crate::base::deadline::waiting("IAM Identity Center");
        let own = aws.get_role_credentials(instance, &token, &role.account, &role.name);
        let others = other_accounts(aws, profile, instance, &token, &role, &accounts);
        // A role named in full skipped the listing; it runs now, alongside, for the tray's
        // switch and the setup's proposals (a failure there costs only those lists).
        let listing = async {
            match listed {
                Some(l) => Some(l),
                None => portal_roles(aws, instance, &token, &accounts)
                    .await
                    .inspect_err(|e| tracing::warn!("listing the portal's roles: {}", e.message))
                    .ok(),
            }
        };
        let (own, others, listed) = futures::join!(own, others, listing);
        (own?, others?, listed)
    };
    let account_name = accounts
        .iter()
        .find(|a| a.id == role.account)
        .map(|a| a.name.clone())
        .filter(|n| !n.is_empty());
    let base = Base {
        role_arn: role.role_arn.clone(),
        account: role.account.clone(),
        credentials,
        session_name: "dockpass".into(),
        role: Some(role),
        roles: listed,
        issuer: None,
        subject: None,
        account_name,
        account_names: accounts
            .iter()
            .filter(|a| !a.name.is_empty())
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect(),
        portal,
        others: Vec::new(),
    };
    establish(ctx, aws, profile, base, pstate.session).await
}

/// The role (and its credentials) for each other account whose registries the profile names
/// and where the portal gives the user a role: the registry's `role`, else the session's role
/// name when that account has it, else the account's only role. An account the portal does
/// not list is reached with the session's own credentials (a repository policy may allow it).
async fn other_accounts<A: SsoPortal>(
    aws: &A,
    profile: &Profile,
    instance: &Instance,
    token: &SecretString,
    role: &Role,
    accounts: &[Account],
) -> Result<Vec<ChainedCredentials>> {
    let mut wanted: Vec<(String, Option<String>)> = Vec::new();
    for r in profile.registry.iter().filter(|r| !r.public) {
        let Some(account) = r.account.as_deref() else {
            continue;
        };
        if account == role.account || !accounts.iter().any(|a| a.id == account) {
            continue;
        }
        match wanted.iter_mut().find(|(a, _)| a == account) {
            Some((_, named)) => *named = named.clone().or(r.role.clone()),
            None => wanted.push((account.to_string(), r.role.clone())),
        }
    }
    let partition = crate::registry::partition_of(&instance.region);
    let each = wanted.into_iter().map(|(account, named)| async move {
        let names = aws.list_account_roles(instance, token, &account).await?;
        let pick = match named {
            Some(n) if names.contains(&n) => n,
            Some(n) => {
                return Err(err(
                    Code::RoleNotFound,
                    format!(
                        "IAM Identity Center gives you no role {n} in account {account} (you have: {}); fix the registry's role",
                        names.join(", ")
                    ),
                ))
            }
            None if names.contains(&role.name) => role.name.clone(),
            None if names.len() == 1 => names[0].clone(),
            // The profile's file must say which: a picker of the session's roles cannot.
            None => {
                return Err(err(
                    Code::Config,
                    format!(
                        "account {account} offers the roles {}; set role = \"NAME\" on its [[profile.registry]]",
                        names.join(", ")
                    ),
                ))
            }
        };
        let credentials = aws
            .get_role_credentials(instance, token, &account, &pick)
            .await?;
        Ok(ChainedCredentials {
            role_arn: portal_role(partition, &account, &pick).role_arn,
            credentials,
        })
    });
    futures::future::join_all(each).await.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_named_in_full_needs_no_listing() {
        let full = |s: &str| full_selector(s);
        assert_eq!(
            full("111111111111/Developer"),
            Some(("111111111111".into(), "Developer".into()))
        );
        // The picker's and the tray's handle.
        let handle = portal_role("aws", "222222222222", "ReadOnly").role_arn;
        assert_eq!(handle, "arn:aws:iam::222222222222:role/ReadOnly");
        assert_eq!(
            full(&handle),
            Some(("222222222222".into(), "ReadOnly".into()))
        );
        assert_eq!(full("Developer"), None, "a bare name: the list decides");
        assert_eq!(full("12/Developer"), None);
        assert_eq!(full("111111111111/team/Developer"), None);
    }
}
