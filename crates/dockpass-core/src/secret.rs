//! A redacting, zeroizing wrapper for secrets (session tokens, secret keys, ECR passwords,
//! SAML assertions). Debug and Display print `[redacted]`; the bytes are wiped on drop.
//! Reading the value needs an explicit `expose()`, which makes every use easy to audit.

use std::fmt;
use zeroize::Zeroizing;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    pub fn new(s: impl Into<String>) -> Self {
        SecretString(Zeroizing::new(s.into()))
    }

    /// The secret itself. Call only where it must leave the process (AWS call, docker, keychain).
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// The inner `Zeroizing` wipes the bytes when the value drops.
impl zeroize::ZeroizeOnDrop for SecretString {}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        SecretString::new(s)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl serde::Serialize for SecretString {
    /// Serializes the value: used only for the keychain entry and docker's own formats.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.expose())
    }
}

impl<'de> serde::Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(SecretString::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let s = SecretString::new("AKIAsupersecret");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(s.expose(), "AKIAsupersecret");
    }

    #[test]
    fn wiped_on_drop() {
        fn wipes<T: zeroize::ZeroizeOnDrop>() {}
        wipes::<SecretString>();
        wipes::<Zeroizing<String>>();
    }

    /// Every type that holds a secret prints without it.
    #[test]
    fn debug_of_every_secret_holder_is_redacted() {
        use crate::registry::EcrRegistry;
        let secret = "TOPSECRET-value-0123456789";
        let s = || SecretString::new(secret);
        let creds = crate::sts::Credentials {
            access_key_id: "ASIAPUBLIC".into(),
            secret_access_key: s(),
            session_token: s(),
            expires_at: time::OffsetDateTime::UNIX_EPOCH,
        };
        let token = crate::ecr::EcrToken {
            registry: EcrRegistry::new("123456789012", "us-east-1"),
            username: "AWS".into(),
            password: s(),
            expires_at: time::OffsetDateTime::UNIX_EPOCH,
        };
        let secrets = crate::secrets::SessionSecrets {
            credentials: creds.clone(),
            tokens: vec![token.clone()],
            chained: vec![crate::secrets::ChainedCredentials {
                role_arn: "arn:aws:iam::210987654321:role/R".into(),
                credentials: creds.clone(),
            }],
        };
        let captured = crate::capture::Captured {
            action: "https://signin.aws.amazon.com/saml".into(),
            relay_state: String::new(),
            response: s(),
        };
        let login = crate::helper::Login {
            username: "AWS".into(),
            secret: s(),
        };
        let answer = crate::helper::socket::Answer::Login {
            username: "AWS".into(),
            secret: secret.into(),
        };
        let process = crate::credentials::to_process(&creds);
        for d in [
            format!("{creds:?}"),
            format!("{token:?}"),
            format!("{secrets:?}"),
            format!("{captured:?}"),
            format!("{login:?}"),
            format!("{answer:?}"),
            format!("{process:?}"),
        ] {
            assert!(!d.contains("TOPSECRET"), "{d}");
        }
    }
}
