//! Client side of the docker credential helper protocol (`docker-credential-<name>
//! store|get|erase`), as docker-credential-helpers' `client` package speaks it:
//! - `store`: JSON `{"ServerURL","Username","Secret"}` on stdin;
//! - `get`: the server URL on stdin, the same JSON on stdout, or the exact text
//!   `credentials not found in native keychain` and a non-zero exit;
//! - `erase`: the server URL on stdin.
//!
//! On failure helpers put their message on stdout (docker reports that); we fall back to
//! stderr when stdout is empty. Every message is scrubbed of the secret before it is shown.
//! Unlike docker we bound the wait: a helper stuck on an unlock prompt nobody sees must not
//! hang a background refresh forever.

use crate::error::{describe_io, err, Code, Error, Result};
use crate::SecretString;
use std::ffi::OsString;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// Helper programs are `docker-credential-` + the name in the config.
pub(super) const PREFIX: &str = "docker-credential-";
/// The exact text helpers print when they hold nothing for a server.
const NOT_FOUND: &str = "credentials not found in native keychain";
/// Generous: the first use of a keychain helper may wait for the user to unlock it.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// More than any real answer; stops a runaway helper from filling memory.
const MAX_OUTPUT: u64 = 1024 * 1024;
/// Longest helper message quoted in an error.
const MAX_MESSAGE_CHARS: usize = 400;

/// How helper programs are found and run: the search path (normally `$PATH`) and the time
/// limit. Tests pass their own, so they never touch the process environment.
#[derive(Clone, Debug)]
pub(super) struct Runner {
    pub(super) search_path: Option<OsString>,
    pub(super) timeout: Duration,
}

impl Runner {
    pub(super) fn from_env() -> Self {
        Runner {
            search_path: std::env::var_os("PATH"),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Finds `docker-credential-<name>`. `fix` completes the "not found" hint, e.g.
    /// "remove credsStore from /home/u/.docker/config.json".
    pub(super) fn locate(&self, name: &str, fix: &str) -> Result<Helper> {
        check_name(name)?;
        let program = crate::base::os::program_file(&format!("{PREFIX}{name}"));
        let found =
            crate::base::os::find_program(self.search_path.as_deref(), &format!("{PREFIX}{name}"));
        match found {
            Some(path) => Ok(Helper {
                program,
                path,
                timeout: self.timeout,
            }),
            None => Err(err(
                Code::DockerHelper,
                format!("{program} not found on PATH; {fix}"),
            )),
        }
    }
}

/// A located helper program.
#[derive(Clone, Debug)]
pub(super) struct Helper {
    /// `docker-credential-<name>`, for messages.
    program: String,
    /// The absolute path that is run.
    path: PathBuf,
    timeout: Duration,
}

/// What a helper printed and how it exited. stdout may hold a secret: wiped on drop.
struct Outcome {
    status: ExitStatus,
    stdout: Zeroizing<Vec<u8>>,
    stderr: Vec<u8>,
}

#[derive(serde::Serialize)]
struct StoreRequest<'a> {
    #[serde(rename = "ServerURL")]
    server_url: &'a str,
    #[serde(rename = "Username")]
    username: &'a str,
    #[serde(rename = "Secret")]
    secret: &'a str,
}

#[derive(serde::Deserialize)]
struct GetResponse {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: SecretString,
}

impl Helper {
    /// The program that would run.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// `store`: hands the credentials to the helper.
    pub(super) fn store(&self, host: &str, username: &str, secret: &SecretString) -> Result<()> {
        let req = StoreRequest {
            server_url: host,
            username,
            secret: secret.expose(),
        };
        let mut input = Zeroizing::new(serde_json::to_vec(&req).map_err(|e| {
            err(
                Code::Internal,
                format!("cannot encode the {} request: {e}", self.program),
            )
        })?);
        input.push(b'\n'); // as Go's json.Encoder writes it
        let out = self.run("store", host, &input, Some(secret.expose()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(self.failure("store", host, &out, Some(secret.expose())))
        }
    }

    /// `get`: what the helper holds for `host`, `None` when it holds nothing.
    pub(super) fn get(&self, host: &str) -> Result<Option<(String, SecretString)>> {
        let out = self.run("get", host, host.as_bytes(), None)?;
        if !out.status.success() {
            if is_not_found(&out) {
                return Ok(None);
            }
            return Err(self.failure("get", host, &out, None));
        }
        // No detail from serde here: it could quote the helper's output, i.e. the secret.
        let resp: GetResponse = serde_json::from_slice(&out.stdout).map_err(|_| {
            err(
                Code::DockerHelper,
                format!("{} get answered for {host} with something that is not credentials JSON; check the helper", self.program),
            )
        })?;
        Ok(Some((resp.username, resp.secret)))
    }

    /// `erase`: forgets `host`. A helper that already holds nothing counts as success.
    pub(super) fn erase(&self, host: &str) -> Result<()> {
        let out = self.run("erase", host, host.as_bytes(), None)?;
        if out.status.success() || is_not_found(&out) {
            Ok(())
        } else {
            Err(self.failure("erase", host, &out, None))
        }
    }

    /// Runs the helper with `action`, feeding `input`, bounded by the timeout.
    fn run(&self, action: &str, host: &str, input: &[u8], secret: Option<&str>) -> Result<Outcome> {
        let mut child = self.spawn(action)?;
        let started = Instant::now();

        // Feed stdin from a thread so a helper that writes before it reads cannot deadlock us.
        // A helper that exits without reading gives EPIPE, which its exit status explains.
        let writer = child.stdin.take().map(|mut stdin| {
            let input = Zeroizing::new(input.to_vec());
            thread::spawn(move || {
                let _ = stdin.write_all(&input);
            })
        });
        let (tx, rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            let tx = tx.clone();
            thread::spawn(move || {
                let mut buf = Zeroizing::new(Vec::new());
                let _ = stdout.take(MAX_OUTPUT).read_to_end(&mut buf);
                let _ = tx.send((true, buf));
            });
        }
        if let Some(stderr) = child.stderr.take() {
            thread::spawn(move || {
                let mut buf = Zeroizing::new(Vec::new());
                let _ = stderr.take(MAX_OUTPUT).read_to_end(&mut buf);
                let _ = tx.send((false, buf));
            });
        }

        let status = match wait_until(&mut child, started + self.timeout) {
            Ok(Some(status)) => status,
            Ok(None) => {
                // Our own child, by its handle: nothing else is touched.
                let _ = child.kill();
                let _ = child.wait();
                return Err(err(
                    Code::DockerHelper,
                    format!(
                        "{} {action} for {host} did not finish within {} s; check the helper (is it waiting for a keychain unlock?)",
                        self.program,
                        self.timeout.as_secs()
                    ),
                ));
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(err(
                    Code::DockerHelper,
                    format!(
                        "cannot wait for {} {action}: {}",
                        self.program,
                        describe_io(&e)
                    ),
                ));
            }
        };
        if let Some(w) = writer {
            let _ = w.join();
        }

        // The pipes close when the helper exits, unless it left a background process holding
        // them: then take what arrived within a short grace and move on.
        let mut out = Outcome {
            status,
            stdout: Zeroizing::new(Vec::new()),
            stderr: Vec::new(),
        };
        let grace = Instant::now() + Duration::from_secs(2);
        for _ in 0..2 {
            let left = grace.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok((true, buf)) => out.stdout = buf,
                Ok((false, buf)) => out.stderr = redact(&buf, secret).into_bytes(),
                Err(_) => break,
            }
        }
        Ok(out)
    }

    fn spawn(&self, action: &str) -> Result<Child> {
        let mut attempt = 0;
        loop {
            let spawned = Command::new(&self.path)
                .arg(action)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn();
            match spawned {
                Ok(child) => return Ok(child),
                // ETXTBSY: the helper is being installed, or another thread of ours forked
                // while holding it open for writing. Momentary; retry briefly.
                Err(e) if e.kind() == ErrorKind::ExecutableFileBusy && attempt < 20 => {
                    attempt += 1;
                    thread::sleep(Duration::from_millis(10 * attempt));
                }
                Err(e) => {
                    return Err(err(
                        Code::DockerHelper,
                        format!(
                            "cannot run {}: {}; check the helper's installation",
                            self.path.display(),
                            describe_io(&e)
                        ),
                    ))
                }
            }
        }
    }

    /// The helper's own message (stdout, else stderr), one line, bounded, secret removed.
    fn failure(&self, action: &str, host: &str, out: &Outcome, secret: Option<&str>) -> Error {
        let mut msg = redact(&out.stdout, secret);
        if msg.trim().is_empty() {
            msg = redact(&out.stderr, secret);
        }
        let msg = msg.split_whitespace().collect::<Vec<_>>().join(" ");
        let msg = if msg.chars().count() > MAX_MESSAGE_CHARS {
            format!(
                "{}…",
                msg.chars().take(MAX_MESSAGE_CHARS).collect::<String>()
            )
        } else {
            msg
        };
        let status = match out.status.code() {
            Some(c) => format!("exit status {c}"),
            None => "killed by a signal".to_string(),
        };
        if msg.is_empty() {
            err(
                Code::DockerHelper,
                format!(
                    "{} {action} failed for {host} ({status}) without a message; check the helper",
                    self.program
                ),
            )
        } else {
            err(
                Code::DockerHelper,
                format!("{} {action} failed for {host}: {msg}", self.program),
            )
        }
    }
}

/// Helper names come from the user's config and become part of a program name: no path
/// separators (docker would run `docker-credential-../../x` relative to the current folder).
pub(super) fn check_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name.contains('/')
        || name.contains('\0')
        || name.chars().any(char::is_whitespace)
    {
        return Err(err(
            Code::DockerHelper,
            format!("credential helper name {name:?} is not valid; it must be a plain name such as \"desktop\""),
        ));
    }
    Ok(())
}

fn is_not_found(out: &Outcome) -> bool {
    String::from_utf8_lossy(&out.stdout).trim() == NOT_FOUND
}

/// Text with every occurrence of the secret replaced. Lossy UTF-8: messages are for humans.
fn redact(bytes: &[u8], secret: Option<&str>) -> String {
    let text = Zeroizing::new(String::from_utf8_lossy(bytes).into_owned());
    match secret {
        Some(s) if !s.is_empty() => text.replace(s, "[redacted]"),
        _ => text.to_string(),
    }
}

/// Waits for the child until `deadline`; `None` when it is still running then.
fn wait_until(child: &mut Child, deadline: Instant) -> std::io::Result<Option<ExitStatus>> {
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(25));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn locate_skips_relative_and_non_executable() {
        let d = tempfile::tempdir().unwrap();
        let bin = d.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::fs::write(bin.join("docker-credential-x"), "#!/bin/sh\n").unwrap(); // mode 0644
        let runner = Runner {
            search_path: Some(OsString::from(format!(".:{}", bin.display()))),
            timeout: DEFAULT_TIMEOUT,
        };
        let e = runner.locate("x", "install it").unwrap_err();
        assert_eq!(e.code, Code::DockerHelper);
        assert_eq!(
            e.message,
            "docker-credential-x not found on PATH; install it"
        );
        let runner = Runner {
            search_path: None,
            timeout: DEFAULT_TIMEOUT,
        };
        assert!(runner.locate("x", "install it").is_err());
    }

    #[test]
    fn names_with_paths_are_refused() {
        let runner = Runner {
            search_path: Some("/usr/bin".into()),
            timeout: DEFAULT_TIMEOUT,
        };
        for bad in ["", "../../bin/sh", "a b", "x/y"] {
            let e = runner.locate(bad, "").unwrap_err();
            assert!(e.message.contains("is not valid"), "{bad:?}: {}", e.message);
        }
    }

    #[test]
    fn store_get_erase_round_trip() {
        let h = FakeHelper::new("teststore");
        let helper = h.runner().locate("teststore", "").unwrap();
        assert!(helper.get("reg.example:5000").unwrap().is_none());
        helper
            .store("reg.example:5000", "AWS", &SecretString::new("s3cr\"et"))
            .unwrap();
        let (u, s) = helper.get("reg.example:5000").unwrap().unwrap();
        assert_eq!((u.as_str(), s.expose()), ("AWS", "s3cr\"et"));
        assert_eq!(
            h.store_log(),
            vec![
                serde_json::json!({"ServerURL": "reg.example:5000", "Username": "AWS", "Secret": "s3cr\"et"})
            ]
        );
        helper.erase("reg.example:5000").unwrap();
        assert!(helper.get("reg.example:5000").unwrap().is_none());
        // Erasing again: the helper says "not found", which is fine.
        helper.erase("reg.example:5000").unwrap();
        assert_eq!(h.erase_log(), vec!["reg.example:5000", "reg.example:5000"]);
    }

    #[test]
    fn failure_quotes_helper_without_secret() {
        let h = FakeHelper::new("teststore");
        h.fail_with_echo();
        let helper = h.runner().locate("teststore", "").unwrap();
        let e = helper
            .store("h", "AWS", &SecretString::new("TOPSECRET-123"))
            .unwrap_err();
        assert_eq!(e.code, Code::DockerHelper);
        assert!(
            e.message
                .contains("docker-credential-teststore store failed for h: refused:"),
            "{}",
            e.message
        );
        assert!(e.message.contains("[redacted]"), "{}", e.message);
        assert!(!e.message.contains("TOPSECRET"), "{}", e.message);
        assert!(!e.message.contains('\n'));
    }

    #[test]
    fn garbage_from_get_is_an_error_without_content() {
        let h = FakeHelper::with_script("garbage", "#!/bin/sh\necho 'not json SECRETISH'\n");
        let helper = h.runner().locate("garbage", "").unwrap();
        let e = helper.get("h").unwrap_err();
        assert!(e.message.contains("not credentials JSON"), "{}", e.message);
        assert!(!e.message.contains("SECRETISH"));
    }

    #[test]
    fn silent_failure_says_so_and_stderr_is_used() {
        let h = FakeHelper::with_script("quiet", "#!/bin/sh\nexit 3\n");
        let helper = h.runner().locate("quiet", "").unwrap();
        let e = helper.erase("h").unwrap_err();
        assert!(
            e.message.contains("(exit status 3) without a message"),
            "{}",
            e.message
        );
        let h = FakeHelper::with_script("loud", "#!/bin/sh\necho 'no keyring' >&2\nexit 1\n");
        let helper = h.runner().locate("loud", "").unwrap();
        let e = helper.erase("h").unwrap_err();
        assert!(
            e.message.ends_with("erase failed for h: no keyring"),
            "{}",
            e.message
        );
    }

    #[test]
    fn hanging_helper_is_stopped() {
        let h = FakeHelper::with_script("hang", "#!/bin/sh\nexec sleep 30\n");
        let mut runner = h.runner();
        runner.timeout = Duration::from_millis(300);
        let helper = runner.locate("hang", "").unwrap();
        let t = Instant::now();
        let e = helper.get("h").unwrap_err();
        assert!(t.elapsed() < Duration::from_secs(5));
        assert!(e.message.contains("did not finish within"), "{}", e.message);
    }
}
