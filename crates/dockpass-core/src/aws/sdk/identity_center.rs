//! IAM Identity Center over the SDK: SSO OIDC (`aws-sdk-ssooidc`) and the access portal
//! (`aws-sdk-sso`), both in the instance's region. Their calls are unsigned (the portal takes
//! the bearer token); `AWS_ENDPOINT_URL_SSO_OIDC` and `AWS_ENDPOINT_URL_SSO` move them like
//! the other endpoint variables.

use super::errors::{error_code, transport_error};
use super::Aws;
use crate::aws::identity_center::{
    Account, DeviceAuthorization, Grant, Instance, Registration, RegistrationFor, SsoOidc,
    SsoPortal, Token, TokenAnswer, ACCOUNT_ACCESS_SCOPE,
};
use crate::aws::sts::Credentials;
use crate::{err, Code, Error, Result, SecretString};
use aws_config::Region;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use std::time::Duration;
use time::OffsetDateTime;

/// The client name Identity Center shows (and records) for Dockpass's registrations.
const CLIENT_NAME: &str = "dockpass";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

impl Aws {
    fn oidc_client(&self, instance: &Instance) -> aws_sdk_ssooidc::Client {
        let conf = aws_sdk_ssooidc::config::Builder::from(&self.base)
            .region(Region::new(instance.region.clone()))
            .build();
        aws_sdk_ssooidc::Client::from_conf(conf)
    }

    fn portal_client(&self, instance: &Instance) -> aws_sdk_sso::Client {
        let conf = aws_sdk_sso::config::Builder::from(&self.base)
            .region(Region::new(instance.region.clone()))
            .build();
        aws_sdk_sso::Client::from_conf(conf)
    }
}

fn secs_from_now(secs: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() + time::Duration::seconds(secs.max(0))
}

/// An SSO OIDC or portal failure in Dockpass's words. An ended or revoked sign-in is
/// `not_logged_in` (exit 3: sign in again); a role the user lacks is `role_not_found`.
fn sso_error<E, R>(e: SdkError<E, R>, what: &str) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + super::errors::HttpStatus + 'static,
{
    if let Some(t) = transport_error(&e, "IAM Identity Center") {
        return t;
    }
    let code = error_code(&e);
    let detail = e
        .as_service_error()
        .and_then(|s| s.message())
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    match code.as_str() {
        "UnauthorizedException" | "ExpiredTokenException" | "InvalidGrantException"
        | "AccessDeniedException" => err(
            Code::NotLoggedIn,
            format!(
                "IAM Identity Center no longer accepts this sign-in ({code}{detail}) while {what}; sign in again"
            ),
        ),
        "ForbiddenException" => err(
            Code::RoleNotFound,
            format!("IAM Identity Center refused {what} ({code}{detail}); pick a role the access portal lists for you"),
        ),
        "InvalidClientException" | "UnauthorizedClientException" => err(
            Code::NotLoggedIn,
            format!("IAM Identity Center no longer knows Dockpass's registration ({code}) while {what}; sign in again"),
        ),
        _ => err(
            Code::SsoFailed,
            format!("IAM Identity Center failed while {what} ({code}{detail}); try again"),
        ),
    }
}

impl SsoOidc for Aws {
    async fn register_client(
        &self,
        instance: &Instance,
        purpose: &RegistrationFor,
    ) -> Result<Registration> {
        let mut req = self
            .oidc_client(instance)
            .register_client()
            .client_name(CLIENT_NAME)
            .client_type("public")
            .scopes(ACCOUNT_ACCESS_SCOPE);
        if let RegistrationFor::AuthorizationCode { redirect_uri } = purpose {
            req = req
                .grant_types("authorization_code")
                .grant_types("refresh_token")
                .redirect_uris(redirect_uri)
                .issuer_url(&instance.start_url);
        } else {
            req = req.grant_types(DEVICE_GRANT).grant_types("refresh_token");
        }
        let out = req
            .send()
            .await
            .map_err(|e| sso_error(e, "registering Dockpass as a client"))?;
        let (Some(id), Some(secret)) = (out.client_id(), out.client_secret()) else {
            return Err(err(
                Code::SsoFailed,
                "IAM Identity Center registered no client; try again",
            ));
        };
        Ok(Registration {
            client_id: id.to_string(),
            client_secret: SecretString::new(secret),
            expires_at: OffsetDateTime::from_unix_timestamp(out.client_secret_expires_at())
                .unwrap_or_else(|_| secs_from_now(0)),
        })
    }

    async fn start_device_authorization(
        &self,
        instance: &Instance,
        registration: &Registration,
    ) -> Result<DeviceAuthorization> {
        let out = self
            .oidc_client(instance)
            .start_device_authorization()
            .client_id(&registration.client_id)
            .client_secret(registration.client_secret.expose())
            .start_url(&instance.start_url)
            .send()
            .await
            .map_err(|e| sso_error(e, "starting the device sign-in"))?;
        let (Some(device), Some(user), Some(uri)) =
            (out.device_code(), out.user_code(), out.verification_uri())
        else {
            return Err(err(
                Code::SsoFailed,
                "IAM Identity Center started no device sign-in; try again",
            ));
        };
        Ok(DeviceAuthorization {
            device_code: SecretString::new(device),
            user_code: user.to_string(),
            verification_uri: uri.to_string(),
            verification_uri_complete: out.verification_uri_complete().map(str::to_string),
            interval: Duration::from_secs(out.interval().clamp(1, 60) as u64),
            expires_at: secs_from_now(i64::from(out.expires_in())),
        })
    }

    async fn create_token(
        &self,
        instance: &Instance,
        registration: &Registration,
        grant: &Grant,
    ) -> Result<TokenAnswer> {
        let req = self
            .oidc_client(instance)
            .create_token()
            .client_id(&registration.client_id)
            .client_secret(registration.client_secret.expose());
        let (req, what) = match grant {
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => (
                req.grant_type("authorization_code")
                    .code(code.expose())
                    .redirect_uri(redirect_uri)
                    .code_verifier(code_verifier.expose()),
                "taking the browser's sign-in",
            ),
            Grant::DeviceCode { device_code } => (
                req.grant_type(DEVICE_GRANT)
                    .device_code(device_code.expose()),
                "waiting for the device sign-in",
            ),
            Grant::RefreshToken { refresh_token } => (
                req.grant_type("refresh_token")
                    .refresh_token(refresh_token.expose()),
                "renewing the sign-in",
            ),
        };
        let out = match req.send().await {
            Ok(out) => out,
            Err(e) => {
                use aws_sdk_ssooidc::operation::create_token::CreateTokenError as E;
                return match e.as_service_error() {
                    Some(E::AuthorizationPendingException(_)) => Ok(TokenAnswer::Pending),
                    Some(E::SlowDownException(_)) => Ok(TokenAnswer::SlowDown),
                    _ => Err(sso_error(e, what)),
                };
            }
        };
        let Some(access) = out.access_token() else {
            return Err(err(
                Code::SsoFailed,
                "IAM Identity Center gave no access token; try again",
            ));
        };
        Ok(TokenAnswer::Token(Token {
            access_token: SecretString::new(access),
            expires_at: secs_from_now(i64::from(out.expires_in())),
            refresh_token: out.refresh_token().map(SecretString::new),
        }))
    }

    fn authorize_endpoint(&self, instance: &Instance) -> String {
        // The endpoint the SDK client would use: the service's own setting, then the global one.
        let key = aws_types::service_config::ServiceConfigKey::builder()
            .service_id("SSO OIDC")
            .env("AWS_ENDPOINT_URL")
            .profile("endpoint_url")
            .build()
            .ok();
        let configured = key
            .and_then(|k| self.base.service_config().and_then(|c| c.load_config(k)))
            .or_else(|| self.base.endpoint_url().map(str::to_string));
        let base = match configured {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => {
                let (suffix, _) = crate::registry::dns_suffixes(&instance.region);
                format!("https://oidc.{}.{suffix}", instance.region)
            }
        };
        format!("{base}/authorize")
    }
}

impl SsoPortal for Aws {
    async fn list_accounts(
        &self,
        instance: &Instance,
        token: &SecretString,
    ) -> Result<Vec<Account>> {
        let client = self.portal_client(instance);
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = client
                .list_accounts()
                .access_token(token.expose())
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| sso_error(e, "listing your accounts"))?;
            out.extend(page.account_list().iter().filter_map(|a| {
                Some(Account {
                    id: a.account_id()?.to_string(),
                    name: a.account_name().unwrap_or_default().to_string(),
                })
            }));
            match page.next_token() {
                Some(t) if !t.is_empty() && out.len() < 10_000 => next = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
    }

    async fn list_account_roles(
        &self,
        instance: &Instance,
        token: &SecretString,
        account: &str,
    ) -> Result<Vec<String>> {
        let client = self.portal_client(instance);
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = client
                .list_account_roles()
                .access_token(token.expose())
                .account_id(account)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| sso_error(e, &format!("listing your roles in account {account}")))?;
            out.extend(
                page.role_list()
                    .iter()
                    .filter_map(|r| r.role_name().map(str::to_string)),
            );
            match page.next_token() {
                Some(t) if !t.is_empty() && out.len() < 10_000 => next = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
    }

    async fn get_role_credentials(
        &self,
        instance: &Instance,
        token: &SecretString,
        account: &str,
        role_name: &str,
    ) -> Result<Credentials> {
        let out = self
            .portal_client(instance)
            .get_role_credentials()
            .access_token(token.expose())
            .account_id(account)
            .role_name(role_name)
            .send()
            .await
            .map_err(|e| sso_error(e, &format!("getting credentials for {account}/{role_name}")))?;
        let c = out.role_credentials().ok_or_else(|| {
            err(
                Code::SsoFailed,
                "IAM Identity Center gave no role credentials; try again",
            )
        })?;
        let (Some(id), Some(secret), Some(session)) =
            (c.access_key_id(), c.secret_access_key(), c.session_token())
        else {
            return Err(err(
                Code::SsoFailed,
                "IAM Identity Center gave incomplete role credentials; try again",
            ));
        };
        Ok(Credentials {
            access_key_id: id.to_string(),
            secret_access_key: SecretString::new(secret),
            session_token: SecretString::new(session),
            // `expiration` is in milliseconds since the epoch.
            expires_at: OffsetDateTime::from_unix_timestamp(c.expiration() / 1000)
                .unwrap_or_else(|_| secs_from_now(0)),
        })
    }
}
