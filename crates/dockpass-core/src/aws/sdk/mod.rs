//! The real STS and ECR clients (aws-sdk-rust), configured once and shared.
//!
//! Endpoints follow the standard AWS rules: the profile's `sts_endpoint`, else
//! `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL_ECR` / `AWS_ENDPOINT_URL`, else the partition's
//! regional endpoint. AssumeRoleWithSAML is unsigned, so the base config has no credentials.
//!
//! Every SDK client made from one [`Aws`] shares its HTTP client: one connection pool and
//! one TLS set-up (the trust roots parsed once), where the SDK's default would make a new
//! HTTP client, with its own pool and roots, for every client, so for every call.
//!
//! `sts.rs` and `ecr.rs` implement the stages' traits over the SDK; `errors.rs` turns the
//! SDK's errors into Dockpass's codes and one-line messages.

mod console;
mod ecr;
mod errors;
mod iam;
mod identity_center;
mod sts;

use crate::aws::sts::Credentials;
use crate::registry::{default_region, partition_of};
use crate::SecretString;
use aws_config::{retry::RetryConfig, timeout::TimeoutConfig, BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::{proxy::ProxyConfig, tls, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use std::time::Duration;
use time::OffsetDateTime;

/// Shared AWS configuration for one profile.
#[derive(Clone, Debug)]
pub struct Aws {
    base: SdkConfig,
    region: String,
    sts_endpoint: Option<String>,
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_attempt_timeout(Duration::from_secs(20))
        .operation_timeout(Duration::from_secs(45))
        .build()
}

/// The HTTP client the SDK would make by default (hyper 1 with rustls on aws-lc, the proxy
/// from HTTPS_PROXY/NO_PROXY), made once so that every client of an [`Aws`] shares it. Kept
/// per `Aws`, not per process: its pooled connections belong to the tokio runtime that
/// opened them, and the CLI runs a runtime per command.
fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new().build_with_connector_fn(|settings, components| {
        let mut b = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ));
        b.set_connector_settings(settings.cloned());
        if let Some(c) = components {
            b.set_sleep_impl(c.sleep_impl());
        }
        b.set_proxy_config(Some(ProxyConfig::from_env()));
        b.build()
    })
}

impl Aws {
    /// Loads the shared SDK configuration (environment, endpoints, timeouts, retries) and the
    /// HTTP client every SDK client of this value uses.
    pub async fn new(region: &str, sts_endpoint: Option<&str>) -> Aws {
        let base = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .http_client(http_client())
            .no_credentials()
            .timeout_config(timeouts())
            .retry_config(RetryConfig::standard().with_max_attempts(3))
            .load()
            .await;
        Aws {
            base,
            region: region.to_string(),
            sts_endpoint: sts_endpoint.map(str::to_string),
        }
    }

    /// STS client for a partition: the profile's region when it is in that partition.
    fn sts_client(&self, partition: &str) -> aws_sdk_sts::Client {
        let region = if partition_of(&self.region) == partition {
            self.region.clone()
        } else {
            default_region(partition).to_string()
        };
        let mut b = aws_sdk_sts::config::Builder::from(&self.base).region(Region::new(region));
        if let Some(e) = &self.sts_endpoint {
            b = b.endpoint_url(e);
        }
        aws_sdk_sts::Client::from_conf(b.build())
    }

    /// STS client signing with `creds` (AssumeRole, GetCallerIdentity).
    fn signed_sts_client(&self, creds: &Credentials) -> aws_sdk_sts::Client {
        let mut b = aws_sdk_sts::config::Builder::from(&self.base)
            .region(Region::new(self.region.clone()))
            .credentials_provider(provider(creds));
        if let Some(e) = &self.sts_endpoint {
            b = b.endpoint_url(e);
        }
        aws_sdk_sts::Client::from_conf(b.build())
    }

    fn ecr_client(&self, creds: &Credentials, region: &str) -> aws_sdk_ecr::Client {
        let conf = aws_sdk_ecr::config::Builder::from(&self.base)
            .region(Region::new(region.to_string()))
            .credentials_provider(provider(creds))
            .build();
        aws_sdk_ecr::Client::from_conf(conf)
    }

    /// ECR Public lives in us-east-1 only.
    fn ecr_public_client(&self, creds: &Credentials) -> aws_sdk_ecrpublic::Client {
        let conf = aws_sdk_ecrpublic::config::Builder::from(&self.base)
            .region(Region::new(crate::registry::PUBLIC_REGION))
            .credentials_provider(provider(creds))
            .build();
        aws_sdk_ecrpublic::Client::from_conf(conf)
    }
}

fn provider(creds: &Credentials) -> aws_credential_types::Credentials {
    let token = creds.session_token.expose();
    aws_credential_types::Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.expose().to_string(),
        (!token.is_empty()).then(|| token.to_string()),
        Some(creds.expires_at.into()),
        "dockpass",
    )
}

fn from_sts(c: &aws_sdk_sts::types::Credentials) -> Credentials {
    Credentials {
        access_key_id: c.access_key_id().to_string(),
        secret_access_key: SecretString::new(c.secret_access_key()),
        session_token: SecretString::new(c.session_token()),
        expires_at: to_time(c.expiration()),
    }
}

fn to_time(t: &aws_smithy_types::DateTime) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t.secs()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
