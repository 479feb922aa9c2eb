//! What a profile's session looks like now (`dockpass status`, the UI, the tray).

use super::context::Context;
use super::state::{ChainInfo, ProfileState, RegistryInfo};
use crate::config::Profile;
use crate::role::Role;
use crate::Result;
use serde::Serialize;
use time::OffsetDateTime;

/// The session state names (docs/ARCHITECTURE.md, "Session states").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    LoggedOut,
    Active,
    Expiring,
    Expired,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RegistryStatus {
    pub host: String,
    /// What the host is: an ECR registry (`private`), ECR Public (`public`) or another name
    /// that gets the same credentials (`alias`).
    pub kind: RegistryKind,
    #[serde(with = "crate::base::clock::serde_rfc3339")]
    #[ts(type = "string")]
    pub expires_at: OffsetDateTime,
}

/// What a published host is, as the registry module parses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum RegistryKind {
    Private,
    Public,
    Alias,
}

impl RegistryKind {
    pub fn of(host: &str) -> RegistryKind {
        match crate::registry::parse_host(host) {
            Some(crate::registry::Host::Private(_)) => RegistryKind::Private,
            Some(crate::registry::Host::Public) => RegistryKind::Public,
            None => RegistryKind::Alias,
        }
    }
}

pub(super) fn registry_statuses(regs: &[RegistryInfo]) -> Vec<RegistryStatus> {
    regs.iter()
        .flat_map(|r| {
            std::iter::once(r.host.clone())
                .chain(r.aliases.iter().cloned())
                .map(move |host| RegistryStatus {
                    kind: RegistryKind::of(&host),
                    host,
                    expires_at: r.expires_at,
                })
        })
        .collect()
}

/// A chained role's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ChainStatus {
    pub role_arn: String,
    pub account: String,
    /// The account's name (the profile's, or its alias), else null.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub account_name: Option<String>,
    /// The role's name and path (`/` or `/team/`), split from its ARN for display.
    pub name: String,
    pub path: String,
    /// Given by the sign-in itself (another role of the profile's `roles`, an IAM Identity
    /// Center role in another account) and renewed with the session; else a chained role,
    /// assumed from the session's role or from `from`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub sign_in: bool,
    /// The role a chained role is assumed from, when not the session's.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub from: Option<String>,
    #[serde(with = "crate::base::clock::serde_rfc3339")]
    #[ts(type = "string")]
    pub expires_at: OffsetDateTime,
}

/// A role ARN's path and name (`("/team/", "Dev")`); both empty when it is not a role ARN.
fn role_path_and_name(arn: &str) -> (String, String) {
    crate::role::parse_role_arn(arn)
        .map(|(_, _, path, name)| (path, name))
        .unwrap_or_default()
}

pub(super) fn chain_statuses(
    chain: &[ChainInfo],
    profile: &Profile,
    state: Option<&ProfileState>,
) -> Vec<ChainStatus> {
    chain
        .iter()
        .map(|c| {
            let (path, name) = role_path_and_name(&c.role_arn);
            ChainStatus {
                role_arn: c.role_arn.clone(),
                account: c.account.clone(),
                account_name: super::accounts::name(profile, state, &c.account),
                sign_in: c.portal,
                from: c.from.clone(),
                name,
                path,
                expires_at: c.expires_at,
            }
        })
        .collect()
}

/// `dockpass status --json`.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Status {
    pub profile: String,
    pub state: SessionState,
    pub role_arn: Option<String>,
    /// The role's name and path, split from `role_arn` for display (the UI never parses ARNs).
    pub role_name: Option<String>,
    pub role_path: Option<String>,
    pub account: Option<String>,
    /// The account's name: the profile's, else the one the sign-in learned (the account
    /// alias, IAM Identity Center's account name).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub account_name: Option<String>,
    #[serde(with = "crate::base::clock::serde_rfc3339::option")]
    #[ts(type = "string | null")]
    pub expires_at: Option<OffsetDateTime>,
    pub registries: Vec<RegistryStatus>,
    /// Chained roles and when their credentials end.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<ChainStatus>>", optional)]
    pub chain: Vec<ChainStatus>,
    /// Who signed in (the assertion's NameID).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub subject: Option<String>,
    /// Where the session's secrets are kept: "keychain" or "memory" (as of the sign-in).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub secrets: Option<String>,
    /// The last error while state is `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<crate::Error>,
    /// How long before its expiry the profile's session or a token counts as expiring (the
    /// profile's `refresh_before`, or its default): the UI's countdown turns at it.
    #[ts(type = "number")]
    pub refresh_before_s: u64,
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
            role_name: None,
            role_path: None,
            account: None,
            account_name: None,
            expires_at: None,
            registries: vec![],
            chain: vec![],
            subject: None,
            secrets: None,
            error: p.last_error.clone(),
            refresh_before_s: profile.refresh_before().as_secs(),
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
    let (role_path, role_name) = role_path_and_name(&s.role_arn);
    Status {
        profile: name.to_string(),
        state,
        role_arn: Some(s.role_arn.clone()),
        role_name: Some(role_name),
        role_path: Some(role_path),
        account: Some(s.account.clone()),
        account_name: super::accounts::name(profile, Some(p), &s.account)
            .or_else(|| s.account_name.clone()),
        expires_at: Some(s.expires_at),
        registries: registry_statuses(&s.registries),
        chain: chain_statuses(&s.chain, profile, Some(p)),
        subject: p.subject.clone(),
        secrets: Some(s.secrets.clone()),
        error: p.last_error.clone(),
        refresh_before_s: profile.refresh_before().as_secs(),
    }
}

/// One role of the last sign-in, as the tray's role menu and `dockpass roles` list it.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleItem {
    pub role: Role,
    /// The account's name (the profile's, or learned at sign-in).
    pub account_name: Option<String>,
    /// The role remembered for the next sign-in.
    pub remembered: bool,
    /// The session's role now.
    pub current: bool,
    /// Signed in to with the session: another role of the profile's `roles`.
    pub also_signed_in: bool,
}

/// The last sign-in's roles, with their accounts' names and which are in use; one read of
/// the state file.
pub fn role_items(ctx: &Context, profile: &Profile) -> Result<Vec<RoleItem>> {
    let state = ctx.state.load()?;
    let p = state.profiles.get(&profile.name);
    let session = p.and_then(|p| p.session.as_ref());
    let remembered = p.and_then(|p| p.role.as_ref()).map(|r| r.role_arn.as_str());
    let also =
        |arn: &str| session.is_some_and(|s| s.chain.iter().any(|c| c.portal && c.role_arn == arn));
    Ok(p.map(|p| p.roles.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|r| RoleItem {
            account_name: super::accounts::name(profile, p, &r.account),
            remembered: remembered == Some(r.role_arn.as_str()),
            current: session.is_some_and(|s| s.role_arn == r.role_arn),
            also_signed_in: also(&r.role_arn),
            role: r.clone(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_path_and_name_from_the_arn() {
        assert_eq!(
            role_path_and_name("arn:aws:iam::123456789012:role/team/a/Dev"),
            ("/team/a/".to_string(), "Dev".to_string())
        );
        assert_eq!(
            role_path_and_name("arn:aws-cn:iam::123456789012:role/Dev"),
            ("/".to_string(), "Dev".to_string())
        );
        assert_eq!(role_path_and_name("nope"), Default::default());
    }

    #[test]
    fn registry_kinds() {
        assert_eq!(
            RegistryKind::of("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"),
            RegistryKind::Private
        );
        assert_eq!(RegistryKind::of("public.ecr.aws"), RegistryKind::Public);
        assert_eq!(RegistryKind::of("ecr-public.aws.com"), RegistryKind::Public);
        assert_eq!(
            RegistryKind::of("registry.corp.example"),
            RegistryKind::Alias
        );
    }
}
