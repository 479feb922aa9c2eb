//! STS over the SDK: AssumeRoleWithSAML (unsigned), AssumeRole and GetCallerIdentity with the
//! session's keys, and credentials from an AWS shared-config profile.

use super::errors::{chain_text, root_cause, service_message, signed_sts_error, sts_error};
use super::{from_sts, timeouts, Aws};
use crate::aws::profile_source::{ProfileSource, STATIC_KEY_SESSION};
use crate::aws::sts::{Credentials, Identity, Sts, StsFailure};
use crate::role::Role;
use crate::{err, Code, Result, SecretString};
use aws_config::{BehaviorVersion, Region};
use time::OffsetDateTime;

impl Sts for Aws {
    async fn assume_role_with_saml(
        &self,
        role: &Role,
        assertion_b64: &SecretString,
        duration_secs: Option<i32>,
    ) -> std::result::Result<Credentials, StsFailure> {
        let out = self
            .sts_client(&role.partition)
            .assume_role_with_saml()
            .role_arn(&role.role_arn)
            .principal_arn(&role.principal_arn)
            .saml_assertion(assertion_b64.expose())
            .set_duration_seconds(duration_secs)
            .send()
            .await;
        let out = match out {
            Ok(o) => o,
            Err(e) => {
                if let Some(m) = service_message(&e) {
                    if m.contains("MaxSessionDuration") {
                        return Err(StsFailure::DurationTooLong);
                    }
                }
                return Err(StsFailure::Other(sts_error(e, &role.role_arn)));
            }
        };
        let c = out.credentials().ok_or_else(|| {
            err(
                Code::StsFailed,
                "STS answered without credentials; try again",
            )
        })?;
        Ok(from_sts(c))
    }

    async fn assume_role(
        &self,
        creds: &Credentials,
        role_arn: &str,
        session_name: &str,
        duration_secs: i32,
    ) -> Result<Credentials> {
        let out = self
            .signed_sts_client(creds)
            .assume_role()
            .role_arn(role_arn)
            .role_session_name(session_name)
            .duration_seconds(duration_secs)
            .send()
            .await
            .map_err(|e| signed_sts_error(e, &format!("assuming {role_arn}")))?;
        let c = out.credentials().ok_or_else(|| {
            err(
                Code::StsFailed,
                "STS answered without credentials; try again",
            )
        })?;
        Ok(from_sts(c))
    }

    async fn caller_identity(&self, creds: &Credentials) -> Result<Identity> {
        let out = self
            .signed_sts_client(creds)
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| signed_sts_error(e, "asking STS who the credentials belong to"))?;
        match (out.account(), out.arn()) {
            (Some(a), Some(arn)) => Ok(Identity {
                account: a.to_string(),
                arn: arn.to_string(),
            }),
            _ => Err(err(
                Code::StsFailed,
                "STS did not say whose credentials these are; try again",
            )),
        }
    }
}

impl ProfileSource for Aws {
    async fn profile_credentials(&self, aws_profile: &str) -> Result<Credentials> {
        use aws_credential_types::provider::{error::CredentialsError, ProvideCredentials};
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .profile_name(aws_profile)
            .region(Region::new(self.region.clone()))
            .timeout_config(timeouts());
        if let Some(http) = self.base.http_client() {
            loader = loader.http_client(http);
        }
        let conf = loader.load().await;
        let Some(chain) = conf.credentials_provider() else {
            return Err(err(
                Code::Config,
                format!("AWS profile {aws_profile:?} gives no credentials provider"),
            ));
        };
        let c = chain.provide_credentials().await.map_err(|e| {
            let why = root_cause(&e);
            let lower = chain_text(&e);
            let login_session = crate::aws::shared_config::profile_setting(aws_profile, "login_session").is_some();
            let (code, what) = match &e {
                CredentialsError::ProviderTimedOut(_) => {
                    (Code::Network, "check your network or proxy")
                }
                // `aws login` (login_session): the cached session is gone, ended or unreadable.
                _ if login_session && login_session_ended(&lower) => (
                    Code::NotLoggedIn,
                    "its `aws login` session has ended; run `aws login --profile NAME`, then try again",
                ),
                _ if lower.contains("sso") && (lower.contains("expired") || lower.contains("token")) => (
                    Code::NotLoggedIn,
                    "its SSO session is over; run `aws sso login --profile NAME`, then try again",
                ),
                CredentialsError::CredentialsNotLoaded(_) | CredentialsError::InvalidConfiguration(_) => (
                    Code::Config,
                    "check ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE)",
                ),
                _ => (Code::StsFailed, "check the profile and try again"),
            };
            err(
                code,
                format!(
                    "AWS profile {aws_profile:?} gave no credentials ({why}); {}",
                    what.replace("NAME", aws_profile)
                ),
            )
        })?;
        Ok(Credentials {
            access_key_id: c.access_key_id().to_string(),
            secret_access_key: SecretString::new(c.secret_access_key()),
            session_token: SecretString::new(c.session_token().unwrap_or("")),
            expires_at: c
                .expiry()
                .map(OffsetDateTime::from)
                .unwrap_or_else(|| OffsetDateTime::now_utc() + STATIC_KEY_SESSION),
        })
    }
}

/// Whether the SDK's login provider says the `aws login` session cannot give keys any more:
/// expired or revoked ("Your session has expired. Please reauthenticate."), never started (no
/// cache file), or a cache file it cannot use.
fn login_session_ended(lower: &str) -> bool {
    [
        "reauthenticate",
        "expired",
        "login token",
        "failed to read",
        "missing field",
    ]
    .iter()
    .any(|w| lower.contains(w))
}
