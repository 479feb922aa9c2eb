//! One deadline for all the AWS calls of a sign-in or refresh. Each SDK call has its own
//! timeouts (aws.rs), but STS, chained roles and ECR one after the other could add up to
//! minutes; [`bounded`] cuts the whole at [`AWS_BOUND`] and says which calls were still
//! waiting, so the message names the slow service rather than "something timed out".

use crate::{err, Code, Result};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The most one sign-in or refresh may spend waiting for AWS.
pub const AWS_BOUND: Duration = Duration::from_secs(60);

type Pending = Arc<Mutex<(u64, BTreeMap<u64, String>)>>;

tokio::task_local! {
    static PENDING: Pending;
}

/// Marks a call as in flight for the enclosing [`bounded`] (a no-op outside one).
pub struct Waiting {
    id: Option<(Pending, u64)>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some((p, id)) = self.id.take() {
            p.lock().unwrap_or_else(|e| e.into_inner()).1.remove(&id);
        }
    }
}

/// Says "`what` is in flight" until the returned guard drops.
pub fn waiting(what: impl Into<String>) -> Waiting {
    let what = what.into();
    let id = PENDING
        .try_with(|p| {
            let mut g = p.lock().unwrap_or_else(|e| e.into_inner());
            g.0 += 1;
            let id = g.0;
            g.1.insert(id, what);
            (p.clone(), id)
        })
        .ok();
    Waiting { id }
}

/// Runs `work` within [`AWS_BOUND`]. Only network waits are cut short: the docker config,
/// keychain and state writes that follow them have no await point.
pub async fn bounded<T>(what: &str, work: impl Future<Output = Result<T>>) -> Result<T> {
    bounded_for(AWS_BOUND, what, work).await
}

async fn bounded_for<T>(
    limit: Duration,
    what: &str,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    let pending: Pending = Arc::default();
    let work = PENDING.scope(pending.clone(), work);
    tokio::pin!(work);
    tokio::select! {
        r = &mut work => r,
        _ = tokio::time::sleep(limit) => {
            let mut names: Vec<String> =
                pending.lock().unwrap_or_else(|e| e.into_inner()).1.values().cloned().collect();
            names.dedup();
            let slow = if names.is_empty() {
                "AWS".to_string()
            } else {
                names.join(", ")
            };
            Err(err(
                Code::Network,
                format!(
                    "{what} did not finish within {} s: no answer from {slow}; check your network or proxy and try again",
                    limit.as_secs()
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn names_what_was_still_waiting() {
        let e = bounded_for(Duration::from_millis(50), "signing in", async {
            let _sts = waiting("AWS STS");
            drop(_sts);
            let _ecr = waiting("ECR in eu-west-1");
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(())
        })
        .await
        .unwrap_err();
        assert_eq!(e.code, Code::Network);
        assert!(
            e.message.contains("no answer from ECR in eu-west-1"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("STS"), "{}", e.message);
        let ok = bounded_for(Duration::from_secs(5), "x", async { Ok(1) }).await;
        assert_eq!(ok.unwrap(), 1);
        // Outside a bound, marking is harmless.
        drop(waiting("nothing"));
    }
}
