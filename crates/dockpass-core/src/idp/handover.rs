//! A sign-in in the user's own browser: one attempt, open for a bounded time, that takes one
//! SAML response handed over from outside the process, by the browser extension over the
//! sign-in socket ([`super::extension`]) or by the browser itself posting to a loopback ACS
//! URL ([`super::loopback`]). Both check the posting page against the profile's IdP origins
//! ([`Policy`]), as the login window does; the sign-in that follows goes through the same
//! issuer and account trust checks as the window's.
//!
//! The first hand-over that passes is taken; every later one is refused with one line. The
//! hand-over's sender waits for the outcome ([`Handed::answer`]) so the browser can show
//! "signed in as role @ account" or what went wrong.

use super::capture::{Captured, Policy};
use crate::base::clock::Clock;
use crate::{err, Code, Result};
use dockpass_helper::signin::Outcome;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

/// The default time a browser sign-in stays open.
pub const ATTEMPT_TIME: Duration = Duration::from_secs(5 * 60);
/// How long a hand-over's sender waits for the sign-in's outcome before it is told
/// "taken" (the user is asked something in Dockpass, or AWS is slow).
const OUTCOME_WAIT: Duration = Duration::from_secs(20);
/// How long [`Handed::answer`] waits for the answer to reach the browser.
const DELIVERY_WAIT: Duration = Duration::from_secs(3);

/// The response of one attempt, and the way back to the browser that handed it over.
#[derive(Debug)]
pub struct Handed {
    pub captured: Captured,
    /// The origin of the page that posted it, when known.
    pub page: Option<String>,
    reply: oneshot::Sender<(Outcome, oneshot::Sender<()>)>,
}

impl Handed {
    /// Tells the browser what became of its hand-over, and waits (briefly) until it is told.
    pub async fn answer(self, outcome: Outcome) {
        let (done, delivered) = oneshot::channel();
        if self.reply.send((outcome, done)).is_ok() {
            let _ = tokio::time::timeout(DELIVERY_WAIT, delivered).await;
        }
    }
}

/// What listeners feed an attempt.
pub(crate) enum Incoming {
    Handed(Handed),
    /// A hand-over that was refused, with the line the user sees.
    Refused(String),
}

/// The listener side of an attempt: checks each hand-over and passes on the first good one.
#[derive(Clone)]
pub(crate) struct Gate {
    policy: Policy,
    taken: Arc<AtomicBool>,
    tx: mpsc::UnboundedSender<Incoming>,
}

impl Gate {
    /// Offers a hand-over (already checked for its form by the listener): refused when
    /// `refusal` says so or one was taken already; else passed to the attempt, and the
    /// sign-in's outcome is returned once known.
    pub(crate) async fn offer(
        &self,
        captured: Captured,
        page: Option<String>,
        refusal: Option<String>,
    ) -> Outcome {
        let refused = |message: String| {
            tracing::warn!(
                page = page.as_deref().unwrap_or("unknown"),
                "refused a browser hand-over: {message}"
            );
            let _ = self.tx.send(Incoming::Refused(message.clone()));
            Outcome::Refused { message }
        };
        if let Some(why) = refusal {
            return refused(why);
        }
        if self.taken.swap(true, Ordering::SeqCst) {
            return refused(
                "Dockpass already has the response of this sign-in; it took the first one and refuses the others".into(),
            );
        }
        let (reply, outcome) = oneshot::channel();
        let handed = Handed {
            captured,
            page: page.clone(),
            reply,
        };
        if self.tx.send(Incoming::Handed(handed)).is_err() {
            return Outcome::nobody_waits();
        }
        match tokio::time::timeout(OUTCOME_WAIT, outcome).await {
            Ok(Ok((o, delivered))) => {
                // Told once the listener wrote it; a broken browser pipe changes nothing.
                let _ = delivered.send(());
                o
            }
            Ok(Err(_)) => Outcome::Failed {
                message: "Dockpass stopped before it finished this sign-in; sign in again".into(),
            },
            Err(_) => Outcome::Taken {
                message: "Dockpass has your sign-in and continues in its own window.".into(),
            },
        }
    }

    pub(crate) fn policy(&self) -> &Policy {
        &self.policy
    }
}

/// One browser sign-in. Dropping it stops its listener (and removes its socket).
pub struct Attempt {
    rx: mpsc::UnboundedReceiver<Incoming>,
    stop: Vec<tokio::task::AbortHandle>,
    cleanup: Option<std::path::PathBuf>,
    /// What the user is told to do, e.g. where the loopback listener is.
    pub describe: String,
}

impl std::fmt::Debug for Attempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attempt")
            .field("describe", &self.describe)
            .finish_non_exhaustive()
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        for s in &self.stop {
            s.abort();
        }
        if let Some(p) = self.cleanup.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Attempt {
    pub(crate) fn new(policy: Policy) -> (Attempt, Gate) {
        let (tx, rx) = mpsc::unbounded_channel();
        let gate = Gate {
            policy,
            taken: Arc::default(),
            tx,
        };
        let attempt = Attempt {
            rx,
            stop: Vec::new(),
            cleanup: None,
            describe: String::new(),
        };
        (attempt, gate)
    }

    pub(crate) fn run(&mut self, task: tokio::task::JoinHandle<()>) {
        self.stop.push(task.abort_handle());
    }

    #[cfg(unix)]
    pub(crate) fn remove_on_drop(&mut self, path: std::path::PathBuf) {
        self.cleanup = Some(path);
    }

    /// The refusals since the hand-over was taken (a second hand-over while the sign-in
    /// ran), for the caller to report once the sign-in is done.
    pub fn later_refusals(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(got) = self.rx.try_recv() {
            if let Incoming::Refused(why) = got {
                out.push(why);
            }
        }
        out
    }

    /// Waits for the attempt's hand-over until `until` (wall clock, so a laptop that slept
    /// past it ends the attempt at once). `refused` hears each refusal as it happens.
    pub async fn wait(
        &mut self,
        clock: &dyn Clock,
        until: OffsetDateTime,
        mut refused: impl FnMut(&str),
    ) -> Result<Handed> {
        let mut deadline = clock.sleep_until(until);
        loop {
            tokio::select! {
                got = self.rx.recv() => match got {
                    Some(Incoming::Handed(h)) => return Ok(h),
                    Some(Incoming::Refused(why)) => refused(&why),
                    None => return Err(err(Code::Internal, "the browser sign-in's listener stopped; sign in again")),
                },
                _ = &mut deadline => {
                    return Err(err(
                        Code::SignInTimeout,
                        "no sign-in arrived from the browser in time; sign in again (is the Dockpass extension installed? dockpass browser status)",
                    ))
                }
            }
        }
    }
}
