//! Sessions that come without an IdP window: an IAM Identity Center profile's cached sign-in
//! (read from the shared token cache, never renewed here) and an `aws_profile` whose AWS
//! profile uses `aws login` (`login_session`). When that session's keys have expired, the SDK is
//! asked to renew them as any AWS CLI command would (not with `--offline`): that is the only way
//! to learn whether the session still lives.

use super::{Check, Setup};
use crate::aws::{identity_center::Instance, login_cache, sso_cache};
use crate::config::{Config, Profile, Source};
use crate::Code;
use time::OffsetDateTime;

const ID: &str = "aws-session";

pub(super) async fn checks(setup: &Setup, config: &Config) -> Vec<Check> {
    let now = OffsetDateTime::now_utc();
    let mut out = Vec::new();
    for p in config
        .profiles
        .iter()
        .filter(|p| setup.profile.as_deref().is_none_or(|n| n == p.name))
    {
        match p.source() {
            Source::IdentityCenter => out.push(identity_center(p, now)),
            Source::AwsProfile => {
                let name = p.aws_profile.as_deref().unwrap_or_default();
                if let Some(arn) = crate::aws::shared_config::profile_setting(name, "login_session")
                {
                    out.push(aws_login(setup, p, name, &arn, now).await);
                }
            }
            Source::Idp => {}
        }
    }
    out
}

fn when(t: OffsetDateTime) -> String {
    crate::base::clock::rfc3339(t)
}

fn identity_center(p: &Profile, now: OffsetDateTime) -> Check {
    let login = format!("run `dockpass login --profile {}`", p.name);
    let (instance, key): (Instance, String) = match crate::session::identity_center::instance(p) {
        Ok(v) => v,
        Err(e) => {
            return Check::error(
                ID,
                e.message,
                "fix the profile's sso_session or sso_start_url",
            )
        }
    };
    let cached = sso_cache::cache_dir().and_then(|dir| sso_cache::read(&dir, &key));
    match cached {
        Err(e) => Check::error(ID, e.message, login),
        Ok(None) => Check::warn(
            ID,
            format!("profile {} has no IAM Identity Center sign-in at {}", p.name, instance.start_url),
            login,
        ),
        Ok(Some(t)) if t.is_fresh(now) => Check::ok(
            ID,
            format!("profile {}: signed in at IAM Identity Center until {}", p.name, when(t.expires_at)),
        ),
        Ok(Some(t))
            if t.refresh_token.is_some()
                && t.registration_expires_at.is_some_and(|r| r > now) =>
        {
            Check::ok(
                ID,
                format!("profile {}: the IAM Identity Center sign-in renews itself while its session lives", p.name),
            )
        }
        Ok(Some(t)) => Check::warn(
            ID,
            format!(
                "profile {}: the IAM Identity Center sign-in ended at {}",
                p.name,
                when(t.expires_at)
            ),
            login,
        ),
    }
}

async fn aws_login(
    setup: &Setup,
    p: &Profile,
    aws_profile: &str,
    arn: &str,
    now: OffsetDateTime,
) -> Check {
    let again = format!(
        "run `aws login --profile {aws_profile}`, then `dockpass login --profile {}`",
        p.name
    );
    match login_cache::keys_expire_at(arn) {
        Err(e) => Check::error(ID, e.message, again),
        Ok(None) => Check::error(
            ID,
            format!("AWS profile {aws_profile:?} (profile {}) has no `aws login` session", p.name),
            again,
        ),
        Ok(Some(t)) if t > now => Check::ok(
            ID,
            format!("profile {}: the `aws login` session's keys last until {}", p.name, when(t)),
        ),
        Ok(Some(_)) if setup.offline => Check::info(
            ID,
            format!("profile {}: the `aws login` session's keys have expired; whether it renews is not checked (--offline)", p.name),
        ),
        Ok(Some(_)) => {
            use crate::aws::profile_source::ProfileSource;
            let aws = crate::aws::Aws::new(&p.region, p.sts_endpoint.as_deref()).await;
            match aws.profile_credentials(aws_profile).await {
                Ok(c) => Check::ok(
                    ID,
                    format!("profile {}: the `aws login` session renewed its keys until {}", p.name, when(c.expires_at)),
                ),
                Err(e) if e.code == Code::NotLoggedIn => Check::error(
                    ID,
                    format!("profile {}: the `aws login` session of AWS profile {aws_profile:?} has ended", p.name),
                    again,
                ),
                Err(e) => Check::warn(ID, e.message, "check your network, then run `dockpass doctor` again"),
            }
        }
    }
}
