//! The scheduler's work, done by the controller: refresh tokens, renew the session (silent
//! re-login through the front end), tell the user when they must act. When it is due is the
//! scheduler's (`app/scheduler.rs`).

use super::{AwsProvider, Controller};
use crate::app::activity::Kind;
use crate::app::scheduler::{Freshness, Work, Worker, FAILURES_BEFORE_NOTICE, RENEW_TIMEOUT};
use crate::platform::notify::Notice;
use crate::session::{self, schedule, Context};
use crate::Code;
use std::sync::Arc;
use std::time::Duration;

impl<P: AwsProvider> Worker for Controller<P> {
    fn context(&self) -> Arc<Context> {
        Controller::context(self)
    }

    fn freshness(&self) -> &Freshness {
        &self.fresh
    }

    async fn run_work(&self, profile: &str, work: Work) {
        Controller::run_work(self, profile, work).await
    }
}

impl<P: AwsProvider> Controller<P> {
    /// "Refresh now": fresh ECR tokens at once (and a clean slate for retries).
    pub async fn refresh_now(&self, profile: &str) {
        self.fresh.with_sched(profile, |s| {
            s.retry = None;
            s.last_run = None;
        });
        self.run_work(profile, Work::RefreshAll).await;
        self.fresh.replan();
    }

    fn notify(&self, notice: Notice) {
        if let Some(n) = self.fresh.hooks().notifier {
            if let Err(e) = n.show(&notice) {
                tracing::info!("notification not shown ({}): {notice}", e.message);
            }
        }
    }

    /// Does one piece of work now (also for tests and "Refresh now").
    pub async fn run_work(&self, profile: &str, work: Work) {
        let ctx = self.context();
        let now = ctx.clock.now();
        self.fresh.with_sched(profile, |s| s.last_run = Some(now));
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
                        let recovered = self.fresh.with_sched(profile, |s| {
                            let was = s.backoff.failures() > 0;
                            s.backoff.reset();
                            s.retry = None;
                            s.failing_noticed = false;
                            was
                        });
                        if recovered {
                            if let Some(n) = self.fresh.hooks().notifier {
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
                        let (failures, notice_now) = self.fresh.with_sched(profile, |s| {
                            let wait = s
                                .backoff
                                .fail_from(schedule::retry_base(life), schedule::jitter());
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
                            self.fresh
                                .with_sched(profile, |s| s.renew_tried_for = Some(end));
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
            Work::Renew if !p.signs_in_at_idp() => {
                // No IdP: resolve the AWS profile again, or renew the Identity Center
                // sign-in from its cache, silently.
                self.fresh
                    .with_sched(profile, |s| s.renew_tried_for = Some(end));
                if self.sign_in_directly(profile, true).await.is_err() {
                    self.notify(Notice::Expiring {
                        profile: profile.to_string(),
                        minutes: minutes_left(),
                        in_browser: self.uses_browser(profile),
                    });
                }
                self.publish_status(profile);
            }
            Work::Renew => {
                let started = p.idp_url.is_some()
                    && self
                        .fresh
                        .hooks()
                        .renewer
                        .is_some_and(|r| r.renew(profile, Some(session.role_arn.clone())));
                // The check comes after RENEW_TIMEOUT, or at three quarters of the time
                // left if that is sooner: the "expires in N minutes" notice must come while
                // there is still time to act, also with a short `refresh_before`.
                let left: time::Duration = end - now;
                let check = (now + RENEW_TIMEOUT).min(now + left * 3 / 4);
                self.fresh.with_sched(profile, |s| {
                    s.renew_tried_for = Some(end);
                    s.renew_check_at = started.then_some(check);
                });
                if !started {
                    self.notify(Notice::Expiring {
                        profile: profile.to_string(),
                        minutes: minutes_left(),
                        in_browser: self.uses_browser(profile),
                    });
                }
            }
            Work::RenewCheck => {
                self.fresh.with_sched(profile, |s| s.renew_check_at = None);
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
                    in_browser: self.uses_browser(profile),
                });
            }
            Work::Expire => {
                self.fresh.with_sched(profile, |s| {
                    s.expired_for = Some(end);
                    s.retry = None;
                });
                self.note(profile, Kind::Info, "Session ended; sign in to continue");
                self.notify(Notice::Expired {
                    profile: profile.to_string(),
                    in_browser: self.uses_browser(profile),
                });
                self.publish_status(profile);
            }
        }
    }
}
