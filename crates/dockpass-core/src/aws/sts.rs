//! STS: AssumeRoleWithSAML for the chosen role (and AssumeRole for chained roles).
//!
//! The AWS call sits behind the [`Sts`] trait so the duration clamp and the retry at one
//! hour are unit-tested with a fake; the real implementation is in `aws.rs`.

use crate::base::clock::serde_rfc3339;
use crate::config::MAX_SESSION;
use crate::role::Role;
use crate::saml::Assertion;
use crate::{err, Code, Error, Result, SecretString};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::time::Duration;
use time::OffsetDateTime;

/// AWS's minimum session length.
pub const MIN_SESSION: Duration = Duration::from_secs(900);
/// What AWS allows when the role's MaxSessionDuration is unknown, and the cap for chained roles.
pub const ONE_HOUR: Duration = Duration::from_secs(3600);

/// Temporary AWS credentials. Debug redacts the secret parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub access_key_id: String,
    /// Written out only into the keychain entry (`SessionSecrets`).
    #[serde(with = "crate::secret::exposed")]
    pub secret_access_key: SecretString,
    #[serde(with = "crate::secret::exposed")]
    pub session_token: SecretString,
    #[serde(with = "serde_rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// Why an STS call failed, as far as the caller needs to decide what to do next.
#[derive(Debug)]
pub enum StsFailure {
    /// AWS: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    DurationTooLong,
    Other(Error),
}

impl From<Error> for StsFailure {
    fn from(e: Error) -> Self {
        StsFailure::Other(e)
    }
}

/// Who a set of credentials belongs to (GetCallerIdentity).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub account: String,
    pub arn: String,
}

/// The STS operations Dockpass uses.
pub trait Sts: Send + Sync {
    fn assume_role_with_saml(
        &self,
        role: &Role,
        assertion_b64: &SecretString,
        duration_secs: Option<i32>,
    ) -> impl Future<Output = std::result::Result<Credentials, StsFailure>> + Send;

    /// AssumeRole with `creds` (role chaining: AWS allows at most one hour).
    fn assume_role(
        &self,
        creds: &Credentials,
        role_arn: &str,
        session_name: &str,
        duration_secs: i32,
    ) -> impl Future<Output = Result<Credentials>> + Send;

    fn caller_identity(&self, creds: &Credentials)
        -> impl Future<Output = Result<Identity>> + Send;
}

/// Assumes a chained role from the federated (or AWS-profile) credentials, for one hour:
/// the most AWS allows when a role assumes another.
pub async fn assume_chained<S: Sts>(
    sts: &S,
    base: &Credentials,
    role_arn: &str,
    session_name: &str,
) -> Result<Credentials> {
    let _waiting = crate::base::deadline::waiting(format!("AWS STS (chained role {role_arn})"));
    sts.assume_role(base, role_arn, session_name, ONE_HOUR.as_secs() as i32)
        .await
        .map_err(|e| e.context(format!("chained role {role_arn}")))
}

/// A valid RoleSessionName (2 to 64 of `[A-Za-z0-9+=,.@_-]`) from who signed in, so
/// CloudTrail shows the person behind a chained role.
pub fn session_name(who: Option<&str>) -> String {
    let cleaned: String = who
        .unwrap_or("")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if cleaned.len() < 2 {
        "dockpass".to_string()
    } else {
        cleaned
    }
}

/// The duration to request: the profile's wish (or the assertion's SessionDuration),
/// clamped to the assertion's SessionDuration and 12 h, and at least 15 min.
/// `None` lets AWS pick its default (1 h) when nobody asked for anything.
pub fn requested_duration(wanted: Option<Duration>, assertion: &Assertion) -> Option<Duration> {
    let from_assertion = assertion.session_duration.map(Duration::from_secs);
    let mut d = wanted.or(from_assertion)?;
    if let Some(cap) = from_assertion {
        d = d.min(cap);
    }
    Some(d.clamp(MIN_SESSION, MAX_SESSION))
}

/// AssumeRoleWithSAML for `role`. Refuses an expired assertion before any call, and retries
/// once at one hour when the role's MaxSessionDuration is shorter than what was asked.
pub async fn assume_role_with_saml<S: Sts>(
    sts: &S,
    role: &Role,
    assertion: &Assertion,
    wanted: Option<Duration>,
    now: OffsetDateTime,
) -> Result<Credentials> {
    assertion.check_not_expired(now)?;
    let duration = requested_duration(wanted, assertion);
    let secs = duration.map(|d| d.as_secs().min(i32::MAX as u64) as i32);
    let _waiting = crate::base::deadline::waiting("AWS STS");
    match sts
        .assume_role_with_saml(role, &assertion.response_b64, secs)
        .await
    {
        Ok(c) => Ok(c),
        Err(StsFailure::DurationTooLong) if duration.is_some_and(|d| d > ONE_HOUR) => {
            tracing::info!(
                role = %role.role_arn,
                "requested session longer than the role allows; retrying at 1h"
            );
            sts.assume_role_with_saml(role, &assertion.response_b64, Some(3600))
                .await
                .map_err(failure_to_error)
        }
        Err(f) => Err(failure_to_error(f)),
    }
}

fn failure_to_error(f: StsFailure) -> Error {
    match f {
        StsFailure::Other(e) => e,
        StsFailure::DurationTooLong => err(
            Code::StsRejected,
            "AWS refused the session duration for this role; lower session_duration in the profile",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use time::macros::datetime;

    /// Records the durations asked for and answers from a script.
    struct FakeSts {
        max: Option<i32>,
        calls: Mutex<Vec<Option<i32>>>,
    }

    impl Sts for FakeSts {
        async fn assume_role_with_saml(
            &self,
            _role: &Role,
            _assertion_b64: &SecretString,
            duration_secs: Option<i32>,
        ) -> std::result::Result<Credentials, StsFailure> {
            self.calls.lock().unwrap().push(duration_secs);
            if let (Some(max), Some(d)) = (self.max, duration_secs) {
                if d > max {
                    return Err(StsFailure::DurationTooLong);
                }
            }
            Ok(Credentials {
                access_key_id: "ASIAFAKE".into(),
                secret_access_key: SecretString::new("secret"),
                session_token: SecretString::new("token"),
                expires_at: datetime!(2099-01-01 0:00 UTC),
            })
        }

        async fn assume_role(
            &self,
            _creds: &Credentials,
            role_arn: &str,
            _session_name: &str,
            duration_secs: i32,
        ) -> Result<Credentials> {
            self.calls.lock().unwrap().push(Some(duration_secs));
            if role_arn.contains("Denied") {
                return Err(err(Code::StsRejected, "AWS denied it"));
            }
            Ok(Credentials {
                access_key_id: "ASIACHAIN".into(),
                secret_access_key: SecretString::new("secret"),
                session_token: SecretString::new("token"),
                expires_at: datetime!(2099-01-01 0:00 UTC),
            })
        }

        async fn caller_identity(&self, creds: &Credentials) -> Result<Identity> {
            Ok(Identity {
                account: "123456789012".into(),
                arn: format!(
                    "arn:aws:sts::123456789012:assumed-role/Dev/{}",
                    creds.access_key_id
                ),
            })
        }
    }

    #[tokio::test]
    async fn chained_roles_ask_for_one_hour_and_name_the_role_on_failure() {
        let sts = FakeSts {
            max: None,
            calls: Mutex::new(vec![]),
        };
        let base = Credentials {
            access_key_id: "ASIABASE".into(),
            secret_access_key: SecretString::new("s"),
            session_token: SecretString::new("t"),
            expires_at: LATER,
        };
        let c = assume_chained(
            &sts,
            &base,
            "arn:aws:iam::210987654321:role/EcrReader",
            "me",
        )
        .await
        .unwrap();
        assert_eq!(c.access_key_id, "ASIACHAIN");
        assert_eq!(*sts.calls.lock().unwrap(), vec![Some(3600)]);
        let e = assume_chained(&sts, &base, "arn:aws:iam::210987654321:role/Denied", "me")
            .await
            .unwrap_err();
        assert!(e.message.contains("role/Denied"), "{}", e.message);
    }

    #[test]
    fn session_names_are_valid_for_aws() {
        assert_eq!(
            session_name(Some("jane.doe@example.com")),
            "jane.doe@example.com"
        );
        assert_eq!(session_name(Some("CORP\\jane doe")), "CORP-jane-doe");
        assert_eq!(session_name(Some("x")), "dockpass");
        assert_eq!(session_name(None), "dockpass");
        assert_eq!(session_name(Some(&"a".repeat(100))).len(), 64);
    }

    fn assertion(duration: Option<u64>, not_after: OffsetDateTime) -> Assertion {
        Assertion {
            issuer: None,
            subject: None,
            role_session_name: None,
            session_duration: duration,
            not_on_or_after: Some(not_after),
            recipient: None,
            destination: None,
            roles: vec![],
            response_b64: SecretString::new("PHNhbWw+"),
        }
    }

    fn role() -> Role {
        Role::from_attribute_value(
            "arn:aws:iam::123456789012:role/Dev,arn:aws:iam::123456789012:saml-provider/IdP",
        )
        .unwrap()
    }

    const NOW: OffsetDateTime = datetime!(2026-11-26 19:00 UTC);
    const LATER: OffsetDateTime = datetime!(2026-11-26 19:05 UTC);

    #[test]
    fn clamps_to_assertion_and_twelve_hours() {
        let h = |n: u64| Some(Duration::from_secs(n * 3600));
        let a = assertion(Some(4 * 3600), LATER);
        assert_eq!(requested_duration(h(8), &a), h(4));
        assert_eq!(requested_duration(None, &a), h(4));
        let b = assertion(None, LATER);
        assert_eq!(requested_duration(h(20), &b), h(12));
        assert_eq!(requested_duration(None, &b), None);
        assert_eq!(
            requested_duration(Some(Duration::from_secs(60)), &b),
            Some(MIN_SESSION)
        );
    }

    #[tokio::test]
    async fn retries_once_at_one_hour_when_the_role_allows_less() {
        let sts = FakeSts {
            max: Some(3600),
            calls: Mutex::new(vec![]),
        };
        let a = assertion(Some(8 * 3600), LATER);
        let c = assume_role_with_saml(&sts, &role(), &a, None, NOW)
            .await
            .unwrap();
        assert_eq!(c.access_key_id, "ASIAFAKE");
        assert_eq!(*sts.calls.lock().unwrap(), vec![Some(8 * 3600), Some(3600)]);
    }

    #[tokio::test]
    async fn does_not_retry_when_one_hour_was_asked() {
        let sts = FakeSts {
            max: Some(1800),
            calls: Mutex::new(vec![]),
        };
        let a = assertion(Some(3600), LATER);
        let e = assume_role_with_saml(&sts, &role(), &a, None, NOW)
            .await
            .unwrap_err();
        assert_eq!(e.code, Code::StsRejected);
        assert_eq!(sts.calls.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn refuses_expired_assertion_before_any_call() {
        let sts = FakeSts {
            max: None,
            calls: Mutex::new(vec![]),
        };
        let a = assertion(None, datetime!(2026-11-26 18:00 UTC));
        let e = assume_role_with_saml(&sts, &role(), &a, None, NOW)
            .await
            .unwrap_err();
        assert_eq!(e.code, Code::SamlExpired);
        assert!(sts.calls.lock().unwrap().is_empty());
    }
}
