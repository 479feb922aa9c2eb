//! `dockpass credentials`: the live session for the AWS CLI and SDKs, as
//! `credential_process` JSON. It never prompts: without a live session it says to sign in
//! (exit 3). A chained role close to its end is assumed again first (an STS call, no prompt).
//!
//! Only for profiles that ask for it (`credential_process = true`): the session's keys can do
//! whatever the role may, far more than docker's ECR tokens, and any process of the user could
//! ask the app's socket for them (on macOS without the keychain's per-app prompt).

use crate::aws::sts::{self, Credentials, Sts};
use crate::config::Profile;
use crate::session::secrets::ChainedCredentials;
use crate::session::state::ChainInfo;
use crate::session::{self, Context};
use crate::{err, Code, Result};
use std::time::Duration;

/// Chained credentials closer than this to their end are renewed before they are handed out,
/// so the AWS CLI does not start a command with credentials about to expire.
const FRESH_ENOUGH: Duration = Duration::from_secs(5 * 60);

pub use dockpass_helper::ProcessCredentials;

/// Credentials in the `credential_process` format (version 1).
pub fn to_process(c: &Credentials) -> ProcessCredentials {
    ProcessCredentials {
        version: 1,
        access_key_id: c.access_key_id.clone(),
        secret_access_key: c.secret_access_key.expose().to_string(),
        session_token: c.session_token.expose().to_string(),
        expiration: crate::base::clock::rfc3339(c.expires_at),
    }
}

/// Back from the `credential_process` format (what the app's socket answers).
pub fn from_process(c: &ProcessCredentials) -> Result<Credentials> {
    let expires_at = time::OffsetDateTime::parse(
        &c.expiration,
        &time::format_description::well_known::Rfc3339,
    )
    .map_err(|_| {
        err(
            Code::Internal,
            "the session's expiry is unreadable; sign in again",
        )
    })?;
    Ok(Credentials {
        access_key_id: c.access_key_id.clone(),
        secret_access_key: crate::SecretString::new(c.secret_access_key.as_str()),
        session_token: crate::SecretString::new(c.session_token.as_str()),
        expires_at,
    })
}

/// Whether `selector` (role ARN, `ACCOUNT/NAME` or `NAME`, any case) names `arn`.
fn names(selector: &str, arn: &str) -> bool {
    let sel = selector.trim();
    if sel.eq_ignore_ascii_case(arn) {
        return true;
    }
    let Ok((_, account, _, name)) = crate::role::parse_role_arn(arn) else {
        return false;
    };
    sel.eq_ignore_ascii_case(&name) || sel.eq_ignore_ascii_case(&format!("{account}/{name}"))
}

/// The credentials of the live session (or of one of its chained roles with `role`).
pub async fn for_process<S: Sts>(
    ctx: &Context,
    sts: &S,
    profile: &Profile,
    role: Option<&str>,
) -> Result<Credentials> {
    if !profile.credential_process {
        return Err(err(
            Code::Usage,
            format!(
                "profile {} does not hand out its AWS credentials; to use it as credential_process, add `credential_process = true` to its [[profile]] in {}",
                profile.name,
                ctx.config.path.display()
            ),
        ));
    }
    let live = session::refresh::live(ctx, profile)?;
    let name = live.session_name(profile);
    let session::refresh::Live {
        session,
        mut secrets,
        ..
    } = live;
    let Some(sel) = role else {
        return Ok(secrets.credentials);
    };
    if names(sel, &session.role_arn) {
        return Ok(secrets.credentials);
    }
    let matching: Vec<&ChainInfo> = session
        .chain
        .iter()
        .filter(|c| names(sel, &c.role_arn))
        .collect();
    let chain = match matching[..] {
        [one] => one.clone(),
        [] => {
            let offered = ctx
                .state
                .load()?
                .profiles
                .get(&profile.name)
                .is_some_and(|p| p.roles.iter().any(|r| names(sel, &r.role_arn)));
            return Err(if offered {
                err(
                    Code::NotLoggedIn,
                    format!(
                        "profile {} is signed in as {}, not {sel}; switch role (tray or `dockpass login --role {sel}`) first",
                        profile.name, session.role_arn
                    ),
                )
            } else {
                err(
                    Code::Usage,
                    format!(
                        "{sel} is neither the session's role ({}) nor one of its chained roles",
                        session.role_arn
                    ),
                )
            });
        }
        _ => {
            return Err(err(
                Code::Usage,
                format!("{sel} names several chained roles; use the role ARN"),
            ))
        }
    };
    let now = ctx.clock.now();
    if chain.portal {
        // IAM Identity Center's role of another account: it comes with the sign-in only
        // (its name is the picker's handle, not an IAM role to assume).
        return match secrets.credentials_for(Some(&chain.role_arn)) {
            Some(c) if now < c.expires_at => Ok(c.clone()),
            _ => Err(err(
                Code::NotLoggedIn,
                format!(
                    "the credentials of {} ended with the session of profile {}; sign in again",
                    chain.role_arn, profile.name
                ),
            )),
        };
    }
    if let Some(c) = secrets.credentials_for(Some(&chain.role_arn)) {
        if now + FRESH_ENOUGH < c.expires_at {
            return Ok(c.clone());
        }
    }
    let fresh = sts::assume_chained(sts, &secrets.credentials, &chain.role_arn, &name).await?;
    secrets.chained.retain(|c| c.role_arn != chain.role_arn);
    secrets.chained.push(ChainedCredentials {
        role_arn: chain.role_arn.clone(),
        credentials: fresh.clone(),
    });
    if let Err(e) = ctx.secrets().save(&profile.name, &secrets) {
        tracing::warn!("could not update the keychain: {}", e.message);
    }
    ctx.state.update(|s| {
        if let Some(sess) = s
            .profiles
            .get_mut(&profile.name)
            .and_then(|p| p.session.as_mut())
        {
            if let Some(c) = sess.chain.iter_mut().find(|c| c.role_arn == chain.role_arn) {
                c.issued_at = now;
                c.expires_at = fresh.expires_at;
            }
        }
    })?;
    Ok(fresh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_name_roles_like_everywhere_else() {
        let arn = "arn:aws:iam::210987654321:role/ops/EcrReader";
        for sel in [arn, "EcrReader", "ecrreader", "210987654321/EcrReader"] {
            assert!(names(sel, arn), "{sel}");
        }
        for sel in ["Reader", "123456789012/EcrReader", ""] {
            assert!(!names(sel, arn), "{sel}");
        }
    }

    #[test]
    fn json_is_credential_process_version_1_and_debug_hides_secrets() {
        let c = Credentials {
            access_key_id: "ASIAX".into(),
            secret_access_key: crate::SecretString::new("sk"),
            session_token: crate::SecretString::new("st"),
            expires_at: time::macros::datetime!(2026-11-26 20:00 UTC),
        };
        let p = to_process(&c);
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"Version":1,"AccessKeyId":"ASIAX","SecretAccessKey":"sk","SessionToken":"st","Expiration":"2026-11-26T20:00:00Z"}"#
        );
        let dbg = format!("{p:?}");
        assert!(!dbg.contains("sk\"") && !dbg.contains("st\""), "{dbg}");
    }
}
