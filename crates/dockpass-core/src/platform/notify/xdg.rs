//! XDG desktop notifications over D-Bus (notify-rust with zbus).
//!
//! Every shown notification gets a waiter thread on the connection that sent it: servers
//! such as dunst send `ActionInvoked` and `NotificationClosed` only to that connection. The
//! waiter delivers a "login" click once, then closes the notification (the click is used up;
//! the login window takes over), and records when the server closed it.

use super::*;
use futures::channel::oneshot;
use notify_rust::{ActionResponse, Hint, Notification, NotificationHandle, Timeout, Urgency};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

struct Shown {
    notice: Notice,
    handle: Arc<NotificationHandle>,
    /// Cancel the waiters of this profile's notification (newest last). The previous waiter
    /// is kept while the new one subscribes, so a click during a replacement is not lost on
    /// servers that broadcast the signal; older ones are cancelled.
    waiters: Vec<oneshot::Sender<()>>,
}

struct Worker {
    on_action: ActionCallback,
    live: Arc<Mutex<Live>>,
    shown: HashMap<String, Shown>,
    /// Whether the server interprets body markup (asked once).
    markup: Option<bool>,
}

pub(super) fn run_worker(rx: mpsc::Receiver<Command>, on_action: ActionCallback) {
    let mut w = Worker {
        on_action,
        live: Arc::new(Mutex::new(Live::default())),
        shown: HashMap::new(),
        markup: None,
    };
    while let Ok(cmd) = rx.recv() {
        match cmd {
            Command::Show(notice, reply) => {
                let result = w.show(notice);
                let _ = reply.send(result);
            }
            Command::Clear(profile) => w.clear(&profile),
            Command::Flush(done) => {
                let _ = done.send(());
            }
        }
    }
    // The notifier is gone: nobody answers a "Log in" click any more.
    for (profile, shown) in w.shown.drain() {
        if shown.notice.wants_login_action() && lock(&w.live).is_open(&profile) {
            futures::executor::block_on(shown.handle.close_async());
        }
    }
}

impl Worker {
    fn show(&mut self, notice: Notice) -> Result<()> {
        let profile = notice.profile().to_string();
        let previous = self.shown.get(&profile);
        if previous.is_some_and(|p| p.notice == notice) && lock(&self.live).is_open(&profile) {
            return Ok(()); // already on screen
        }
        let markup = match self.markup {
            Some(m) => m,
            None => {
                let caps =
                    notify_rust::get_capabilities().map_err(|e| describe_error(&e.to_string()))?;
                let m = caps.iter().any(|c| c == "body-markup");
                self.markup = Some(m);
                m
            }
        };
        let body = if markup {
            escape_markup(&notice.body())
        } else {
            notice.body()
        };
        let mut n = Notification::new();
        n.appname(APP_NAME)
            .summary(&notice.summary())
            .body(&body)
            .icon(icon_for(&notice))
            .hint(Hint::Category("network".into()))
            .urgency(if notice.is_critical() {
                Urgency::Critical
            } else {
                Urgency::Normal
            });
        if notice.wants_login_action() {
            // Stays until acted on or cleared.
            n.action(LOGIN_ACTION, notice.login_label())
                .timeout(Timeout::Never);
        }
        if let Some(p) = previous {
            n.id(p.handle.id()); // replace, never stack
        }
        let handle = Arc::new(n.show().map_err(|e| describe_error(&e.to_string()))?);
        lock(&self.live).shown(&profile, handle.id(), notice.wants_login_action());

        let mut waiters = self
            .shown
            .remove(&profile)
            .map(|p| p.waiters)
            .unwrap_or_default();
        let keep_from = waiters.len().saturating_sub(1);
        waiters.drain(..keep_from);
        if let Some(cancel) = self.spawn_waiter(&profile, handle.clone()) {
            waiters.push(cancel);
        }
        self.shown.insert(
            profile,
            Shown {
                notice,
                handle,
                waiters,
            },
        );
        Ok(())
    }

    fn clear(&mut self, profile: &str) {
        lock(&self.live).cleared(profile);
        if let Some(shown) = self.shown.remove(profile) {
            futures::executor::block_on(shown.handle.close_async());
            // Dropping `shown.waiters` cancels the waiters.
        }
    }

    /// A thread that waits for this notification's "Log in" click or its closing.
    fn spawn_waiter(
        &self,
        profile: &str,
        handle: Arc<NotificationHandle>,
    ) -> Option<oneshot::Sender<()>> {
        let (cancel_tx, cancel_rx) = oneshot::channel::<()>();
        let profile = profile.to_string();
        let live = self.live.clone();
        let on_action = self.on_action.clone();
        std::thread::Builder::new()
            .name("dockpass-notify-wait".into())
            .spawn(move || {
                let id = handle.id();
                let (clicked, closed) = (Cell::new(false), Cell::new(false));
                // notify-rust unwraps D-Bus errors while subscribing (a bus that went away):
                // such a panic ends this waiter only.
                let _ = catch_unwind(AssertUnwindSafe(|| {
                    let wait = handle.wait_for_action_async(|response| match response {
                        ActionResponse::Custom(key) => clicked.set(*key == LOGIN_ACTION),
                        ActionResponse::Closed(_) => closed.set(true),
                    });
                    futures::executor::block_on(futures::future::select(Box::pin(wait), cancel_rx));
                }));
                if clicked.get() && lock(&live).take_login(&profile, id) {
                    futures::executor::block_on(handle.close_async());
                    lock(&live).closed(&profile, id);
                    on_action(Action::LogIn { profile });
                } else if closed.get() {
                    lock(&live).closed(&profile, id);
                }
            })
            .ok()
            .map(|_| cancel_tx)
    }
}

fn lock(live: &Mutex<Live>) -> std::sync::MutexGuard<'_, Live> {
    live.lock().unwrap_or_else(PoisonError::into_inner)
}
