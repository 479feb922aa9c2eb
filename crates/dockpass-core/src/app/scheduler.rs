//! Keeps sessions working: refreshes ECR tokens, renews the STS session ahead of its end
//! (silent re-login through the front end's [`Renewer`]), and tells the user only when they
//! must act. It sleeps until the next wall-clock deadline ([`Clock::sleep_until`]) and wakes
//! early only when sessions change; nothing ticks while nothing is due.
//!
//! The scheduler decides when; what each piece of work does is the [`Worker`]'s (the
//! controller's, `controller/work.rs`), so this module imports nothing of the controller.
//!
//! [`Clock::sleep_until`]: crate::base::clock::Clock::sleep_until

use crate::platform::notify::Notifier;
use crate::session::schedule::{self as refresh, Backoff, Job};
use crate::session::state::SessionInfo;
use crate::session::Context;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use time::OffsetDateTime;

/// How long a silent sign-in may take before the user is asked.
pub const RENEW_TIMEOUT: Duration = Duration::from_secs(90);
/// The same work for a profile never runs twice within this gap (a guard against loops).
const MIN_GAP: Duration = Duration::from_secs(2);
/// Refresh failures in a row before the user hears of them.
pub(crate) const FAILURES_BEFORE_NOTICE: u32 = 3;

/// Work the scheduler does for a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// Whatever is due: chained roles and ECR tokens.
    Tokens,
    /// Everything now ("Refresh now").
    RefreshAll,
    Renew,
    /// A silent sign-in was started: did it renew the session in time?
    RenewCheck,
    Expire,
}

/// Per-profile scheduling memory (in this process only).
#[derive(Debug, Default)]
pub struct Sched {
    pub(crate) backoff: Backoff,
    pub(crate) retry: Option<(OffsetDateTime, Work)>,
    /// The session end a renewal was tried for.
    pub(crate) renew_tried_for: Option<OffsetDateTime>,
    pub(crate) renew_check_at: Option<OffsetDateTime>,
    /// The session end the user was told about.
    pub(crate) expired_for: Option<OffsetDateTime>,
    pub(crate) failing_noticed: bool,
    pub(crate) last_run: Option<OffsetDateTime>,
}

/// The next work for one session.
fn plan(
    s: &SessionInfo,
    refresh_before: Duration,
    sched: &Sched,
) -> Option<(OffsetDateTime, Work)> {
    let end = s.expires_at;
    if sched.expired_for == Some(end) {
        return None;
    }
    let mut next: Option<(OffsetDateTime, Work)> = None;
    let mut consider = |c: (OffsetDateTime, Work)| {
        if next.is_none_or(|n| c.0 < n.0) {
            next = Some(c);
        }
    };
    if let Some(at) = sched.renew_check_at {
        consider((at, Work::RenewCheck));
    }
    if let Some(r) = sched.retry {
        consider(r);
        consider((end, Work::Expire));
    } else {
        let (at, job) = refresh::next_job(s, refresh_before, sched.renew_tried_for == Some(end));
        consider((
            at,
            match job {
                Job::Tokens => Work::Tokens,
                Job::Renew => Work::Renew,
                Job::Expire => Work::Expire,
            },
        ));
    }
    next.map(|(at, w)| match sched.last_run {
        Some(last) => (at.max(last + MIN_GAP), w),
        None => (at, w),
    })
}

/// Asks the front end for a silent sign-in (a hidden login window with the IdP's cookies).
pub trait Renewer: Send + Sync {
    /// Starts a silent sign-in for `profile` that signs in with `role_arn`; false when the
    /// front end cannot (then the user is notified at once).
    fn renew(&self, profile: &str, role_arn: Option<String>) -> bool;
}

/// What the front end lends the scheduler.
#[derive(Clone, Default)]
pub struct Hooks {
    pub renewer: Option<Arc<dyn Renewer>>,
    pub notifier: Option<Arc<dyn Notifier>>,
    /// The profiles this process keeps fresh (those whose lock it holds); `None`: all.
    pub profiles: Option<Vec<String>>,
}

/// The scheduler's memory: per-profile scheduling state, the front end's hooks, and the
/// wake-up when sessions change (sign-in, logout, settings).
#[derive(Default)]
pub struct Freshness {
    sched: Mutex<HashMap<String, Sched>>,
    hooks: RwLock<Hooks>,
    replan: tokio::sync::Notify,
}

impl Freshness {
    pub fn set_hooks(&self, hooks: Hooks) {
        *self.hooks.write().unwrap_or_else(|p| p.into_inner()) = hooks;
        self.replan();
    }

    pub fn hooks(&self) -> Hooks {
        self.hooks.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Something changed: the scheduler plans again.
    pub fn replan(&self) {
        self.replan.notify_one();
    }

    /// A new session (or none): scheduling starts afresh and any notice goes.
    pub fn session_renewed(&self, profile: &str) {
        self.sched
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(profile);
        if let Some(n) = self.hooks().notifier {
            n.clear(profile);
        }
        self.replan();
    }

    pub fn with_sched<T>(&self, profile: &str, f: impl FnOnce(&mut Sched) -> T) -> T {
        let mut map = self.sched.lock().unwrap_or_else(|p| p.into_inner());
        f(map.entry(profile.to_string()).or_default())
    }

    /// The earliest work across the profiles this process keeps fresh.
    pub fn next_work(&self, ctx: &Context) -> Option<(OffsetDateTime, String, Work)> {
        let state = ctx.state.load().ok()?;
        let only = self.hooks().profiles;
        let sched = self.sched.lock().unwrap_or_else(|p| p.into_inner());
        let mut best: Option<(OffsetDateTime, String, Work)> = None;
        for p in &ctx.config.profiles {
            if only.as_ref().is_some_and(|o| !o.contains(&p.name)) {
                continue;
            }
            let Some(s) = state
                .profiles
                .get(&p.name)
                .and_then(|ps| ps.session.as_ref())
            else {
                continue;
            };
            let empty = Sched::default();
            let sc = sched.get(&p.name).unwrap_or(&empty);
            if let Some((at, w)) = plan(s, p.refresh_before(), sc) {
                if best.as_ref().is_none_or(|b| at < b.0) {
                    best = Some((at, p.name.clone(), w));
                }
            }
        }
        best
    }
}

/// What does the work the scheduler finds due (the controller).
pub trait Worker: Send + Sync {
    fn context(&self) -> Arc<Context>;
    fn freshness(&self) -> &Freshness;
    fn run_work(&self, profile: &str, work: Work) -> impl Future<Output = ()> + Send;
}

/// Runs until the process ends: sleep until the next deadline, do the work, repeat.
pub async fn run<W: Worker>(worker: Arc<W>) {
    loop {
        let ctx = worker.context();
        let clock = ctx.clock.clone();
        let fresh = worker.freshness();
        match fresh.next_work(&ctx) {
            Some((at, profile, work)) if at <= clock.now() => {
                tracing::debug!(profile, ?work, "due");
                worker.run_work(&profile, work).await;
            }
            Some((at, ..)) => {
                tokio::select! {
                    _ = clock.sleep_until(at) => {}
                    _ = fresh.replan.notified() => {}
                }
            }
            None => fresh.replan.notified().await,
        }
    }
}

#[cfg(test)]
#[path = "scheduler_tests.rs"]
mod tests;
