//! The SDK's errors as Dockpass's: a stable code and one line that says what to do. Transport
//! failures read the same for every service; an answer without an AWS error code (a proxy's
//! HTML 502) names its HTTP status.

use crate::registry::EcrRegistry;
use crate::{err, Code, Error};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

pub(super) fn service_message<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> Option<String> {
    e.as_service_error()
        .map(|s| format!("{} {}", s.code().unwrap_or(""), s.message().unwrap_or("")))
}

/// Transport-level failures: the same words for STS and ECR.
pub(super) fn transport_error<E, R>(e: &SdkError<E, R>, what: &str) -> Option<Error>
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
pub(super) fn error_code<E: ProvideErrorMetadata, R: HttpStatus>(e: &SdkError<E, R>) -> String {
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

/// Every message of an error's chain, outermost first (lower case), for matching words that
/// any layer may say.
pub(super) fn chain_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur: &dyn std::error::Error = e;
    while let Some(next) = cur.source() {
        out.push_str(": ");
        out.push_str(&next.to_string());
        cur = next;
    }
    out.to_ascii_lowercase()
}

pub(super) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &dyn std::error::Error = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

pub(super) fn sts_error<R: std::fmt::Debug + HttpStatus + 'static>(
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

pub(super) fn ecr_error<R: std::fmt::Debug + HttpStatus + 'static>(
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
pub(super) fn signed_sts_error<E, R>(e: SdkError<E, R>, what: &str) -> Error
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
pub(super) fn generic_error<E, R>(e: SdkError<E, R>, code_if_service: Code, what: &str) -> Error
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecr::operation::get_authorization_token::GetAuthorizationTokenError as EcrTokenError;
    use aws_sdk_sts::operation::assume_role_with_saml::AssumeRoleWithSAMLError as SamlError;
    use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn raw(status: u16) -> Response {
        Response::new(StatusCode::try_from(status).unwrap(), SdkBody::empty())
    }

    fn meta(code: &str, message: &str) -> ErrorMetadata {
        let mut m = ErrorMetadata::builder();
        if !code.is_empty() {
            m = m.code(code);
        }
        m.message(message).build()
    }

    fn saml(code: &str, status: u16) -> SdkError<SamlError, Response> {
        SdkError::service_error(
            SamlError::generic(meta(code, "The thing said no.")),
            raw(status),
        )
    }

    fn one_line(e: &Error) {
        assert!(!e.message.contains('\n') && !e.message.is_empty(), "{e:?}");
    }

    const ROLE: &str = "arn:aws:iam::111111111111:role/Dev";

    #[test]
    fn sts_sign_in_errors() {
        for (code, want, words) in [
            ("ExpiredTokenException", Code::StsRejected, "sign in again"),
            ("IDPRejectedClaim", Code::StsRejected, "IdP's AWS app"),
            (
                "InvalidIdentityToken",
                Code::StsRejected,
                "rejected the SAML assertion",
            ),
            ("AccessDenied", Code::StsRejected, ROLE),
            ("ValidationError", Code::StsRejected, "refused the request"),
            ("RegionDisabledException", Code::StsFailed, "sts_endpoint"),
            (
                "Throttling",
                Code::StsFailed,
                "STS failed (Throttling: The thing said no)",
            ),
        ] {
            let e = sts_error(saml(code, 400), ROLE);
            assert_eq!(e.code, want, "{code}: {e:?}");
            assert!(e.message.contains(words), "{code}: {}", e.message);
            one_line(&e);
        }
        // A proxy's HTML answer carries no AWS code: its status is named.
        let e = sts_error(saml("", 502), ROLE);
        assert_eq!(e.code, Code::StsFailed);
        assert!(e.message.contains("HTTP 502"), "{}", e.message);
    }

    #[test]
    fn transport_failures_read_the_same_for_every_service() {
        let refused = || {
            ConnectorError::io(Box::new(std::io::Error::new(
                std::io::ErrorKind::ConnectionRefused,
                "Connection refused (os error 111)",
            )))
        };
        let e = sts_error::<Response>(SdkError::dispatch_failure(refused()), ROLE);
        assert_eq!(e.code, Code::Network);
        assert!(
            e.message
                .contains("cannot reach AWS STS (connection failed: connection refused)"),
            "{}",
            e.message
        );
        let reg = EcrRegistry::new("111111111111", "eu-west-1");
        let e = ecr_error::<Response>(SdkError::dispatch_failure(refused()), &reg);
        assert_eq!(e.code, Code::Network);
        assert!(
            e.message.contains("cannot reach ECR in eu-west-1"),
            "{}",
            e.message
        );
        let e = sts_error::<Response>(SdkError::timeout_error("slow"), ROLE);
        assert_eq!(e.code, Code::Network);
        assert!(
            e.message.contains("did not answer in time"),
            "{}",
            e.message
        );
    }

    #[test]
    fn ecr_token_errors() {
        let reg = EcrRegistry::new("222222222222", "us-west-2");
        let ecr = |code: &str| {
            SdkError::service_error(EcrTokenError::generic(meta(code, "nope")), raw(400))
        };
        let e = ecr_error(ecr("AccessDeniedException"), &reg);
        assert_eq!(e.code, Code::EcrFailed);
        assert!(
            e.message.contains("ecr:GetAuthorizationToken") && e.message.contains("222222222222")
        );
        for code in [
            "ExpiredTokenException",
            "UnrecognizedClientException",
            "InvalidSignatureException",
        ] {
            assert_eq!(ecr_error(ecr(code), &reg).code, Code::NotLoggedIn, "{code}");
        }
        let e = ecr_error(ecr("ServerException"), &reg);
        assert_eq!(e.code, Code::EcrFailed);
        assert!(e.message.contains(&reg.host()), "{}", e.message);
    }

    #[test]
    fn signed_sts_and_listing_errors() {
        let signed = |code: &str| {
            SdkError::service_error(GetCallerIdentityError::generic(meta(code, "no")), raw(403))
        };
        assert_eq!(
            signed_sts_error(signed("ExpiredToken"), "chained role").code,
            Code::NotLoggedIn
        );
        let e = signed_sts_error(signed("AccessDenied"), "chained role");
        assert_eq!(e.code, Code::StsRejected);
        assert!(e.message.starts_with("chained role: "), "{}", e.message);
        let listing = |code: &str| {
            SdkError::service_error(EcrTokenError::generic(meta(code, "denied")), raw(400))
        };
        let e = generic_error(listing("AccessDeniedException"), Code::EcrFailed, "listing");
        assert_eq!(e.code, Code::EcrFailed);
        assert!(e.message.contains("ECR read permissions"), "{}", e.message);
        assert_eq!(
            generic_error(listing("ExpiredTokenException"), Code::EcrFailed, "listing").code,
            Code::NotLoggedIn
        );
    }
}
