//! One error type for the whole core: a stable machine code plus one human line.
//!
//! The code is what scripts, the UI and IPC match on; the message says what is wrong
//! and what to do. Messages never contain secrets (tokens, keys, assertions).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Stable error codes. Their `snake_case` names are a public contract (CLI `--json`, IPC).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
    ts_rs::TS,
)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Code {
    /// Bad command line or an argument that cannot be used.
    Usage,
    /// The config file is missing, does not parse, or holds an invalid value.
    Config,
    /// The profile named does not exist.
    ProfileNotFound,
    /// The input is not a SAML response (garbage, truncated, not XML, no SAMLResponse in the page).
    SamlInvalid,
    /// The assertion is encrypted; Dockpass cannot read roles from it.
    SamlEncrypted,
    /// The assertion holds no AWS role attribute.
    SamlNoRoles,
    /// The assertion's NotOnOrAfter has passed: the user must sign in again.
    SamlExpired,
    /// The input is bigger than any real assertion.
    SamlTooLarge,
    /// The XML uses a DTD, entities or other constructs that are refused for safety.
    SamlUnsafe,
    /// The requested role is not among the assertion's roles.
    RoleNotFound,
    /// The role given matches several roles of the assertion.
    RoleAmbiguous,
    /// Several roles are offered and nothing picks one.
    RoleNotChosen,
    /// The assertion comes from another IdP issuer, or its role is in an account the profile
    /// has not used: the user must confirm it first (`--trust-new-account`).
    Untrusted,
    /// AWS refused the assertion or the role (expired, invalid, access denied): sign in again.
    StsRejected,
    /// STS failed for another reason (throttling, server error).
    StsFailed,
    /// ECR failed to issue a token.
    EcrFailed,
    /// IAM Identity Center failed for a reason other than an ended sign-in (throttling, a
    /// server error, a registration it refused).
    SsoFailed,
    /// The endpoint could not be reached.
    Network,
    /// The docker config file cannot be read, parsed or written.
    DockerConfig,
    /// A docker credential helper (credsStore / credHelpers) failed.
    DockerHelper,
    /// The Dockpass state file cannot be read or written.
    State,
    /// The OS keychain is unavailable or refused an operation.
    Keychain,
    /// There is no session, or it has ended: sign in.
    NotLoggedIn,
    /// A sign-in in the browser did not arrive in time (or the attempt ended first).
    SignInTimeout,
    /// Another Dockpass process (app or daemon) already keeps this profile fresh.
    Busy,
    /// A file system operation failed.
    Io,
    /// A bug: something that should not happen.
    Internal,
}

impl Code {
    /// The stable string form of the code (its serde name).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Process exit code for the CLI (docs/ARCHITECTURE.md, "CLI"): 2 usage or configuration, 3 the user must
    /// sign in again, 4 AWS or network failures, 1 otherwise.
    pub fn exit_code(self) -> i32 {
        match self {
            Code::Usage
            | Code::Config
            | Code::ProfileNotFound
            | Code::SamlInvalid
            | Code::SamlTooLarge
            | Code::SamlUnsafe
            | Code::RoleNotFound
            | Code::RoleAmbiguous
            | Code::RoleNotChosen
            | Code::Untrusted => 2,
            Code::SamlExpired | Code::StsRejected | Code::NotLoggedIn | Code::SignInTimeout => 3,
            Code::StsFailed | Code::EcrFailed | Code::SsoFailed | Code::Network => 4,
            Code::SamlEncrypted
            | Code::SamlNoRoles
            | Code::DockerConfig
            | Code::DockerHelper
            | Code::State
            | Code::Keychain
            | Code::Busy
            | Code::Io
            | Code::Internal => 1,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A core error: `{code, message}`, serialized that way across IPC and `--json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, ts_rs::TS)]
#[ts(export, rename = "ApiError")]
#[error("{message}")]
pub struct Error {
    pub code: Code,
    pub message: String,
}

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        let message = message.into();
        // One line, always: the CLI prints it as is and the UI shows it in a banner.
        let message = if message.contains('\n') {
            message.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            message
        };
        Error { code, message }
    }

    /// Process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        self.code.exit_code()
    }

    /// Prefixes the message with context, keeping the code.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

/// Shorthand constructors: `err(Code::Config, "...")`.
pub fn err(code: Code, message: impl Into<String>) -> Error {
    Error::new(code, message)
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Describes an I/O error in plain words, without the OS error number noise.
pub fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "not found".into(),
        K::PermissionDenied => "permission denied".into(),
        K::AlreadyExists => "already exists".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line() {
        let e = err(Code::Config, "bad\nvalue\n  here");
        assert_eq!(e.message, "bad value here");
    }

    #[test]
    fn serializes_as_code_and_message() {
        let e = err(Code::SamlExpired, "sign in again");
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"code": "saml_expired", "message": "sign in again"})
        );
        assert_eq!(e.exit_code(), 3);
    }

    #[test]
    fn serde_name_matches_as_str() {
        use strum::IntoEnumIterator;
        let mut seen = std::collections::HashSet::new();
        for c in Code::iter() {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
            assert!(seen.insert(c.as_str()), "{c:?}");
        }
        assert!(seen.len() >= 25 && seen.contains("untrusted"));
    }
}
