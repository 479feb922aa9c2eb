//! ECR: GetAuthorizationToken for every registry of a profile, concurrently.

use crate::aws::sts::Credentials;
use crate::base::clock::serde_rfc3339;
use crate::registry::EcrRegistry;
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
    /// Written out only into the keychain entry (`SessionSecrets`).
    #[serde(with = "crate::secret::exposed")]
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

/// ECR's limit of registries in one GetAuthorizationToken.
pub const MAX_REGISTRIES_PER_CALL: usize = 10;

/// The ECR operations Dockpass uses.
pub trait Ecr: Send + Sync {
    fn get_authorization_token(
        &self,
        creds: &Credentials,
        registry: &EcrRegistry,
    ) -> impl Future<Output = Result<RawToken>> + Send;

    /// Tokens for up to [`MAX_REGISTRIES_PER_CALL`] private registries of one region, in
    /// their order, reached with the same credentials. The real client asks once for all
    /// (`registryIds`); the default asks one by one.
    fn get_authorization_tokens(
        &self,
        creds: &Credentials,
        registries: &[EcrRegistry],
    ) -> impl Future<Output = Result<Vec<RawToken>>> + Send {
        futures::future::try_join_all(
            registries
                .iter()
                .map(|r| self.get_authorization_token(creds, r)),
        )
    }
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

/// Tokens for all `registries` (reached with `creds`), in their order; fails if any fails
/// (naming which). Private registries of one region share a call, up to ECR's limit: 200
/// registries in 10 regions are 20 requests, not 200. The calls run concurrently.
pub async fn authorization_tokens<E: Ecr>(
    ecr: &E,
    creds: &Credentials,
    registries: &[EcrRegistry],
) -> Result<Vec<EcrToken>> {
    let calls = batches(registries).into_iter().map(|batch| async move {
        let regs: Vec<EcrRegistry> = batch.iter().map(|&i| registries[i].clone()).collect();
        let _waiting = crate::base::deadline::waiting(format!("ECR in {}", regs[0].region));
        let raws = match regs.as_slice() {
            [one] => vec![one_token(ecr, creds, one).await?],
            _ => match ecr.get_authorization_tokens(creds, &regs).await {
                Ok(raws) if raws.len() == regs.len() => raws,
                // One by one, so that the error names the registry it is about.
                _ => {
                    futures::future::try_join_all(regs.iter().map(|r| one_token(ecr, creds, r)))
                        .await?
                }
            },
        };
        let toks = regs
            .iter()
            .zip(raws)
            .map(|(r, raw)| decode_token(r, raw))
            .collect::<Result<Vec<_>>>()?;
        Ok::<_, crate::Error>(batch.into_iter().zip(toks).collect::<Vec<_>>())
    });
    let mut slots: Vec<Option<EcrToken>> = vec![None; registries.len()];
    for done in futures::future::join_all(calls).await {
        for (i, tok) in done? {
            slots[i] = Some(tok);
        }
    }
    Ok(slots.into_iter().flatten().collect())
}

async fn one_token<E: Ecr>(ecr: &E, creds: &Credentials, r: &EcrRegistry) -> Result<RawToken> {
    ecr.get_authorization_token(creds, r)
        .await
        .map_err(|e| e.context(format!("registry {}", r.host())))
}

/// Indices of `registries` in call groups: ECR Public alone; private registries by region and
/// host variant, at most [`MAX_REGISTRIES_PER_CALL`] distinct ones a group.
fn batches(registries: &[EcrRegistry]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (i, r) in registries.iter().enumerate() {
        let joins = |b: &&mut Vec<usize>| {
            let first = &registries[b[0]];
            !r.is_public()
                && !first.is_public()
                && first.region == r.region
                && first.variant == r.variant
                && b.len() < MAX_REGISTRIES_PER_CALL
                && !b.iter().any(|&j| registries[j] == *r)
        };
        match out.iter_mut().find(|b| joins(b)) {
            Some(b) => b.push(i),
            None => out.push(vec![i]),
        }
    }
    out
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

    /// Answers batches (or refuses them) and records every call's registries.
    #[derive(Default)]
    struct BatchEcr {
        refuse_batches: bool,
        calls: std::sync::Mutex<Vec<Vec<String>>>,
    }

    fn raw(account: &str) -> RawToken {
        RawToken {
            authorization_token: SecretString::new(
                base64::engine::general_purpose::STANDARD.encode(format!("AWS:{account}-pw")),
            ),
            expires_at: datetime!(2099-01-01 0:00 UTC),
        }
    }

    impl Ecr for BatchEcr {
        async fn get_authorization_token(
            &self,
            _creds: &Credentials,
            registry: &EcrRegistry,
        ) -> Result<RawToken> {
            self.calls.lock().unwrap().push(vec![registry.host()]);
            if registry.account == "999999999999" {
                return Err(err(Code::EcrFailed, "AccessDenied"));
            }
            Ok(raw(&registry.account))
        }

        async fn get_authorization_tokens(
            &self,
            _creds: &Credentials,
            registries: &[EcrRegistry],
        ) -> Result<Vec<RawToken>> {
            self.calls
                .lock()
                .unwrap()
                .push(registries.iter().map(EcrRegistry::host).collect());
            if self.refuse_batches || registries.iter().any(|r| r.account == "999999999999") {
                return Err(err(Code::EcrFailed, "AccessDenied"));
            }
            Ok(registries.iter().map(|r| raw(&r.account)).collect())
        }
    }

    #[tokio::test]
    async fn one_call_per_region_for_up_to_ten_registries() {
        let ecr = BatchEcr::default();
        // 25 accounts in us-east-1, 3 in eu-west-1, and ECR Public.
        let mut regs: Vec<EcrRegistry> = Vec::new();
        for i in 0..25 {
            regs.push(EcrRegistry::new(format!("{:012}", 100 + i), "us-east-1"));
            if i < 3 {
                regs.push(EcrRegistry::new(format!("{:012}", 100 + i), "eu-west-1"));
            }
        }
        regs.push(EcrRegistry::public("100000000000"));
        let toks = authorization_tokens(&ecr, &creds(), &regs).await.unwrap();
        // Every registry gets its own account's token, in the order asked.
        let got: Vec<EcrRegistry> = toks.iter().map(|t| t.registry.clone()).collect();
        assert_eq!(got, regs);
        for t in toks.iter().filter(|t| !t.registry.is_public()) {
            assert_eq!(t.password.expose(), format!("{}-pw", t.registry.account));
        }
        let mut sizes: Vec<usize> = ecr.calls.lock().unwrap().iter().map(Vec::len).collect();
        sizes.sort_unstable();
        assert_eq!(
            sizes,
            vec![1, 3, 5, 10, 10],
            "us-east-1 10+10+5, eu-west-1 3, public 1"
        );
    }

    #[tokio::test]
    async fn a_refused_batch_is_asked_one_by_one_and_names_the_registry() {
        let ecr = BatchEcr::default();
        let regs = vec![
            EcrRegistry::new("123456789012", "us-east-1"),
            EcrRegistry::new("999999999999", "us-east-1"),
        ];
        let e = authorization_tokens(&ecr, &creds(), &regs)
            .await
            .unwrap_err();
        assert!(
            e.message.contains("999999999999.dkr.ecr.us-east-1"),
            "{}",
            e.message
        );

        // A batch refused for another reason still gets every token, one call each.
        let ecr = BatchEcr {
            refuse_batches: true,
            ..BatchEcr::default()
        };
        let regs = vec![
            EcrRegistry::new("123456789012", "us-east-1"),
            EcrRegistry::new("210987654321", "us-east-1"),
        ];
        let toks = authorization_tokens(&ecr, &creds(), &regs).await.unwrap();
        assert_eq!(toks[1].password.expose(), "210987654321-pw");
        assert_eq!(ecr.calls.lock().unwrap().len(), 3);
    }

    #[test]
    fn a_registry_listed_twice_is_not_asked_twice_in_one_call() {
        let r = EcrRegistry::new("123456789012", "us-east-1");
        assert_eq!(batches(&[r.clone(), r]), vec![vec![0], vec![1]]);
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
