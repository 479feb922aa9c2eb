//! IAM Identity Center's two public APIs as the session needs them: SSO OIDC (a client
//! registration, then tokens by device code, authorization code with PKCE, or refresh token)
//! and the access portal (accounts, their roles, role credentials). The SDK implements them in
//! `sdk/identity_center.rs`; tests use fakes.

use crate::aws::sts::Credentials;
use crate::{Result, SecretString};
use std::future::Future;
use std::time::Duration;
use time::OffsetDateTime;

/// The scope a token needs for the portal's account access (the AWS CLI asks for the same).
pub const ACCOUNT_ACCESS_SCOPE: &str = "sso:account:access";

/// Where Identity Center lives for one profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// The access portal URL (`sso_start_url`).
    pub start_url: String,
    /// Its region (`sso_region`).
    pub region: String,
}

/// A client registration: who asks for tokens (public client; it lasts about 90 days).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub client_id: String,
    pub client_secret: SecretString,
    pub expires_at: OffsetDateTime,
}

/// How a registration will get its tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistrationFor {
    /// The authorization code grant with PKCE, redirecting to this loopback URL.
    AuthorizationCode { redirect_uri: String },
    /// The device code grant.
    DeviceCode,
}

/// A device authorization in progress: the user opens the URL and confirms the code.
#[derive(Clone, Debug)]
pub struct DeviceAuthorization {
    pub device_code: SecretString,
    pub user_code: String,
    pub verification_uri: String,
    /// The URL with the code filled in, when the service gives one.
    pub verification_uri_complete: Option<String>,
    /// How often to ask whether the user confirmed.
    pub interval: Duration,
    pub expires_at: OffsetDateTime,
}

/// What a token is asked for with.
#[derive(Clone, Debug)]
pub enum Grant {
    AuthorizationCode {
        code: SecretString,
        redirect_uri: String,
        code_verifier: SecretString,
    },
    DeviceCode {
        device_code: SecretString,
    },
    RefreshToken {
        refresh_token: SecretString,
    },
}

/// An access token (and the refresh token that renews it, when the grant gave one).
#[derive(Clone, Debug)]
pub struct Token {
    pub access_token: SecretString,
    pub expires_at: OffsetDateTime,
    pub refresh_token: Option<SecretString>,
}

/// The answer to a token request in the device code flow.
#[derive(Clone, Debug)]
pub enum TokenAnswer {
    Token(Token),
    /// The user has not confirmed yet: ask again after the interval.
    Pending,
    /// Ask less often (5 seconds more, RFC 8628).
    SlowDown,
}

/// An account of the access portal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
}

/// SSO OIDC: registrations and tokens.
pub trait SsoOidc: Send + Sync {
    fn register_client(
        &self,
        instance: &Instance,
        purpose: &RegistrationFor,
    ) -> impl Future<Output = Result<Registration>> + Send;

    fn start_device_authorization(
        &self,
        instance: &Instance,
        registration: &Registration,
    ) -> impl Future<Output = Result<DeviceAuthorization>> + Send;

    /// A token for `grant`; the device code grant may answer "not yet".
    fn create_token(
        &self,
        instance: &Instance,
        registration: &Registration,
        grant: &Grant,
    ) -> impl Future<Output = Result<TokenAnswer>> + Send;

    /// The authorize endpoint's URL (`https://oidc.REGION.amazonaws.com/authorize`, or where
    /// `AWS_ENDPOINT_URL_SSO_OIDC` points) that the user's browser opens.
    fn authorize_endpoint(&self, instance: &Instance) -> String;
}

/// The access portal: what the token may reach, and role credentials.
pub trait SsoPortal: Send + Sync {
    fn list_accounts(
        &self,
        instance: &Instance,
        token: &SecretString,
    ) -> impl Future<Output = Result<Vec<Account>>> + Send;

    /// The role names the user has in `account`.
    fn list_account_roles(
        &self,
        instance: &Instance,
        token: &SecretString,
        account: &str,
    ) -> impl Future<Output = Result<Vec<String>>> + Send;

    fn get_role_credentials(
        &self,
        instance: &Instance,
        token: &SecretString,
        account: &str,
        role_name: &str,
    ) -> impl Future<Output = Result<Credentials>> + Send;
}
