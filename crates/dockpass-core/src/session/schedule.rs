//! When to refresh: pure functions over a session's facts, so the rules are tested in
//! virtual time. The scheduler that acts on them waits with `Clock::sleep_until`.
//!
//! ECR tokens are refreshed at half their life or `refresh_before` ahead of expiry, whichever
//! comes first, while the STS session can still pay for them. Ahead of the STS session's end
//! the session is renewed (silent re-login); at its end it is over.

use crate::session::state::SessionInfo;
use std::time::Duration;
use time::OffsetDateTime;

/// What is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// Fetch fresh ECR tokens with the current STS credentials.
    Tokens,
    /// Renew the STS session (silent re-login) before it ends.
    Renew,
    /// The STS session has ended: say so.
    Expire,
}

/// Half the token's life or `refresh_before` ahead of its expiry, whichever is first; but
/// never before a quarter of its life has passed, so a token that lives less than
/// `refresh_before` (a test, an odd proxy) cannot cause a refresh storm.
pub fn token_refresh_at(
    issued: OffsetDateTime,
    expires: OffsetDateTime,
    refresh_before: Duration,
) -> OffsetDateTime {
    let life: time::Duration = expires - issued;
    let half: OffsetDateTime = issued + life / 2;
    let quarter: OffsetDateTime = issued + life / 4;
    half.min(expires - refresh_before).max(quarter)
}

/// The first retry delay for a session whose shortest token lives `life`: 30 s, less for
/// short-lived tokens (an eighth of their life, at least 2 s).
pub fn retry_base(life: Duration) -> Duration {
    (life / 8).clamp(Duration::from_secs(2), Backoff::FIRST)
}

/// When to renew the STS session: `refresh_before` ahead of its end, but never before half of
/// its life has passed. A session no longer than `refresh_before` (a 1-hour role with
/// `refresh_before = "1h"`) would otherwise be due again the moment it is renewed: a silent
/// sign-in, an IdP visit and an STS call every couple of seconds, for ever.
pub fn renew_at(
    session_started: OffsetDateTime,
    session_expires: OffsetDateTime,
    refresh_before: Duration,
) -> OffsetDateTime {
    let life: time::Duration = session_expires - session_started;
    (session_expires - refresh_before).max(session_started + life / 2)
}

/// The next job of a session and when it is due (possibly in the past: run it now).
/// `renew_tried` says a renewal for this session already ran and failed, so the next job is
/// its end rather than another renewal (retries are the scheduler's, with backoff).
pub fn next_job(
    session: &SessionInfo,
    refresh_before: Duration,
    renew_tried: bool,
) -> (OffsetDateTime, Job) {
    let end = session.expires_at;
    let mut next = (end, Job::Expire);
    if !renew_tried {
        next = next.min_by_time((
            renew_at(session.started_at, end, refresh_before),
            Job::Renew,
        ));
    }
    let tokens = session
        .registries
        .iter()
        .map(|r| {
            token_refresh_at(
                r.issued_at.unwrap_or(session.started_at),
                r.expires_at,
                refresh_before,
            )
        })
        .chain(session.chain.iter().filter(|c| !c.portal).map(|c| {
            // A chained role lives an hour at most: renewed on its own schedule. Identity
            // Center's roles of other accounts end no sooner than the session (see login.rs).
            token_refresh_at(c.issued_at, c.expires_at, refresh_before)
        }))
        .min();
    if let Some(t) = tokens {
        // Only while the STS credentials still work; after that a renewal brings new tokens.
        if t < end {
            next = next.min_by_time((t, Job::Tokens));
        }
    }
    next
}

trait MinByTime {
    fn min_by_time(self, other: Self) -> Self;
}

impl MinByTime for (OffsetDateTime, Job) {
    fn min_by_time(self, other: Self) -> Self {
        if other.0 < self.0 {
            other
        } else {
            self
        }
    }
}

/// Retry delays after failures: 30 s doubling to 10 min, with ±20 % jitter so many
/// machines behind one proxy do not retry in step.
#[derive(Clone, Debug, Default)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    pub const FIRST: Duration = Duration::from_secs(30);
    pub const MAX: Duration = Duration::from_secs(600);

    /// Records a failure; returns how long to wait. `jitter` is uniform in [0, 1).
    pub fn fail(&mut self, jitter: f64) -> Duration {
        self.fail_from(Self::FIRST, jitter)
    }

    /// Like [`Backoff::fail`] with another first delay.
    pub fn fail_from(&mut self, first: Duration, jitter: f64) -> Duration {
        let base = first
            .saturating_mul(1u32 << self.failures.min(10))
            .min(Self::MAX);
        self.failures = self.failures.saturating_add(1);
        base.mul_f64(0.8 + 0.4 * jitter.clamp(0.0, 1.0))
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

/// A jitter value in [0, 1) from the OS's random source (processes that fail at the same
/// moment do not retry in step, as the clock's nanoseconds could make them).
pub fn jitter() -> f64 {
    let mut b = [0u8; 4];
    if getrandom::fill(&mut b).is_err() {
        return 0.5; // no randomness to spread with: the middle of the range
    }
    f64::from(u32::from_le_bytes(b)) / (f64::from(u32::MAX) + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::state::RegistryInfo;
    use time::macros::datetime;

    const MIN: Duration = Duration::from_secs(60);

    fn session(start: OffsetDateTime, sts: Duration, token: Duration) -> SessionInfo {
        SessionInfo {
            role_arn: "arn:aws:iam::123456789012:role/Dev".into(),
            account: "123456789012".into(),
            started_at: start,
            expires_at: start + sts,
            registries: vec![RegistryInfo {
                host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
                account: "123456789012".into(),
                region: "us-east-1".into(),
                aliases: vec![],
                issued_at: Some(start),
                expires_at: start + token,
                via: None,
                variant: Default::default(),
            }],
            docker_config: "/tmp/config.json".into(),
            written: vec![],
            containers: None,
            secrets: "memory".into(),
            chain: vec![],
            account_name: None,
        }
    }

    const T0: OffsetDateTime = datetime!(2026-11-26 08:00 UTC);

    #[test]
    fn half_life_or_refresh_before_whichever_first() {
        // 12 h token: half-life (6 h) comes before 10 min ahead of expiry.
        assert_eq!(
            token_refresh_at(T0, T0 + 12 * 60 * MIN, 10 * MIN),
            T0 + 6 * 60 * MIN
        );
        // 15 min token: 10 min ahead (after 5 min) comes before half-life (7.5 min).
        assert_eq!(token_refresh_at(T0, T0 + 15 * MIN, 10 * MIN), T0 + 5 * MIN);
        // A 1 min token with refresh_before 10 min: not at once, after a quarter of its life.
        assert_eq!(
            token_refresh_at(T0, T0 + MIN, 10 * MIN),
            T0 + Duration::from_secs(15)
        );
        assert_eq!(retry_base(12 * 60 * MIN), Backoff::FIRST);
        assert_eq!(
            retry_base(Duration::from_secs(30)),
            Duration::from_millis(3750)
        );
    }

    #[test]
    fn tokens_first_while_the_sts_session_lives() {
        // STS 8 h, tokens 12 h: tokens at 6 h, before renewing at 7 h 50.
        let s = session(T0, 8 * 60 * MIN, 12 * 60 * MIN);
        assert_eq!(
            next_job(&s, 10 * MIN, false),
            (T0 + 6 * 60 * MIN, Job::Tokens)
        );
    }

    #[test]
    fn the_sts_session_ending_before_the_token_means_renew() {
        // STS 1 h, tokens 12 h: token refresh (6 h) is past the session's end; renew at 50 min.
        let s = session(T0, 60 * MIN, 12 * 60 * MIN);
        assert_eq!(next_job(&s, 10 * MIN, false), (T0 + 50 * MIN, Job::Renew));
        // After a failed renewal the next thing is the end.
        assert_eq!(next_job(&s, 10 * MIN, true), (T0 + 60 * MIN, Job::Expire));
    }

    #[test]
    fn a_session_no_longer_than_refresh_before_is_renewed_at_half_life() {
        // A 1 h role with refresh_before 1 h: not at once (then again at once, ...), at 30 min.
        let s = session(T0, 60 * MIN, 12 * 60 * MIN);
        assert_eq!(next_job(&s, 60 * MIN, false), (T0 + 30 * MIN, Job::Renew));
        assert_eq!(
            next_job(&s, 2 * 60 * MIN, false),
            (T0 + 30 * MIN, Job::Renew)
        );
        // refresh_before within the second half: unchanged.
        assert_eq!(next_job(&s, 20 * MIN, false), (T0 + 40 * MIN, Job::Renew));
    }

    #[test]
    fn a_chained_role_is_refreshed_on_its_own_schedule() {
        let t0 = datetime!(2026-11-26 8:00 UTC);
        let mut s = session(
            t0,
            Duration::from_secs(8 * 3600),
            Duration::from_secs(12 * 3600),
        );
        s.chain.push(crate::session::state::ChainInfo {
            portal: false,
            from: None,
            role_arn: "arn:aws:iam::210987654321:role/EcrReader".into(),
            account: "210987654321".into(),
            issued_at: t0,
            expires_at: t0 + Duration::from_secs(3600),
        });
        // One hour of life: half-life (30 min) comes before 10 min ahead of its end.
        assert_eq!(
            next_job(&s, 10 * MIN, false),
            (t0 + Duration::from_secs(1800), Job::Tokens)
        );
    }

    #[test]
    fn a_refreshed_token_moves_its_next_refresh() {
        let mut s = session(T0, 8 * 60 * MIN, 12 * 60 * MIN);
        s.registries[0].issued_at = Some(T0 + 6 * 60 * MIN);
        s.registries[0].expires_at = T0 + 18 * 60 * MIN;
        // 6 h + 6 h = 12 h is past the STS end (8 h): renew at 7 h 50 comes next.
        assert_eq!(next_job(&s, 10 * MIN, false), (T0 + 470 * MIN, Job::Renew));
    }

    #[test]
    fn a_clock_jump_makes_work_overdue_not_lost() {
        // After a 3 h sleep the due time lies in the past: the scheduler runs it at once.
        let s = session(T0, 8 * 60 * MIN, 2 * 60 * MIN);
        let (at, job) = next_job(&s, 10 * MIN, false);
        assert_eq!(job, Job::Tokens);
        assert!(at < T0 + 3 * 60 * MIN);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let mut b = Backoff::default();
        assert_eq!(b.fail(0.5), Duration::from_secs(30));
        assert_eq!(b.fail(0.5), Duration::from_secs(60));
        assert_eq!(b.fail(0.0), Duration::from_secs(96));
        for _ in 0..20 {
            b.fail(0.5);
        }
        assert_eq!(b.fail(0.5), Backoff::MAX);
        assert!(b.fail(0.999) <= Backoff::MAX.mul_f64(1.2));
        b.reset();
        assert_eq!(b.failures(), 0);
        let j = jitter();
        assert!((0.0..1.0).contains(&j));
    }
}
