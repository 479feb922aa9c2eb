//! Profiles without SAML (`aws_profile = "NAME"`): the base credentials come from an AWS
//! shared-config profile through aws-config's standard chain (static keys, role_arn +
//! source_profile, SSO, credential_process), and then go the same way as a SAML session's.

use crate::aws::sts::Credentials;
use crate::Result;
use std::future::Future;
use std::time::Duration;

/// Static keys never expire; Dockpass still renews them on this cadence so that a key
/// rotated in `~/.aws/credentials` is picked up and the session has an end to show.
pub const STATIC_KEY_SESSION: Duration = Duration::from_secs(12 * 3600);

/// Resolves an AWS shared-config profile to credentials (the SDK in `aws.rs`, fakes in tests).
pub trait ProfileSource: Send + Sync {
    fn profile_credentials(
        &self,
        aws_profile: &str,
    ) -> impl Future<Output = Result<Credentials>> + Send;
}
