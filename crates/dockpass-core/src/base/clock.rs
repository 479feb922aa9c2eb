//! Time goes through a clock so refresh logic can be tested with virtual time.
//!
//! Deadlines are wall-clock instants. The system clock waits for them with a `CLOCK_REALTIME`
//! absolute timer (timerfd): it fires on time across suspend (tokio's monotonic timers stop
//! while the machine sleeps) and at once when the clock is set past the deadline.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use time::OffsetDateTime;

/// A future that completes at a wall-clock instant.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Wall-clock time source.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
    /// Completes once `now() >= at`, also after suspend or a clock jump.
    fn sleep_until(&self, at: OffsetDateTime) -> Sleep;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn sleep_until(&self, at: OffsetDateTime) -> Sleep {
        Box::pin(wall_sleep_until(at))
    }
}

async fn wall_sleep_until(at: OffsetDateTime) {
    loop {
        let now = OffsetDateTime::now_utc();
        if now >= at {
            return;
        }
        if let Err(e) = realtime_timer(at).await {
            // No timerfd (not Linux, or a sandbox that forbids it): poll the wall clock at a
            // modest pace instead, so a missed suspend costs at most a minute.
            tracing::debug!("timerfd unavailable ({e}); polling the wall clock");
            let left = (at - now)
                .unsigned_abs()
                .min(std::time::Duration::from_secs(60));
            tokio::time::sleep(left).await;
        }
    }
}

/// Other systems have no timerfd: the caller polls the wall clock each minute.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
async fn realtime_timer(_at: OffsetDateTime) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Waits on a `CLOCK_REALTIME` timerfd armed for `at` (absolute, cancelled when the clock is
/// set, so the caller re-checks and re-arms).
#[cfg(any(target_os = "linux", target_os = "android"))]
async fn realtime_timer(at: OffsetDateTime) -> std::io::Result<()> {
    use rustix::time::{
        timerfd_create, timerfd_settime, Itimerspec, TimerfdClockId, TimerfdFlags,
        TimerfdTimerFlags, Timespec,
    };
    let fd = timerfd_create(
        TimerfdClockId::Realtime,
        TimerfdFlags::NONBLOCK | TimerfdFlags::CLOEXEC,
    )?;
    let spec = Itimerspec {
        it_interval: Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        },
        it_value: Timespec {
            tv_sec: at.unix_timestamp(),
            tv_nsec: at.nanosecond().into(),
        },
    };
    timerfd_settime(
        &fd,
        TimerfdTimerFlags::ABSTIME | TimerfdTimerFlags::CANCEL_ON_SET,
        &spec,
    )?;
    // Deprecated because a borrowed fd could be closed while registered; here AsyncFd owns
    // the OwnedFd, so that cannot happen (and the replacement API is `unsafe`).
    #[allow(deprecated)]
    let fd = tokio::io::unix::AsyncFd::with_interest(fd, tokio::io::Interest::READABLE)?;
    loop {
        let mut guard = fd.readable().await?;
        let mut buf = [0u8; 8];
        match rustix::io::read(fd.get_ref(), &mut buf) {
            // Expired, or ECANCELED: the clock was set. Either way the caller re-checks.
            Ok(_) | Err(rustix::io::Errno::CANCELED) => return Ok(()),
            Err(rustix::io::Errno::AGAIN) => guard.clear_ready(),
            Err(e) => return Err(e.into()),
        }
    }
}

/// A clock that moves only when told: for tests. Sleepers wake when it passes their instant.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<tokio::sync::watch::Sender<OffsetDateTime>>);

impl ManualClock {
    pub fn new(at: OffsetDateTime) -> Self {
        ManualClock(Arc::new(tokio::sync::watch::Sender::new(at)))
    }

    pub fn advance(&self, by: std::time::Duration) {
        self.0.send_modify(|t| *t += by);
    }

    pub fn set(&self, at: OffsetDateTime) {
        self.0.send_replace(at);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.borrow()
    }

    fn sleep_until(&self, at: OffsetDateTime) -> Sleep {
        let mut rx = self.0.subscribe();
        Box::pin(async move {
            let _ = rx.wait_for(|now| *now >= at).await;
        })
    }
}

/// RFC 3339 UTC with whole seconds, e.g. `2026-11-26T19:00:00Z` (the `--json` format).
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// Serde helpers for `OffsetDateTime` as RFC 3339 UTC (whole seconds).
pub mod serde_rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let s = String::deserialize(d)?;
        OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
            .map_err(serde::de::Error::custom)
    }

    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::OffsetDateTime;

        pub fn serialize<S: Serializer>(
            t: &Option<OffsetDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => super::serialize(t, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<OffsetDateTime>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|s| {
                    OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
                        .map_err(serde::de::Error::custom)
                })
                .transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[tokio::test]
    async fn manual_sleepers_wake_when_the_clock_passes_their_instant() {
        let c = ManualClock::new(datetime!(2026-11-26 19:00 UTC));
        let sleeper = tokio::spawn(c.sleep_until(datetime!(2026-11-26 22:00 UTC)));
        c.advance(std::time::Duration::from_secs(3600));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        // A 3 h jump (laptop sleep) passes the deadline at once.
        c.advance(std::time::Duration::from_secs(3 * 3600));
        tokio::time::timeout(std::time::Duration::from_secs(1), sleeper)
            .await
            .expect("woke")
            .unwrap();
    }

    #[tokio::test]
    async fn system_clock_sleeps_until_a_wall_clock_instant() {
        let start = std::time::Instant::now();
        let at = OffsetDateTime::now_utc() + std::time::Duration::from_millis(300);
        SystemClock.sleep_until(at).await;
        assert!(OffsetDateTime::now_utc() >= at);
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        // A deadline in the past returns at once.
        SystemClock
            .sleep_until(OffsetDateTime::now_utc() - std::time::Duration::from_secs(5))
            .await;
    }

    #[test]
    fn manual_clock_moves_when_told() {
        let c = ManualClock::new(datetime!(2026-11-26 19:00 UTC));
        c.advance(std::time::Duration::from_secs(3 * 3600));
        assert_eq!(c.now(), datetime!(2026-11-26 22:00 UTC));
    }

    #[test]
    fn formats_rfc3339_utc_whole_seconds() {
        assert_eq!(
            rfc3339(datetime!(2026-11-26 19:00:01.5 +1)),
            "2026-11-26T18:00:01Z"
        );
    }
}
