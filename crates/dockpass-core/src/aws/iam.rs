//! The account's alias (IAM ListAccountAliases): the name shown instead of its number, when
//! the role may read it. Optional by nature: a role without `iam:ListAccountAliases`, or an IAM
//! that does not answer in time, leaves the number (or the name kept from before).

use crate::aws::sts::Credentials;
use crate::Result;
use std::future::Future;
use std::time::Duration;

/// How long the alias may take at most; it runs beside the token fetch.
pub const ALIAS_WAIT: Duration = Duration::from_secs(3);
/// How long a sign-in whose tokens are there waits for the alias still.
pub const ALIAS_GRACE: Duration = Duration::from_millis(500);

/// The IAM operation Dockpass uses.
pub trait Iam: Send + Sync {
    /// The alias of the account `creds` belong to; `Ok(None)` when it has none.
    fn account_alias(
        &self,
        creds: &Credentials,
    ) -> impl Future<Output = Result<Option<String>>> + Send;
}

/// The alias, or `None` when it cannot be had within [`ALIAS_WAIT`] (logged, never an error
/// of the sign-in).
pub async fn alias_or_none<I: Iam>(iam: &I, creds: &Credentials, account: &str) -> Option<String> {
    match tokio::time::timeout(ALIAS_WAIT, iam.account_alias(creds)).await {
        Ok(Ok(alias)) => alias,
        Ok(Err(e)) => {
            tracing::debug!(account, "no account alias: {}", e.message);
            None
        }
        Err(_) => {
            tracing::debug!(account, "no account alias: IAM did not answer in time");
            None
        }
    }
}

/// Runs the token fetch and the alias lookup together: the fetch's result, and the alias if it
/// came by the time the fetch ended or within [`ALIAS_GRACE`] after (an IAM that is slow or
/// blocked costs a sign-in half a second at most, never its tokens).
pub async fn after_tokens<T>(
    fetch: impl Future<Output = T>,
    alias: impl Future<Output = Option<String>>,
) -> (T, Option<String>) {
    let mut fetch = std::pin::pin!(fetch);
    let mut alias = std::pin::pin!(alias);
    tokio::select! {
        fetched = &mut fetch => {
            let alias = tokio::time::timeout(ALIAS_GRACE, &mut alias).await.ok().flatten();
            (fetched, alias)
        }
        found = &mut alias => {
            let fetched = fetch.await;
            (fetched, found)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_slow_alias_does_not_hold_the_tokens_up() {
        let slow = async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            Some("late".to_string())
        };
        let t0 = std::time::Instant::now();
        let (v, alias) = after_tokens(async { 7 }, slow).await;
        assert_eq!((v, alias), (7, None));
        assert!(t0.elapsed() >= ALIAS_GRACE && t0.elapsed() < Duration::from_millis(1500));

        let quick = async { Some("acme".to_string()) };
        let fetch = async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            8
        };
        assert_eq!(after_tokens(fetch, quick).await, (8, Some("acme".into())));
    }
}
