//! The helper socket's server side, run by the tray app and `dockpass daemon`: answers
//! `docker-credential-dockpass get` and `dockpass credentials` from the live session in
//! memory (the keychain is read once per session change, not per request), so a hit costs
//! a state-file read and no AWS call.

use super::socket::{self, to_wire, Answer, Request, MAX_LINE};
use crate::app::controller::{AwsProvider, Controller};
use crate::session::helper::{host_of, lookup, token_for, Login, Lookup, MISSING_URL};
use crate::session::secrets::SessionSecrets;
use crate::session::state::SessionInfo;
use crate::{err, Code, Result};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

/// Secrets per profile, with the session fingerprint they belong to.
type Cache = Mutex<HashMap<String, (String, SessionSecrets)>>;

/// What changes whenever the keychain entry changes: a new session, refreshed tokens or
/// chained roles.
fn fingerprint(s: &SessionInfo) -> String {
    let mut f = crate::base::clock::rfc3339(s.started_at);
    for r in &s.registries {
        f.push('|');
        f.push_str(
            &r.issued_at
                .map(crate::base::clock::rfc3339)
                .unwrap_or_default(),
        );
    }
    for c in &s.chain {
        f.push('|');
        f.push_str(&crate::base::clock::rfc3339(c.issued_at));
    }
    f
}

/// Binds the socket (base::private_socket): a socket that answers belongs to another
/// Dockpass (`Code::Busy`); a dead one is replaced.
pub fn bind() -> Result<UnixListener> {
    let path = socket::path()?;
    let listener = crate::base::private_socket::bind(
        &path,
        &format!("another Dockpass already answers on {}", path.display()),
    )?;
    let _ = BOUND.set(path);
    Ok(listener)
}

/// The socket this process bound, so quitting can take it away.
static BOUND: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Removes the socket this process bound (on quit): helpers then go to the keychain at once
/// instead of meeting a dead socket.
pub fn release() {
    if let Some(p) = BOUND.get() {
        let _ = std::fs::remove_file(p);
    }
}

/// A client sends its one line as soon as it connects; one that has not within this time
/// is not a Dockpass client, and goes.
const REQUEST_DEADLINE: Duration = Duration::from_secs(1);
/// The most a whole exchange may take (an answer may need a fresh token from ECR first).
const EXCHANGE_DEADLINE: Duration = Duration::from_secs(60);
/// Connections that have not sent their request yet, at most: when one more arrives, the
/// oldest of them is closed, so a flood of idle connections cannot keep a real `get` out.
const MAX_WAITING: usize = 32;

/// The connections still waiting for their request line, oldest first.
#[derive(Default)]
struct Waiting {
    next: u64,
    queue: VecDeque<(u64, tokio::task::AbortHandle)>,
}

impl Waiting {
    /// Makes room for one more (closing the oldest waiting connection when full) and
    /// returns its id.
    fn admit(&mut self) -> u64 {
        while self.queue.len() >= MAX_WAITING {
            if let Some((_, oldest)) = self.queue.pop_front() {
                oldest.abort();
            }
        }
        self.next += 1;
        self.next
    }

    fn remove(&mut self, id: u64) {
        self.queue.retain(|(i, _)| *i != id);
    }
}

type Shared<T> = Arc<Mutex<T>>;

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The socket's server: answers from the controller's live sessions.
pub struct HelperServer<P: AwsProvider> {
    ctl: Arc<Controller<P>>,
    /// The keychain's secrets per profile, for the session they belong to.
    cache: Cache,
}

impl<P: AwsProvider> HelperServer<P> {
    pub fn new(ctl: Arc<Controller<P>>) -> Self {
        HelperServer {
            ctl,
            cache: Cache::default(),
        }
    }

    /// Serves the helper socket until the process ends.
    pub async fn serve(self: Arc<Self>, listener: UnixListener) {
        let waiting: Shared<Waiting> = Arc::default();
        loop {
            let stream = match listener.accept().await {
                Ok((s, _)) => s,
                Err(e) => {
                    // Out of file descriptors, most likely: the waiting connections go first.
                    tracing::warn!("helper socket: {e}");
                    for (_, h) in std::mem::take(&mut locked(&waiting).queue) {
                        h.abort();
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            };
            // Only the user's own processes get an answer.
            if !crate::base::private_socket::same_user(&stream, "helper socket") {
                continue;
            }
            let (server, w) = (self.clone(), waiting.clone());
            // Held while the task starts, so it cannot leave the queue before it is in it.
            let mut queue = locked(&waiting);
            let id = queue.admit();
            let task = tokio::spawn(async move {
                let done = tokio::time::timeout(
                    EXCHANGE_DEADLINE,
                    server.answer_one(stream, || locked(&w).remove(id)),
                )
                .await;
                match done {
                    Ok(Err(e)) => tracing::debug!("helper socket: {}", e.message),
                    Err(_) => tracing::debug!("helper socket: an exchange took too long"),
                    Ok(Ok(())) => {}
                }
            });
            queue.queue.push_back((id, task.abort_handle()));
            drop(queue);
        }
    }

    async fn answer_one(&self, stream: UnixStream, request_read: impl FnOnce()) -> Result<()> {
        let (read, mut write) = stream.into_split();
        let mut line = String::new();
        let io = |e: std::io::Error| err(Code::Io, format!("helper socket: {e}"));
        let mut reader = BufReader::new(read.take(MAX_LINE as u64));
        match tokio::time::timeout(REQUEST_DEADLINE, reader.read_line(&mut line)).await {
            Ok(r) => r.map_err(io)?,
            Err(_) => return Err(err(Code::Io, "helper socket: no request in time")),
        };
        request_read();
        let answer = match serde_json::from_str::<Request>(&line) {
            Ok(req) => self.answer(req).await,
            Err(_) => Answer::Error(to_wire(&err(Code::Usage, "unreadable request"))),
        };
        let mut out = serde_json::to_vec(&answer)
            .map_err(|e| err(Code::Internal, format!("cannot encode the answer: {e}")))?;
        out.push(b'\n');
        write.write_all(&out).await.map_err(io)?;
        Ok(())
    }

    async fn answer(&self, req: Request) -> Answer {
        match req {
            Request::Get { server_url } => match self.helper_get(&server_url).await {
                Ok(Some(a)) => a,
                Ok(None) => Answer::NotFound,
                Err(e) => Answer::Error(to_wire(&e)),
            },
            Request::Credentials { profile, role } => {
                let ctx = self.ctl.context();
                let p = match ctx.profile(profile.as_deref()) {
                    Ok(p) => p.clone(),
                    Err(e) => return Answer::Error(to_wire(&e)),
                };
                let aws = self.ctl.aws().client(&p).await;
                match crate::session::credentials::for_process(
                    &ctx,
                    aws.as_ref(),
                    &p,
                    role.as_deref(),
                )
                .await
                {
                    Ok(c) => Answer::Credentials(crate::session::credentials::to_process(&c)),
                    Err(e) => Answer::Error(to_wire(&e)),
                }
            }
        }
    }

    async fn helper_get(&self, server_url: &str) -> Result<Option<Answer>> {
        let host = host_of(server_url);
        if host.is_empty() {
            return Err(err(Code::Usage, MISSING_URL));
        }
        for attempt in 0..2 {
            let ctx = self.ctl.context();
            let state = ctx.state.load()?;
            match lookup(&state, &host, ctx.clock.now()) {
                Lookup::Unknown => return Ok(None),
                Lookup::Live { profile, registry } => {
                    let Some(session) = state
                        .profiles
                        .get(&profile)
                        .and_then(|p| p.session.as_ref())
                    else {
                        return Ok(None);
                    };
                    let fp = fingerprint(session);
                    let cached = {
                        let map = self.cache.lock().unwrap_or_else(|p| p.into_inner());
                        map.get(&profile)
                            .filter(|(f, _)| *f == fp)
                            .and_then(|(_, s)| token_for(s, &registry))
                    };
                    if let Some(l) = cached {
                        return Ok(Some(login_answer(l)));
                    }
                    let Some(secrets) = ctx.secrets().load(&profile)? else {
                        return Ok(None);
                    };
                    let hit = token_for(&secrets, &registry);
                    self.cache
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(profile, (fp, secrets));
                    return Ok(hit.map(login_answer));
                }
                Lookup::Expired { profile } if attempt == 0 => {
                    // The session lives but the token is gone (e.g. after sleep): fetch it.
                    let Ok(p) = ctx.profile(Some(&profile)).cloned() else {
                        return Ok(None);
                    };
                    let aws = self.ctl.aws().client(&p).await;
                    crate::session::refresh_tokens(&ctx, aws.as_ref(), &p, false).await?;
                    self.ctl.publish_status(&profile);
                    self.ctl.fresh.replan();
                }
                Lookup::Expired { .. } => return Ok(None),
            }
        }
        Ok(None)
    }
}

fn login_answer(l: Login) -> Answer {
    Answer::Login {
        username: l.username,
        secret: l.secret.expose().to_string(),
    }
}
