//! Session secrets (STS credentials, ECR tokens) in the OS keychain: service `dockpass`,
//! one entry per profile. Where no keychain is available, secrets stay in memory only and
//! the caller says so; there is never a silent fallback to a plain file.

use crate::aws::ecr::EcrToken;
use crate::aws::sts::Credentials;
use crate::{err, Code, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;

/// The keychain service name.
pub const SERVICE: &str = "dockpass";

/// Everything secret about one profile's session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSecrets {
    /// The federated (or AWS-profile) session.
    pub credentials: Credentials,
    pub tokens: Vec<EcrToken>,
    /// Roles assumed from `credentials` (`[[profile.chain]]`).
    #[serde(default)]
    pub chained: Vec<ChainedCredentials>,
}

/// The credentials of one chained role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainedCredentials {
    pub role_arn: String,
    pub credentials: Credentials,
}

impl SessionSecrets {
    /// The credentials that reach a registry: a chained role's (`via`) or the session's.
    pub fn credentials_for(&self, via: Option<&str>) -> Option<&Credentials> {
        match via {
            None => Some(&self.credentials),
            Some(arn) => self
                .chained
                .iter()
                .find(|c| c.role_arn == arn)
                .map(|c| &c.credentials),
        }
    }
}

/// Where secrets are kept.
pub trait SecretStore: Send + Sync {
    /// "keychain" or "memory": shown by `dockpass status`.
    fn backend(&self) -> &'static str;
    fn load(&self, profile: &str) -> Result<Option<SessionSecrets>>;
    fn save(&self, profile: &str, secrets: &SessionSecrets) -> Result<()>;
    fn delete(&self, profile: &str) -> Result<()>;
}

/// The OS keychain through `keyring` (Secret Service on Linux).
#[derive(Debug, Default)]
pub struct Keychain;

impl Keychain {
    fn entry(profile: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, profile).map_err(keychain_error)
    }

    /// Checks that a real keychain answers. Returns why not, in one line, when it does not.
    pub fn probe() -> std::result::Result<(), String> {
        // Without a session bus libdbus would try to autolaunch a daemon (via X11 when
        // DISPLAY is set): a stray process and never a keychain. Say so instead.
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none_or(|v| v.is_empty()) {
            return Err("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)".into());
        }
        let entry = keyring::Entry::new(SERVICE, "__probe__").map_err(|e| describe(&e))?;
        match entry.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(describe(&e)),
        }
    }
}

fn describe(e: &keyring::Error) -> String {
    match e {
        keyring::Error::NoStorageAccess(inner) => {
            let s = inner.to_string();
            if s.contains("no result found") {
                // dbus-secret-service's answer when no collection or no service answers.
                "no Secret Service keychain (gnome-keyring or KeePassXC) answers on the session bus"
                    .to_string()
            } else {
                format!("the keychain is locked or refused access ({s})")
            }
        }
        keyring::Error::PlatformFailure(inner) => {
            let s = inner.to_string();
            if s.contains("autolaunch") || s.contains("DBUS_SESSION_BUS_ADDRESS") {
                "no D-Bus session bus".to_string()
            } else if s.contains("org.freedesktop.secrets") || s.contains("ServiceUnknown") {
                "no Secret Service (gnome-keyring or KeePassXC) is running".to_string()
            } else {
                format!("the keychain failed ({s})")
            }
        }
        other => format!("the keychain failed ({other})"),
    }
}

fn keychain_error(e: keyring::Error) -> crate::Error {
    err(Code::Keychain, describe(&e))
}

impl SecretStore for Keychain {
    fn backend(&self) -> &'static str {
        "keychain"
    }

    fn load(&self, profile: &str) -> Result<Option<SessionSecrets>> {
        let secret = match Keychain::entry(profile)?.get_password() {
            Ok(s) => zeroize::Zeroizing::new(s),
            Err(keyring::Error::NoEntry) => return Ok(None),
            Err(e) => return Err(keychain_error(e)),
        };
        serde_json::from_str(&secret).map(Some).map_err(|_| {
            err(
                Code::Keychain,
                format!("the keychain entry {SERVICE}/{profile} is unreadable; run `dockpass logout --profile {profile}` and sign in again"),
            )
        })
    }

    fn save(&self, profile: &str, secrets: &SessionSecrets) -> Result<()> {
        let text = zeroize::Zeroizing::new(
            serde_json::to_string(secrets)
                .map_err(|e| err(Code::Internal, format!("cannot serialize secrets: {e}")))?,
        );
        Keychain::entry(profile)?
            .set_password(&text)
            .map_err(keychain_error)
    }

    fn delete(&self, profile: &str) -> Result<()> {
        match Keychain::entry(profile)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// Secrets for the life of this process only.
#[derive(Debug, Default)]
pub struct MemoryStore(Mutex<HashMap<String, SessionSecrets>>);

impl SecretStore for MemoryStore {
    fn backend(&self) -> &'static str {
        "memory"
    }

    fn load(&self, profile: &str) -> Result<Option<SessionSecrets>> {
        Ok(self.lock().get(profile).cloned())
    }

    fn save(&self, profile: &str, secrets: &SessionSecrets) -> Result<()> {
        self.lock().insert(profile.to_string(), secrets.clone());
        Ok(())
    }

    fn delete(&self, profile: &str) -> Result<()> {
        self.lock().remove(profile);
        Ok(())
    }
}

impl MemoryStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SessionSecrets>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The keychain when one answers, else memory plus the one-line reason.
pub fn open() -> (Box<dyn SecretStore>, Option<String>) {
    match Keychain::probe() {
        Ok(()) => (Box::new(Keychain), None),
        Err(why) => (Box::new(MemoryStore::default()), Some(why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::EcrRegistry;
    use crate::SecretString;
    use time::macros::datetime;

    fn sample() -> SessionSecrets {
        SessionSecrets {
            credentials: Credentials {
                access_key_id: "ASIAEXAMPLE".into(),
                secret_access_key: SecretString::new("very-secret"),
                session_token: SecretString::new("session-token"),
                expires_at: datetime!(2026-11-26 20:00 UTC),
            },
            tokens: vec![EcrToken {
                registry: EcrRegistry::new("123456789012", "us-east-1"),
                username: "AWS".into(),
                password: SecretString::new("ecr-password"),
                expires_at: datetime!(2026-11-27 07:00 UTC),
            }],
            chained: vec![ChainedCredentials {
                role_arn: "arn:aws:iam::210987654321:role/EcrReader".into(),
                credentials: Credentials {
                    access_key_id: "ASIACHAINED".into(),
                    secret_access_key: SecretString::new("chained-secret"),
                    session_token: SecretString::new("chained-token"),
                    expires_at: datetime!(2026-11-26 20:00 UTC),
                },
            }],
        }
    }

    #[test]
    fn debug_never_shows_secrets() {
        let d = format!("{:?}", sample());
        for s in [
            "very-secret",
            "session-token",
            "ecr-password",
            "chained-secret",
            "chained-token",
        ] {
            assert!(!d.contains(s), "{d}");
        }
    }

    #[test]
    fn memory_store_round_trips() {
        let m = MemoryStore::default();
        assert!(m.load("p").unwrap().is_none());
        m.save("p", &sample()).unwrap();
        assert_eq!(m.load("p").unwrap(), Some(sample()));
        m.delete("p").unwrap();
        assert!(m.load("p").unwrap().is_none());
    }

    #[test]
    fn serialized_form_round_trips() {
        let text = serde_json::to_string(&sample()).unwrap();
        let back: SessionSecrets = serde_json::from_str(&text).unwrap();
        assert_eq!(back, sample());
    }

    /// Every type that holds a secret prints without it.
    #[test]
    fn debug_of_every_secret_holder_is_redacted() {
        use crate::registry::EcrRegistry;
        let secret = "TOPSECRET-value-0123456789";
        let s = || crate::SecretString::new(secret);
        let creds = crate::aws::sts::Credentials {
            access_key_id: "ASIAPUBLIC".into(),
            secret_access_key: s(),
            session_token: s(),
            expires_at: time::OffsetDateTime::UNIX_EPOCH,
        };
        let token = crate::aws::ecr::EcrToken {
            registry: EcrRegistry::new("123456789012", "us-east-1"),
            username: "AWS".into(),
            password: s(),
            expires_at: time::OffsetDateTime::UNIX_EPOCH,
        };
        let secrets = crate::session::secrets::SessionSecrets {
            credentials: creds.clone(),
            tokens: vec![token.clone()],
            chained: vec![crate::session::secrets::ChainedCredentials {
                role_arn: "arn:aws:iam::210987654321:role/R".into(),
                credentials: creds.clone(),
            }],
        };
        let captured = crate::idp::capture::Captured {
            action: "https://signin.aws.amazon.com/saml".into(),
            relay_state: String::new(),
            response: s(),
        };
        let login = crate::session::helper::Login {
            username: "AWS".into(),
            secret: s(),
        };
        let answer = crate::app::socket::Answer::Login {
            username: "AWS".into(),
            secret: secret.into(),
        };
        let process = crate::session::credentials::to_process(&creds);
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
