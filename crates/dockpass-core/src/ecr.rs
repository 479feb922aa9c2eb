//! ECR: GetAuthorizationToken for every registry of a profile, concurrently.

use crate::clock::serde_rfc3339;
use crate::registry::EcrRegistry;
use crate::sts::Credentials;
use crate::{err, Code, Result, SecretString};
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::future::Future;
use time::OffsetDateTime;

/// A docker login for one registry: user `AWS` and a 12-hour password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcrToken {
    pub registry: EcrRegistry,
    pub username: String,
    pub password: SecretString,
    #[serde(with = "serde_rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// What GetAuthorizationToken answers, before decoding.
pub struct RawToken {
    /// base64 of `user:password`.
    pub authorization_token: SecretString,
    pub expires_at: OffsetDateTime,
}

/// The ECR operations Dockpass uses.
pub trait Ecr: Send + Sync {
    fn get_authorization_token(
        &self,
        creds: &Credentials,
        registry: &EcrRegistry,
    ) -> impl Future<Output = Result<RawToken>> + Send;
}

/// Splits ECR's base64 `user:password` token.
pub fn decode_token(registry: &EcrRegistry, raw: RawToken) -> Result<EcrToken> {
    let bad = || {
        err(
            Code::EcrFailed,
            format!("ECR answered an unreadable token for {}", registry.host()),
        )
    };
    let bytes = zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(raw.authorization_token.expose().trim())
            .map_err(|_| bad())?,
    );
    let text = std::str::from_utf8(&bytes).map_err(|_| bad())?;
    let (user, password) = text.split_once(':').ok_or_else(bad)?;
    if user.is_empty() || password.is_empty() {
        return Err(bad());
    }
    Ok(EcrToken {
        registry: registry.clone(),
        username: user.to_string(),
        password: SecretString::new(password),
        expires_at: raw.expires_at,
    })
}

/// Tokens for all `registries`, fetched concurrently; fails if any fails (naming which).
pub async fn authorization_tokens<E: Ecr>(
    ecr: &E,
    creds: &Credentials,
    registries: &[EcrRegistry],
) -> Result<Vec<EcrToken>> {
    let calls = registries.iter().map(|r| async move {
        let _waiting = crate::deadline::waiting(format!("ECR in {}", r.region));
        let raw = ecr
            .get_authorization_token(creds, r)
            .await
            .map_err(|e| e.context(format!("registry {}", r.host())))?;
        decode_token(r, raw)
    });
    futures::future::join_all(calls).await.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    use time::macros::datetime;

    struct SlowEcr {
        in_flight: AtomicUsize,
        peak: AtomicUsize,
    }

    impl Ecr for SlowEcr {
        async fn get_authorization_token(
            &self,
            _creds: &Credentials,
            registry: &EcrRegistry,
        ) -> Result<RawToken> {
            let n = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.peak.fetch_max(n, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            if registry.region == "eu-south-9" {
                return Err(err(Code::EcrFailed, "no such region"));
            }
            let tok = format!("AWS:{}-auth-token", registry.account);
            Ok(RawToken {
                authorization_token: SecretString::new(
                    base64::engine::general_purpose::STANDARD.encode(tok),
                ),
                expires_at: datetime!(2099-01-01 0:00 UTC),
            })
        }
    }

    fn creds() -> Credentials {
        Credentials {
            access_key_id: "ASIA".into(),
            secret_access_key: SecretString::new("s"),
            session_token: SecretString::new("t"),
            expires_at: datetime!(2099-01-01 0:00 UTC),
        }
    }

    #[tokio::test]
    async fn fetches_all_registries_concurrently() {
        let ecr = SlowEcr {
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        };
        let regs: Vec<EcrRegistry> = ["us-east-1", "eu-west-1", "ap-south-1"]
            .iter()
            .map(|r| EcrRegistry::new("123456789012", *r))
            .collect();
        let toks = authorization_tokens(&ecr, &creds(), &regs).await.unwrap();
        assert_eq!(toks.len(), 3);
        assert_eq!(ecr.peak.load(Ordering::SeqCst), 3);
        assert_eq!(toks[1].registry.region, "eu-west-1");
        assert_eq!(toks[0].username, "AWS");
        assert_eq!(toks[0].password.expose(), "123456789012-auth-token");
    }

    #[tokio::test]
    async fn names_the_failing_registry() {
        let ecr = SlowEcr {
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        };
        let regs = vec![
            EcrRegistry::new("123456789012", "us-east-1"),
            EcrRegistry::new("123456789012", "eu-south-9"),
        ];
        let e = authorization_tokens(&ecr, &creds(), &regs)
            .await
            .unwrap_err();
        assert!(e.message.contains("eu-south-9"), "{}", e.message);
    }

    #[test]
    fn rejects_malformed_tokens() {
        let r = EcrRegistry::new("123456789012", "us-east-1");
        for t in [
            "!!!",
            "bm9jb2xvbg==", /* "nocolon" */
            "OnB3",         /* ":pw" */
        ] {
            let raw = RawToken {
                authorization_token: SecretString::new(t),
                expires_at: datetime!(2099-01-01 0:00 UTC),
            };
            assert_eq!(
                decode_token(&r, raw).unwrap_err().code,
                Code::EcrFailed,
                "{t}"
            );
        }
    }
}
