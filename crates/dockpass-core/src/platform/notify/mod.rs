//! Desktop notifications: what Dockpass tells the user when it needs them, and the "Log in"
//! action coming back.
//!
//! Contract (docs/ARCHITECTURE.md, "Refresh"): at most one notification per profile and event, a new one of
//! the same profile replaces the previous one (same notification id) instead of stacking, and
//! none while things work (callers `clear` the profile then). Texts never hold secrets: they
//! name the profile and say what to do; a failure reason is a core error message, which by
//! contract holds no tokens, keys or assertions.
//!
//! [`DesktopNotifier`] talks to the session's notification server (org.freedesktop.Notifications
//! over D-Bus, via notify-rust/zbus). All D-Bus work runs on one worker thread, so `show` waits
//! for the server at most [`DEFAULT_REPLY_TIMEOUT`] and `clear` never waits; the wait for a
//! clicked action runs on a thread per shown notification. [`RecordingNotifier`] records calls for
//! tests.

// macOS and Windows use a plain fallback without ids or actions (see `platform`).
#![cfg_attr(not(all(unix, not(target_os = "macos"))), allow(dead_code))]

use crate::{err, Code, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::Duration;

/// The application name sent with every notification.
pub const APP_NAME: &str = "Dockpass";
/// The key of the "Log in" action (what the server sends back in `ActionInvoked`).
pub const LOGIN_ACTION: &str = "login";
/// The label of the "Log in" action.
pub const LOGIN_LABEL: &str = "Log in";
/// Its label for a profile that signs in in the browser (`login = "browser"` or
/// `"loopback"`): with the IdP's session alive in the browser, it completes without typing.
pub const RENEW_IN_BROWSER_LABEL: &str = "Renew in browser";
/// How long [`DesktopNotifier::show`] waits for the notification server by default.
pub const DEFAULT_REPLY_TIMEOUT: Duration = Duration::from_secs(1);
/// A refresh failure's reason is cut to this many characters in a notification.
const REASON_MAX_CHARS: usize = 200;

/// What Dockpass tells the user about. One kind per profile is shown at a time; a new one of the
/// same profile replaces the previous (same notification id), never stacks.
///
/// Serialized (events, IPC) as `{"kind": "expiring"|"expired"|"refresh_failing", "profile", ...}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// The session ends in `minutes` and the silent renewal needs the user (`refresh_before`).
    /// `in_browser`: the profile signs in in the user's browser.
    Expiring {
        profile: String,
        minutes: u64,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        in_browser: bool,
    },
    /// The session has ended: docker credentials no longer work.
    Expired {
        profile: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        in_browser: bool,
    },
    /// Refreshing keeps failing (after backoff); `reason` is a core error message.
    RefreshFailing { profile: String, reason: String },
}

impl Notice {
    /// The profile this notice is about.
    pub fn profile(&self) -> &str {
        match self {
            Notice::Expiring { profile, .. }
            | Notice::Expired { profile, .. }
            | Notice::RefreshFailing { profile, .. } => profile,
        }
    }

    /// One line: "Dockpass: corp expires in 9 minutes".
    pub fn summary(&self) -> String {
        match self {
            Notice::Expiring {
                profile, minutes, ..
            } => {
                format!("Dockpass: {profile} expires in {}", in_minutes(*minutes))
            }
            Notice::Expired { profile, .. } => format!("Dockpass: {profile} session expired"),
            Notice::RefreshFailing { profile, .. } => {
                format!("Dockpass: {profile} refresh is failing")
            }
        }
    }

    /// What happened and what to do, in plain text (no markup).
    pub fn body(&self) -> String {
        match self {
            Notice::Expiring {
                profile,
                in_browser: true,
                ..
            } => format!(
                "Renew in your browser to keep docker credentials for {profile} working; while \
                 your IdP session lasts there, it takes no typing."
            ),
            Notice::Expiring { profile, .. } => format!(
                "Silent renewal needs you to sign in. Log in to keep docker credentials for \
                 {profile} working."
            ),
            Notice::Expired {
                profile,
                in_browser: true,
            } => format!(
                "Docker credentials for {profile} no longer work. Renew in your browser to sign in again."
            ),
            Notice::Expired { profile, .. } => {
                format!("Docker credentials for {profile} no longer work. Log in to sign in again.")
            }
            Notice::RefreshFailing { reason, .. } => format!(
                "{} Dockpass keeps retrying; the current credentials work until they expire.",
                sentence(reason)
            ),
        }
    }

    /// The label of its "Log in" action.
    pub fn login_label(&self) -> &'static str {
        match self {
            Notice::Expiring {
                in_browser: true, ..
            }
            | Notice::Expired {
                in_browser: true, ..
            } => RENEW_IN_BROWSER_LABEL,
            _ => LOGIN_LABEL,
        }
    }

    /// Whether the notification carries the "Log in" action (key [`LOGIN_ACTION`]).
    pub fn wants_login_action(&self) -> bool {
        matches!(self, Notice::Expiring { .. } | Notice::Expired { .. })
    }

    /// Critical urgency (stays until acted on): the session has ended.
    pub fn is_critical(&self) -> bool {
        matches!(self, Notice::Expired { .. })
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

fn in_minutes(minutes: u64) -> String {
    match minutes {
        0 => "less than a minute".into(),
        1 => "1 minute".into(),
        n => format!("{n} minutes"),
    }
}

/// The reason as one short sentence: whitespace collapsed, cut at `REASON_MAX_CHARS`, ending in
/// a full stop.
fn sentence(reason: &str) -> String {
    let mut s = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return "The last refresh failed.".into();
    }
    if s.chars().count() > REASON_MAX_CHARS {
        s = s.chars().take(REASON_MAX_CHARS - 1).collect::<String>();
        s.push('…');
    }
    if !s.ends_with(['.', '!', '?', '…']) {
        s.push('.');
    }
    s
}

/// The user clicked an action. Serialized as `{"kind": "log_in", "profile": "corp"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// "Log in": open the profile's login window.
    LogIn { profile: String },
}

/// Shows notices to the user.
pub trait Notifier: Send + Sync {
    /// Shows (or replaces) the profile's notification. Errors (no bus, no server) are returned,
    /// never panic; callers log them once.
    fn show(&self, notice: &Notice) -> Result<()>;
    /// Withdraws the profile's notification (things work again).
    fn clear(&self, profile: &str);
}

impl<T: Notifier + ?Sized> Notifier for Arc<T> {
    fn show(&self, notice: &Notice) -> Result<()> {
        (**self).show(notice)
    }
    fn clear(&self, profile: &str) {
        (**self).clear(profile)
    }
}

// ------------------------------------------------------------------------------------------------
// RecordingNotifier

/// One call seen by a [`RecordingNotifier`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    Shown(Notice),
    Cleared(String),
}

/// Records `show` and `clear` calls (for tests), and what would be on screen: one notice per
/// profile, a new one replacing the previous.
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    inner: Mutex<Recording>,
}

#[derive(Debug, Default)]
struct Recording {
    calls: Vec<Recorded>,
    visible: Vec<Notice>,
    fail_with: Option<crate::Error>,
}

impl RecordingNotifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// A notifier whose `show` fails with `error` (still recording the call), like one without a
    /// notification server.
    pub fn failing(error: crate::Error) -> Self {
        let n = Self::default();
        n.lock().fail_with = Some(error);
        n
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recording> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every call, in order.
    pub fn calls(&self) -> Vec<Recorded> {
        self.lock().calls.clone()
    }

    /// Every notice shown, in order.
    pub fn shown(&self) -> Vec<Notice> {
        self.lock()
            .calls
            .iter()
            .filter_map(|c| match c {
                Recorded::Shown(n) => Some(n.clone()),
                Recorded::Cleared(_) => None,
            })
            .collect()
    }

    /// What is on screen: at most one notice per profile, in the order the profiles first showed.
    pub fn visible(&self) -> Vec<Notice> {
        self.lock().visible.clone()
    }

    /// The profile's notice on screen, if any.
    pub fn current(&self, profile: &str) -> Option<Notice> {
        self.lock()
            .visible
            .iter()
            .find(|n| n.profile() == profile)
            .cloned()
    }

    /// Forgets every call (what is visible stays).
    pub fn take_calls(&self) -> Vec<Recorded> {
        std::mem::take(&mut self.lock().calls)
    }
}

impl Notifier for RecordingNotifier {
    fn show(&self, notice: &Notice) -> Result<()> {
        let mut r = self.lock();
        r.calls.push(Recorded::Shown(notice.clone()));
        if let Some(e) = &r.fail_with {
            return Err(e.clone());
        }
        match r
            .visible
            .iter_mut()
            .find(|n| n.profile() == notice.profile())
        {
            Some(slot) => *slot = notice.clone(),
            None => r.visible.push(notice.clone()),
        }
        Ok(())
    }

    fn clear(&self, profile: &str) {
        let mut r = self.lock();
        r.calls.push(Recorded::Cleared(profile.to_string()));
        r.visible.retain(|n| n.profile() != profile);
    }
}

// ------------------------------------------------------------------------------------------------
// DesktopNotifier

type ActionCallback = Arc<dyn Fn(Action) + Send + Sync>;

enum Command {
    Show(Notice, mpsc::SyncSender<Result<()>>),
    Clear(String),
    Flush(mpsc::SyncSender<()>),
}

/// Notifications through the desktop's notification server (notify-rust; D-Bus on Linux).
///
/// - One notification per profile: a new notice is sent with the previous one's id, so the
///   server replaces it. Showing the notice that is already up again does nothing.
/// - App name "Dockpass", a standard icon name, urgency critical for `Expired` (and no
///   timeout for `Expiring`/`Expired`: they stay until acted on or cleared), normal else.
/// - `Expiring` and `Expired` carry the "Log in" action (key `login`); a click calls the
///   callback given at construction with [`Action::LogIn`] once, on a background thread.
/// - `show` returns within the reply timeout (1 s by default) whatever the bus does; without a
///   session bus or a notification server it fails with a one-line [`Code::Io`] error.
/// - `clear` closes the profile's notification without waiting.
///
/// Dropping the notifier stops its worker; notifications with a "Log in" action are closed
/// then (nobody would answer the click), others stay.
pub struct DesktopNotifier {
    tx: mpsc::Sender<Command>,
    reply_timeout: Duration,
}

impl fmt::Debug for DesktopNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DesktopNotifier")
            .field("reply_timeout", &self.reply_timeout)
            .finish_non_exhaustive()
    }
}

impl DesktopNotifier {
    /// A notifier that calls `on_action` (on a background thread; keep it short, e.g. send to a
    /// channel or emit an event) when the user clicks an action.
    pub fn new(on_action: impl Fn(Action) + Send + Sync + 'static) -> Self {
        let (tx, rx) = mpsc::channel();
        let on_action: ActionCallback = Arc::new(on_action);
        // When the thread cannot start, `rx` is dropped with the closure and every `show`
        // reports that notifications are unavailable.
        let _ = std::thread::Builder::new()
            .name("dockpass-notify".into())
            .spawn(move || platform::run_worker(rx, on_action));
        DesktopNotifier {
            tx,
            reply_timeout: DEFAULT_REPLY_TIMEOUT,
        }
    }

    /// A notifier whose actions arrive on the returned channel.
    pub fn with_channel() -> (Self, mpsc::Receiver<Action>) {
        let (tx, rx) = mpsc::channel();
        let notifier = Self::new(move |action| {
            let _ = tx.send(action);
        });
        (notifier, rx)
    }

    /// How long `show` waits for the notification server (default 1 s).
    pub fn with_reply_timeout(mut self, timeout: Duration) -> Self {
        self.reply_timeout = timeout;
        self
    }

    /// Waits up to `timeout` until every earlier `show` and `clear` has reached the server
    /// (e.g. the last `clear` before the process exits). True when they all have.
    pub fn flush(&self, timeout: Duration) -> bool {
        let (tx, rx) = mpsc::sync_channel(1);
        self.tx.send(Command::Flush(tx)).is_ok() && rx.recv_timeout(timeout).is_ok()
    }
}

impl Notifier for DesktopNotifier {
    fn show(&self, notice: &Notice) -> Result<()> {
        let (reply_tx, reply_rx) = mpsc::sync_channel(1);
        if self
            .tx
            .send(Command::Show(notice.clone(), reply_tx))
            .is_err()
        {
            return Err(worker_gone());
        }
        match reply_rx.recv_timeout(self.reply_timeout) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(err(
                Code::Io,
                format!(
                    "the notification server did not answer within {} ms (notification not shown)",
                    self.reply_timeout.as_millis()
                ),
            )),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(worker_gone()),
        }
    }

    fn clear(&self, profile: &str) {
        let _ = self.tx.send(Command::Clear(profile.to_string()));
    }
}

fn worker_gone() -> crate::Error {
    err(
        Code::Io,
        "notifications are off: the notification thread is not running",
    )
}

/// Asks the notification server who it is (for `dockpass doctor`): its name and version, or
/// why there is none, within `timeout`.
pub fn server_info(timeout: Duration) -> Result<String> {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none_or(|v| v.is_empty()) {
            return Err(err(
                Code::Io,
                "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)",
            ));
        }
        let (tx, rx) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("dockpass-notify-probe".into())
            .spawn(move || {
                let _ = tx.send(notify_rust::get_server_information());
            })
            .map_err(|e| err(Code::Internal, format!("cannot start a thread: {e}")))?;
        match rx.recv_timeout(timeout) {
            Ok(Ok(info)) => Ok(format!("{} {} ({})", info.name, info.version, info.vendor)),
            Ok(Err(e)) => Err(describe_error(&e.to_string())),
            Err(_) => Err(err(
                Code::Io,
                format!(
                    "the notification server did not answer within {} s",
                    timeout.as_secs()
                ),
            )),
        }
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    {
        let _ = timeout;
        Ok("the system's notification centre".to_string())
    }
}

/// Turns a notify-rust error into one line that says what is wrong.
fn describe_error(detail: &str) -> crate::Error {
    let detail = detail.split_whitespace().collect::<Vec<_>>().join(" ");
    let no_server = [
        "ServiceUnknown",
        "NameHasNoOwner",
        "was not provided by any",
    ];
    let no_bus = [
        "I/O error",
        "os error",
        "Address error",
        "DBUS_SESSION_BUS_ADDRESS",
        "No such file",
        "Connection refused",
        "Handshake",
        "Unsupported address",
    ];
    if no_server.iter().any(|s| detail.contains(s)) {
        err(
            Code::Io,
            "no notification server on the session bus (notifications are off)",
        )
    } else if no_bus.iter().any(|s| detail.contains(s)) {
        err(
            Code::Io,
            format!("no D-Bus session bus (notifications are off): {detail}"),
        )
    } else {
        err(Code::Io, format!("could not show a notification: {detail}"))
    }
}

/// Escapes text for servers that interpret body markup (`body-markup` capability).
fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn icon_for(notice: &Notice) -> &'static str {
    match notice {
        Notice::Expired { .. } => "dialog-error",
        Notice::Expiring { .. } | Notice::RefreshFailing { .. } => "dialog-warning",
    }
}

/// What the action waiters share with the worker: per profile, the notification on screen.
#[derive(Debug, Default)]
struct Live {
    profiles: HashMap<String, LiveEntry>,
}

#[derive(Debug)]
struct LiveEntry {
    id: u32,
    /// Bumped by every show: one click per shown notice is delivered.
    seq: u64,
    wants_login: bool,
    delivered_seq: Option<u64>,
    /// False once the server said it closed (expired, dismissed, clicked).
    open: bool,
}

impl Live {
    /// Records a shown notice.
    fn shown(&mut self, profile: &str, id: u32, wants_login: bool) {
        let e = self
            .profiles
            .entry(profile.to_string())
            .or_insert(LiveEntry {
                id,
                seq: 0,
                wants_login,
                delivered_seq: None,
                open: true,
            });
        e.id = id;
        e.seq += 1;
        e.wants_login = wants_login;
        e.open = true;
    }

    fn cleared(&mut self, profile: &str) {
        self.profiles.remove(profile);
    }

    /// The server closed notification `id` (a late signal about an earlier notification with
    /// the same id can only make the next identical notice show again: harmless).
    fn closed(&mut self, profile: &str, id: u32) {
        if let Some(e) = self.profiles.get_mut(profile) {
            if e.id == id {
                e.open = false;
            }
        }
    }

    /// Whether the profile's notification is (as far as we know) still on screen.
    fn is_open(&self, profile: &str) -> bool {
        self.profiles.get(profile).is_some_and(|e| e.open)
    }

    /// Whether a "login" click on notification `id` of `profile` should reach the callback:
    /// it is the profile's notification, it offers the action, and this click was not delivered
    /// yet (several waiters may see the same signal while a replacement settles).
    fn take_login(&mut self, profile: &str, id: u32) -> bool {
        match self.profiles.get_mut(profile) {
            Some(e) if e.id == id && e.wants_login && e.delivered_seq != Some(e.seq) => {
                e.delivered_seq = Some(e.seq);
                true
            }
            _ => false,
        }
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
#[path = "xdg.rs"]
mod platform;

#[cfg(not(all(unix, not(target_os = "macos"))))]
#[path = "plain.rs"]
mod platform;

#[cfg(test)]
mod tests {
    use super::*;

    fn expiring(profile: &str, minutes: u64) -> Notice {
        Notice::Expiring {
            profile: profile.into(),
            minutes,
            in_browser: false,
        }
    }

    #[test]
    fn a_browser_profile_is_asked_to_renew_in_the_browser() {
        let n = Notice::Expiring {
            profile: "corp".into(),
            minutes: 9,
            in_browser: true,
        };
        assert_eq!(n.login_label(), "Renew in browser");
        assert!(n.body().contains("Renew in your browser"), "{}", n.body());
        assert_eq!(expiring("corp", 9).login_label(), "Log in");
        let e = Notice::Expired {
            profile: "corp".into(),
            in_browser: true,
        };
        assert_eq!(e.login_label(), "Renew in browser");
        assert_eq!(
            serde_json::to_value(expiring("corp", 1)).unwrap(),
            serde_json::json!({"kind": "expiring", "profile": "corp", "minutes": 1})
        );
    }

    #[test]
    fn expiring_texts() {
        let n = expiring("corp", 9);
        assert_eq!(n.summary(), "Dockpass: corp expires in 9 minutes");
        assert_eq!(
            n.body(),
            "Silent renewal needs you to sign in. Log in to keep docker credentials for corp working."
        );
        assert_eq!(n.profile(), "corp");
        assert!(n.wants_login_action());
        assert!(!n.is_critical());
        assert_eq!(
            expiring("corp", 1).summary(),
            "Dockpass: corp expires in 1 minute"
        );
        assert_eq!(
            expiring("corp", 0).summary(),
            "Dockpass: corp expires in less than a minute"
        );
    }

    #[test]
    fn expired_texts() {
        let n = Notice::Expired {
            profile: "corp".into(),
            in_browser: false,
        };
        assert_eq!(n.summary(), "Dockpass: corp session expired");
        assert_eq!(
            n.body(),
            "Docker credentials for corp no longer work. Log in to sign in again."
        );
        assert!(n.wants_login_action());
        assert!(n.is_critical());
        assert_eq!(n.to_string(), n.summary());
    }

    #[test]
    fn refresh_failing_texts() {
        let n = Notice::RefreshFailing {
            profile: "corp".into(),
            reason: "ECR did not answer: connection refused\n  (try later)".into(),
        };
        assert_eq!(n.summary(), "Dockpass: corp refresh is failing");
        assert_eq!(
            n.body(),
            "ECR did not answer: connection refused (try later). Dockpass keeps retrying; \
             the current credentials work until they expire."
        );
        assert!(!n.wants_login_action());
        assert!(!n.is_critical());
        assert_eq!(n.profile(), "corp");
    }

    #[test]
    fn reasons_are_one_short_sentence() {
        assert_eq!(sentence("done."), "done.");
        assert_eq!(sentence("  "), "The last refresh failed.");
        let long = "x".repeat(500);
        let s = sentence(&long);
        assert_eq!(s.chars().count(), REASON_MAX_CHARS);
        assert!(s.ends_with('…'));
        for n in [
            expiring("a", 3),
            Notice::RefreshFailing {
                profile: "a".into(),
                reason: "a\nb\r\nc".into(),
            },
        ] {
            assert!(!n.summary().contains('\n') && !n.body().contains('\n'));
        }
    }

    #[test]
    fn recording_notifier_replaces_per_profile() {
        let r = RecordingNotifier::new();
        r.show(&expiring("corp", 9)).unwrap();
        r.show(&expiring("other", 5)).unwrap();
        r.show(&expiring("corp", 4)).unwrap();
        r.show(&Notice::Expired {
            profile: "corp".into(),
            in_browser: false,
        })
        .unwrap();
        // One per profile on screen: the newest replaced the previous, nothing stacked.
        assert_eq!(
            r.visible(),
            vec![
                Notice::Expired {
                    profile: "corp".into(),
                    in_browser: false
                },
                expiring("other", 5)
            ]
        );
        assert_eq!(r.shown().len(), 4);
        r.clear("corp");
        assert_eq!(r.current("corp"), None);
        assert_eq!(r.current("other"), Some(expiring("other", 5)));
        assert_eq!(
            r.calls().last(),
            Some(&Recorded::Cleared("corp".to_string()))
        );
        assert_eq!(r.take_calls().len(), 5);
        assert!(r.calls().is_empty());
    }

    #[test]
    fn recording_notifier_can_fail_like_a_missing_server() {
        let r = RecordingNotifier::failing(err(Code::Io, "no notification server"));
        let e = r.show(&expiring("corp", 9)).unwrap_err();
        assert_eq!(e.code, Code::Io);
        assert_eq!(r.shown(), vec![expiring("corp", 9)]);
        assert!(r.visible().is_empty());
    }

    #[test]
    fn notifier_is_object_safe_and_shareable() {
        let r: Arc<dyn Notifier> = Arc::new(RecordingNotifier::new());
        let shared = r.clone();
        std::thread::spawn(move || shared.show(&expiring("corp", 2)).unwrap())
            .join()
            .unwrap();
        r.clear("corp");
        fn assert_notifier<N: Notifier>() {}
        assert_notifier::<DesktopNotifier>();
        assert_notifier::<RecordingNotifier>();
        assert_notifier::<Arc<RecordingNotifier>>();
    }

    #[test]
    fn one_click_reaches_the_callback_once_per_shown_notice() {
        let mut live = Live::default();
        live.shown("corp", 7, true);
        // Two waiters (before and after a replacement) see the same ActionInvoked.
        assert!(live.take_login("corp", 7));
        assert!(!live.take_login("corp", 7));
        // A replacement (same id) can be clicked again.
        live.shown("corp", 7, true);
        assert!(live.take_login("corp", 7));
        // A stale id, a profile without the action, a cleared profile: nothing.
        live.shown("corp", 8, true);
        assert!(!live.take_login("corp", 7));
        live.shown("corp", 8, false);
        assert!(!live.take_login("corp", 8));
        live.shown("corp", 8, true);
        live.cleared("corp");
        assert!(!live.take_login("corp", 8));
        assert!(!live.take_login("other", 1));
    }

    #[test]
    fn closing_is_tracked_per_notification_id() {
        let mut live = Live::default();
        assert!(!live.is_open("corp"));
        live.shown("corp", 3, false);
        assert!(live.is_open("corp"));
        live.closed("corp", 2); // another notification
        assert!(live.is_open("corp"));
        live.closed("corp", 3);
        assert!(!live.is_open("corp"));
        live.shown("corp", 3, false); // shown again
        assert!(live.is_open("corp"));
        live.cleared("corp");
        assert!(!live.is_open("corp"));
    }

    #[test]
    fn errors_say_what_is_wrong_in_one_line() {
        let e = describe_error(
            "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.Notifications \
             was not provided by any .service files",
        );
        assert_eq!(
            e.message,
            "no notification server on the session bus (notifications are off)"
        );
        assert_eq!(e.code, Code::Io);
        let e = describe_error("I/O error: No such file or directory (os error 2)");
        assert!(e.message.starts_with("no D-Bus session bus"), "{e}");
        let e = describe_error("something\nelse");
        assert_eq!(e.message, "could not show a notification: something else");
    }

    #[test]
    fn notices_and_actions_serialize_with_a_kind() {
        assert_eq!(
            serde_json::to_value(expiring("corp", 9)).unwrap(),
            serde_json::json!({"kind": "expiring", "profile": "corp", "minutes": 9})
        );
        let failing = Notice::RefreshFailing {
            profile: "corp".into(),
            reason: "r".into(),
        };
        let v = serde_json::to_value(&failing).unwrap();
        assert_eq!(v["kind"], "refresh_failing");
        assert_eq!(serde_json::from_value::<Notice>(v).unwrap(), failing);
        assert_eq!(
            serde_json::to_value(Action::LogIn {
                profile: "corp".into()
            })
            .unwrap(),
            serde_json::json!({"kind": "log_in", "profile": "corp"})
        );
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape_markup("a <b> & c"), "a &lt;b&gt; &amp; c");
    }

    #[test]
    fn dropped_notifier_stops_without_blocking() {
        // No D-Bus work happens unless something is shown: constructing and dropping is cheap
        // and safe in any environment.
        let (n, rx) = DesktopNotifier::with_channel();
        let n = n.with_reply_timeout(Duration::from_millis(500));
        assert!(format!("{n:?}").contains("500ms"));
        assert!(n.flush(Duration::from_secs(5)));
        drop(n);
        assert!(rx.recv_timeout(Duration::from_millis(100)).is_err());
    }
}
