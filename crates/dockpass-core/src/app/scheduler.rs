//! Keeps sessions working: refreshes ECR tokens, renews the STS session ahead of its end
//! (silent re-login through the front end's [`Renewer`]), and tells the user only when they
//! must act. It sleeps until the next wall-clock deadline ([`Clock::sleep_until`]) and wakes
//! early only when sessions change; nothing ticks while nothing is due.
//!
//! [`Renewer`]: crate::app::controller::Renewer
//! [`Clock::sleep_until`]: crate::base::clock::Clock::sleep_until

use crate::app::activity::Kind;
use crate::app::controller::{AwsProvider, Controller};
use crate::platform::notify::Notice;
use crate::session::schedule::{self as refresh, Backoff, Job};
use crate::session::state::SessionInfo;
use crate::{session, Code};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// How long a silent sign-in may take before the user is asked.
pub const RENEW_TIMEOUT: Duration = Duration::from_secs(90);
/// The same work for a profile never runs twice within this gap (a guard against loops).
const MIN_GAP: Duration = Duration::from_secs(2);
/// Refresh failures in a row before the user hears of them.
const FAILURES_BEFORE_NOTICE: u32 = 3;

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
    backoff: Backoff,
    retry: Option<(OffsetDateTime, Work)>,
    /// The session end a renewal was tried for.
    renew_tried_for: Option<OffsetDateTime>,
    renew_check_at: Option<OffsetDateTime>,
    /// The session end the user was told about.
    expired_for: Option<OffsetDateTime>,
    failing_noticed: bool,
    last_run: Option<OffsetDateTime>,
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

impl<P: AwsProvider> Controller<P> {
    /// The earliest work across the profiles this process keeps fresh.
    fn next_work(&self) -> Option<(OffsetDateTime, String, Work)> {
        let ctx = self.context();
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

    /// "Refresh now": fresh ECR tokens at once (and a clean slate for retries).
    pub async fn refresh_now(&self, profile: &str) {
        self.with_sched(profile, |s| {
            s.retry = None;
            s.last_run = None;
        });
        self.run_work(profile, Work::RefreshAll).await;
        self.replan.notify_one();
    }

    #[cfg(test)]
    pub(crate) fn next_work_for_tests(&self) -> Option<(OffsetDateTime, String, Work)> {
        self.next_work()
    }

    /// Runs until the process ends: sleep until the next deadline, do the work, repeat.
    pub async fn run_scheduler(self: Arc<Self>) {
        loop {
            let clock = self.context().clock.clone();
            match self.next_work() {
                Some((at, profile, work)) if at <= clock.now() => {
                    tracing::debug!(profile, ?work, "due");
                    self.run_work(&profile, work).await;
                }
                Some((at, ..)) => {
                    tokio::select! {
                        _ = clock.sleep_until(at) => {}
                        _ = self.replan.notified() => {}
                    }
                }
                None => self.replan.notified().await,
            }
        }
    }

    fn with_sched<T>(&self, profile: &str, f: impl FnOnce(&mut Sched) -> T) -> T {
        let mut map = self.sched.lock().unwrap_or_else(|p| p.into_inner());
        f(map.entry(profile.to_string()).or_default())
    }

    fn notify(&self, notice: Notice) {
        if let Some(n) = self.hooks().notifier {
            if let Err(e) = n.show(&notice) {
                tracing::info!("notification not shown ({}): {notice}", e.message);
            }
        }
    }

    /// Does one piece of work now. Public for tests and for "Refresh now".
    pub async fn run_work(&self, profile: &str, work: Work) {
        let ctx = self.context();
        let now = ctx.clock.now();
        self.with_sched(profile, |s| s.last_run = Some(now));
        let Ok(p) = ctx.profile(Some(profile)).cloned() else {
            return;
        };
        let Some(session) = ctx
            .state
            .load()
            .ok()
            .and_then(|s| s.profiles.get(profile).and_then(|ps| ps.session.clone()))
        else {
            return;
        };
        let end = session.expires_at;
        let minutes_left = || ((end - now).whole_seconds().max(0) as u64).div_ceil(60);
        match work {
            Work::Tokens | Work::RefreshAll => {
                let aws = self.aws().client(&p).await;
                let force = work == Work::RefreshAll;
                match session::refresh_tokens(&ctx, aws.as_ref(), &p, force).await {
                    Ok(r) => {
                        let recovered = self.with_sched(profile, |s| {
                            let was = s.backoff.failures() > 0;
                            s.backoff.reset();
                            s.retry = None;
                            s.failing_noticed = false;
                            was
                        });
                        if recovered {
                            if let Some(n) = self.hooks().notifier {
                                n.clear(profile);
                            }
                        }
                        let mut what = Vec::new();
                        if !r.refreshed.is_empty() {
                            what.push(format!("ECR tokens for {} hosts", r.refreshed.len()));
                        }
                        if !r.chain_refreshed.is_empty() {
                            what.push(format!("{} chained roles", r.chain_refreshed.len()));
                        }
                        if !what.is_empty() {
                            self.note(
                                profile,
                                Kind::Refresh,
                                format!("Refreshed {}", what.join(" and ")),
                            );
                        }
                    }
                    Err(e) => {
                        let life = session
                            .registries
                            .iter()
                            .map(|r| {
                                (r.expires_at - r.issued_at.unwrap_or(session.started_at))
                                    .unsigned_abs()
                            })
                            .min()
                            .unwrap_or(Duration::from_secs(12 * 3600));
                        let (failures, notice_now) = self.with_sched(profile, |s| {
                            let wait = s
                                .backoff
                                .fail_from(refresh::retry_base(life), refresh::jitter());
                            s.retry = Some((now + wait, Work::Tokens));
                            // (a failed "Refresh now" retries like scheduled work)
                            let n = s.backoff.failures() >= FAILURES_BEFORE_NOTICE
                                && !s.failing_noticed;
                            if n {
                                s.failing_noticed = true;
                            }
                            (s.backoff.failures(), n)
                        });
                        if failures == 1 {
                            self.note(
                                profile,
                                Kind::Error,
                                format!("Refresh failed: {}", e.message),
                            );
                        }
                        if e.code == Code::NotLoggedIn {
                            // Nothing left to pay for tokens with: the session is over for us.
                            self.with_sched(profile, |s| s.renew_tried_for = Some(end));
                        }
                        if notice_now {
                            self.notify(Notice::RefreshFailing {
                                profile: profile.to_string(),
                                reason: e.message.clone(),
                            });
                        }
                    }
                }
                self.publish_status(profile);
            }
            Work::Renew if p.aws_profile.is_some() => {
                // No IdP: resolve the AWS profile again, silently.
                self.with_sched(profile, |s| s.renew_tried_for = Some(end));
                if self.sign_in_aws_profile(profile, true).await.is_err() {
                    self.notify(Notice::Expiring {
                        profile: profile.to_string(),
                        minutes: minutes_left(),
                    });
                }
                self.publish_status(profile);
            }
            Work::Renew => {
                let started = p.idp_url.is_some()
                    && self
                        .hooks()
                        .renewer
                        .is_some_and(|r| r.renew(profile, Some(session.role_arn.clone())));
                // The check comes after RENEW_TIMEOUT, or at three quarters of the time
                // left if that is sooner: the "expires in N minutes" notice must come while
                // there is still time to act, also with a short `refresh_before`.
                let left: time::Duration = end - now;
                let check = (now + RENEW_TIMEOUT).min(now + left * 3 / 4);
                self.with_sched(profile, |s| {
                    s.renew_tried_for = Some(end);
                    s.renew_check_at = started.then_some(check);
                });
                if !started {
                    self.notify(Notice::Expiring {
                        profile: profile.to_string(),
                        minutes: minutes_left(),
                    });
                }
            }
            Work::RenewCheck => {
                self.with_sched(profile, |s| s.renew_check_at = None);
                // A successful silent sign-in resets this profile's schedule; still here
                // means it did not happen in time: the IdP wants the user.
                self.note(
                    profile,
                    Kind::Info,
                    "Silent sign-in did not complete; sign in to keep access",
                );
                self.notify(Notice::Expiring {
                    profile: profile.to_string(),
                    minutes: minutes_left(),
                });
            }
            Work::Expire => {
                self.with_sched(profile, |s| {
                    s.expired_for = Some(end);
                    s.retry = None;
                });
                self.note(profile, Kind::Info, "Session ended; sign in to continue");
                self.notify(Notice::Expired {
                    profile: profile.to_string(),
                });
                self.publish_status(profile);
            }
        }
    }
}

#[cfg(test)]
#[path = "scheduler_tests.rs"]
mod tests;
