//! The real STS and ECR clients (aws-sdk-rust), configured once and shared.
//!
//! Endpoints follow the standard AWS rules: the profile's `sts_endpoint`, else
//! `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL_ECR` / `AWS_ENDPOINT_URL`, else the partition's
//! regional endpoint. AssumeRoleWithSAML is unsigned, so the base config has no credentials.
//!
//! Every SDK client made from one [`Aws`] shares its HTTP client: one connection pool and
//! one TLS set-up (the trust roots parsed once), where the SDK's default would make a new
//! HTTP client, with its own pool and roots, for every client, so for every call.

use crate::aws::ecr::{Ecr, RawToken};
use crate::aws::profile_source::{ProfileSource, STATIC_KEY_SESSION};
use crate::aws::repos::{Image, Page, RepoApi, RepoItem};
use crate::aws::sts::{Credentials, Identity, Sts, StsFailure};
use crate::registry::{default_region, partition_of, EcrRegistry};
use crate::role::Role;
use crate::{err, Code, Error, Result, SecretString};
use aws_config::{retry::RetryConfig, timeout::TimeoutConfig, BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
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
            let lower = why.to_ascii_lowercase();
            let (code, what) = match &e {
                _ if lower.contains("sso") && (lower.contains("expired") || lower.contains("token")) => (
                    Code::NotLoggedIn,
                    "its SSO session is over; run `aws sso login --profile NAME`, then try again",
                ),
                CredentialsError::CredentialsNotLoaded(_) | CredentialsError::InvalidConfiguration(_) => (
                    Code::Config,
                    "check ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE)",
                ),
                CredentialsError::ProviderTimedOut(_) => {
                    (Code::Network, "check your network or proxy")
                }
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

impl Ecr for Aws {
    async fn get_authorization_token(
        &self,
        creds: &Credentials,
        registry: &EcrRegistry,
    ) -> Result<RawToken> {
        if registry.is_public() {
            return self.public_token(creds).await;
        }
        // registryIds no longer scopes the token (it opens every registry the role may use),
        // but naming the account keeps the answer's proxyEndpoint about the registry we asked.
        #[allow(deprecated)]
        let out = self
            .ecr_client(creds, &registry.region)
            .get_authorization_token()
            .registry_ids(&registry.account)
            .send()
            .await
            .map_err(|e| ecr_error(e, registry))?;
        let data = out.authorization_data().first().ok_or_else(|| {
            err(
                Code::EcrFailed,
                format!("ECR returned no token for {}", registry.host()),
            )
        })?;
        raw_token(data, registry)
    }

    async fn get_authorization_tokens(
        &self,
        creds: &Credentials,
        registries: &[EcrRegistry],
    ) -> Result<Vec<RawToken>> {
        let Some(first) = registries.first() else {
            return Ok(Vec::new());
        };
        #[allow(deprecated)]
        let out = self
            .ecr_client(creds, &first.region)
            .get_authorization_token()
            .set_registry_ids(Some(registries.iter().map(|r| r.account.clone()).collect()))
            .send()
            .await
            .map_err(|e| ecr_error(e, first))?;
        let data = out.authorization_data();
        registries
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let d = batch_entry(data, registries.len(), i, &r.account).ok_or_else(|| {
                    err(
                        Code::EcrFailed,
                        format!("ECR returned no token for {}", r.host()),
                    )
                })?;
                raw_token(d, r)
            })
            .collect()
    }
}

/// The answer's entry for the `i`-th of `asked` registries: the one whose proxyEndpoint is
/// the account's; else by position when ECR answered one entry per registry; else ECR's only
/// entry (its token opens every registry the role may use).
fn batch_entry<'a>(
    data: &'a [aws_sdk_ecr::types::AuthorizationData],
    asked: usize,
    i: usize,
    account: &str,
) -> Option<&'a aws_sdk_ecr::types::AuthorizationData> {
    let prefix = format!("{account}.");
    data.iter()
        .find(|d| {
            d.proxy_endpoint().is_some_and(|p| {
                p.trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .starts_with(&prefix)
            })
        })
        .or_else(|| (data.len() == asked).then(|| &data[i]))
        .or_else(|| (data.len() == 1).then(|| &data[0]))
}

fn raw_token(
    data: &aws_sdk_ecr::types::AuthorizationData,
    registry: &EcrRegistry,
) -> Result<RawToken> {
    let token = data.authorization_token().ok_or_else(|| {
        err(
            Code::EcrFailed,
            format!("ECR returned an empty token for {}", registry.host()),
        )
    })?;
    Ok(RawToken {
        authorization_token: SecretString::new(token),
        expires_at: token_expiry(data.expires_at()),
    })
}

/// ECR tokens live 12 hours: trust the answer's expiry, and assume that when it is missing.
fn token_expiry(answered: Option<&aws_smithy_types::DateTime>) -> OffsetDateTime {
    answered
        .map(to_time)
        .unwrap_or_else(|| OffsetDateTime::now_utc() + Duration::from_secs(12 * 3600))
}

impl Aws {
    async fn public_token(&self, creds: &Credentials) -> Result<RawToken> {
        let host = crate::registry::PUBLIC_HOST;
        let out = self
            .ecr_public_client(creds)
            .get_authorization_token()
            .send()
            .await
            .map_err(|e| generic_error(e, Code::EcrFailed, host))?;
        let data = out.authorization_data().ok_or_else(|| {
            err(
                Code::EcrFailed,
                format!("ECR Public returned no token for {host}"),
            )
        })?;
        let token = data.authorization_token().ok_or_else(|| {
            err(
                Code::EcrFailed,
                format!("ECR Public returned an empty token for {host}"),
            )
        })?;
        Ok(RawToken {
            authorization_token: SecretString::new(token),
            expires_at: token_expiry(data.expires_at()),
        })
    }
}

/// ECR and ECR Public answer DescribeRepositories and DescribeImages with different types of
/// the same shape: one mapping for both.
macro_rules! repo_page {
    ($out:expr) => {
        Page {
            items: $out
                .repositories()
                .iter()
                .map(|r| RepoItem {
                    name: r.repository_name().unwrap_or_default().to_string(),
                    uri: r.repository_uri().map(str::to_string),
                    created_at: r.created_at().map(to_time),
                })
                .collect(),
            next: $out.next_token().map(str::to_string),
        }
    };
}

macro_rules! image_page {
    ($out:expr) => {
        Page {
            items: $out
                .image_details()
                .iter()
                .map(|d| Image {
                    tags: d.image_tags().to_vec(),
                    digest: d.image_digest().unwrap_or_default().to_string(),
                    pushed_at: d.image_pushed_at().map(to_time),
                    size_bytes: d.image_size_in_bytes(),
                    ..Default::default()
                })
                .collect(),
            next: $out.next_token().map(str::to_string),
        }
    };
}

impl RepoApi for Aws {
    async fn repositories_page(
        &self,
        creds: &Credentials,
        registry: &EcrRegistry,
        next: Option<String>,
    ) -> Result<Page<RepoItem>> {
        let host = registry.host();
        if registry.is_public() {
            let out = self
                .ecr_public_client(creds)
                .describe_repositories()
                .set_next_token(next)
                .max_results(1000)
                .send()
                .await
                .map_err(|e| generic_error(e, Code::EcrFailed, &host))?;
            return Ok(repo_page!(out));
        }
        let out = self
            .ecr_client(creds, &registry.region)
            .describe_repositories()
            .registry_id(&registry.account)
            .set_next_token(next)
            .max_results(1000)
            .send()
            .await
            .map_err(|e| generic_error(e, Code::EcrFailed, &host))?;
        Ok(repo_page!(out))
    }

    async fn images_page(
        &self,
        creds: &Credentials,
        registry: &EcrRegistry,
        repository: &str,
        next: Option<String>,
    ) -> Result<Page<Image>> {
        let what = format!("{}/{repository}", registry.host());
        if registry.is_public() {
            let out = self
                .ecr_public_client(creds)
                .describe_images()
                .repository_name(repository)
                .set_next_token(next)
                .max_results(1000)
                .send()
                .await
                .map_err(|e| generic_error(e, Code::EcrFailed, &what))?;
            return Ok(image_page!(out));
        }
        let out = self
            .ecr_client(creds, &registry.region)
            .describe_images()
            .registry_id(&registry.account)
            .repository_name(repository)
            .set_next_token(next)
            .max_results(1000)
            .send()
            .await
            .map_err(|e| generic_error(e, Code::EcrFailed, &what))?;
        Ok(image_page!(out))
    }
}

fn to_time(t: &aws_smithy_types::DateTime) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t.secs()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn service_message<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> Option<String> {
    e.as_service_error()
        .map(|s| format!("{} {}", s.code().unwrap_or(""), s.message().unwrap_or("")))
}

/// Transport-level failures: the same words for STS and ECR.
fn transport_error<E, R>(e: &SdkError<E, R>, what: &str) -> Option<Error>
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match e {
        SdkError::TimeoutError(_) => Some(err(
            Code::Network,
            format!("{what} did not answer in time; check your network or proxy and try again"),
        )),
        SdkError::DispatchFailure(d) => {
            let why = if d.is_timeout() {
                "timed out".to_string()
            } else if d.is_io() {
                // "connection refused", "connection reset by peer", ...: say which.
                let cause = root_cause(e);
                let cause = cause.split(" (os error").next().unwrap_or(&cause).trim();
                if cause.is_empty() {
                    "connection failed".to_string()
                } else {
                    format!("connection failed: {}", cause.to_lowercase())
                }
            } else {
                root_cause(e)
            };
            Some(err(
                Code::Network,
                format!(
                    "cannot reach {what} ({why}); check your network, proxy or endpoint settings"
                ),
            ))
        }
        SdkError::ResponseError(_) => Some(err(
            Code::Network,
            format!("{what} sent an unreadable answer; check proxy or endpoint settings"),
        )),
        _ => None,
    }
}

/// The AWS error code of a failed call, or the HTTP status when the answer carried none
/// (an HTML 502 from a proxy or load balancer says nothing else).
fn error_code<E: ProvideErrorMetadata, R: HttpStatus>(e: &SdkError<E, R>) -> String {
    if let Some(code) = e.as_service_error().and_then(|s| s.code()) {
        return code.to_string();
    }
    match e.raw_response().map(HttpStatus::status_code) {
        Some(status) => format!("HTTP {status}"),
        None => "Unknown".to_string(),
    }
}

/// The HTTP status of a raw response (implemented for the SDK's response type).
pub(crate) trait HttpStatus {
    fn status_code(&self) -> u16;
}

impl HttpStatus for aws_smithy_runtime_api::http::Response {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &dyn std::error::Error = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn sts_error<R: std::fmt::Debug + HttpStatus + 'static>(
    e: SdkError<aws_sdk_sts::operation::assume_role_with_saml::AssumeRoleWithSAMLError, R>,
    role_arn: &str,
) -> Error {
    if let Some(t) = transport_error(&e, "AWS STS") {
        return t;
    }
    let Some(s) = e.as_service_error() else {
        return err(
            Code::StsFailed,
            format!("STS call failed: {}", root_cause(&e)),
        );
    };
    let code = error_code(&e);
    let code = code.as_str();
    let msg = s.message().unwrap_or("").trim().trim_end_matches('.');
    match code {
        "ExpiredTokenException" => err(
            Code::StsRejected,
            "AWS says the SAML assertion has expired; sign in again",
        ),
        "IDPRejectedClaim" | "InvalidIdentityToken" | "IDPCommunicationError" => err(
            Code::StsRejected,
            format!("AWS rejected the SAML assertion ({code}: {msg}); check the IdP's AWS app, then sign in again"),
        ),
        "AccessDenied" | "AccessDeniedException" => err(
            Code::StsRejected,
            format!("AWS denied assuming {role_arn} ({msg}); pick another role or ask your AWS admin"),
        ),
        "MalformedPolicyDocument" | "PackedPolicyTooLarge" | "ValidationError" => err(
            Code::StsRejected,
            format!("AWS refused the request for {role_arn} ({code}: {msg})"),
        ),
        "RegionDisabledException" => err(
            Code::StsFailed,
            format!("STS is not enabled in this region ({msg}); set another region or sts_endpoint"),
        ),
        _ => err(
            Code::StsFailed,
            format!("STS failed ({code}{}{msg}); try again later", if msg.is_empty() { "" } else { ": " }),
        ),
    }
}

fn ecr_error<R: std::fmt::Debug + HttpStatus + 'static>(
    e: SdkError<aws_sdk_ecr::operation::get_authorization_token::GetAuthorizationTokenError, R>,
    registry: &EcrRegistry,
) -> Error {
    if let Some(t) = transport_error(&e, &format!("ECR in {}", registry.region)) {
        return t;
    }
    let Some(s) = e.as_service_error() else {
        return err(
            Code::EcrFailed,
            format!("ECR call failed: {}", root_cause(&e)),
        );
    };
    let code = error_code(&e);
    let code = code.as_str();
    let msg = s.message().unwrap_or("").trim().trim_end_matches('.');
    match code {
        "AccessDeniedException" | "AccessDenied" => err(
            Code::EcrFailed,
            format!("the role may not get ECR tokens for account {} in {} ({msg}); ask your AWS admin for ecr:GetAuthorizationToken", registry.account, registry.region),
        ),
        "ExpiredTokenException" | "UnrecognizedClientException" | "InvalidSignatureException" => err(
            Code::NotLoggedIn,
            format!("AWS no longer accepts the session ({code}); sign in again"),
        ),
        _ => err(
            Code::EcrFailed,
            format!("ECR failed for {} ({code}{}{msg}); try again later", registry.host(), if msg.is_empty() { "" } else { ": " }),
        ),
    }
}

/// Errors of calls signed with the session's credentials (AssumeRole, GetCallerIdentity).
fn signed_sts_error<E, R>(e: SdkError<E, R>, what: &str) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + HttpStatus + 'static,
{
    if let Some(t) = transport_error(&e, "AWS STS") {
        return t.context(what.to_string());
    }
    let Some(s) = e.as_service_error() else {
        return err(
            Code::StsFailed,
            format!("{what}: STS call failed: {}", root_cause(&e)),
        );
    };
    let code = error_code(&e);
    let code = code.as_str();
    let msg = s.message().unwrap_or("").trim().trim_end_matches('.');
    match code {
        "ExpiredToken" | "ExpiredTokenException" | "InvalidClientTokenId" => err(
            Code::NotLoggedIn,
            format!("{what}: AWS no longer accepts the session ({code}); sign in again"),
        ),
        "AccessDenied" | "AccessDeniedException" => err(
            Code::StsRejected,
            format!("{what}: AWS denied it ({msg}); check the role's trust policy or ask your AWS admin"),
        ),
        _ => err(
            Code::StsFailed,
            format!("{what}: STS failed ({code}{}{msg}); try again later", if msg.is_empty() { "" } else { ": " }),
        ),
    }
}

/// Errors of ECR calls other than GetAuthorizationToken (listing, ECR Public).
fn generic_error<E, R>(e: SdkError<E, R>, code_if_service: Code, what: &str) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + HttpStatus + 'static,
{
    if let Some(t) = transport_error(&e, "ECR") {
        return t.context(what.to_string());
    }
    let Some(s) = e.as_service_error() else {
        return err(
            code_if_service,
            format!("{what}: ECR call failed: {}", root_cause(&e)),
        );
    };
    let code = error_code(&e);
    let code = code.as_str();
    let msg = s.message().unwrap_or("").trim().trim_end_matches('.');
    match code {
        "ExpiredTokenException" | "UnrecognizedClientException" | "InvalidSignatureException" => {
            err(
                Code::NotLoggedIn,
                format!("{what}: AWS no longer accepts the session ({code}); sign in again"),
            )
        }
        "AccessDeniedException" | "AccessDenied" => err(
            code_if_service,
            format!(
                "{what}: access denied ({msg}); ask your AWS admin for the ECR read permissions"
            ),
        ),
        _ => err(
            code_if_service,
            format!(
                "{what}: {code}{}{msg}",
                if msg.is_empty() { "" } else { ": " }
            ),
        ),
    }
}
