//! Advisory locks in `$XDG_STATE_HOME/dockpass/locks/`, released by the OS when the holder
//! exits (also on a crash):
//! - one keeper per profile (`<profile>.lock`): the app and the daemon never refresh the same
//!   profile at once; the file holds the holder's pid and name for messages;
//! - one writer per docker config (`docker-<hash of its path>.lock`): Dockpass processes (CLI,
//!   daemon, app) take turns to read, merge and replace it, so none loses another's entries.

use crate::{err, Code, Result};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Held while this process keeps a profile fresh.
#[derive(Debug)]
pub struct ProfileLock {
    _file: File,
    pub path: PathBuf,
}

/// Takes the profile's lock in `dir`, or says who holds it.
pub fn acquire_in(dir: &Path, profile: &str, holder: &str) -> Result<ProfileLock> {
    crate::base::fsutil::create_dir_all(dir, 0o700)?;
    let path = dir.join(format!("{profile}.lock"));
    let io = |e: std::io::Error| {
        err(
            Code::State,
            format!(
                "cannot use lock file {}: {}",
                path.display(),
                crate::error::describe_io(&e)
            ),
        )
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut who = String::new();
            let _ = file.read_to_string(&mut who);
            let who = who.trim();
            return Err(err(
                Code::Busy,
                format!(
                    "profile {profile} is already kept fresh by {}; stop that one first, or use it",
                    if who.is_empty() {
                        "another Dockpass process"
                    } else {
                        who
                    }
                ),
            ));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
    }
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    write!(file, "{holder} (pid {})", std::process::id()).map_err(io)?;
    Ok(ProfileLock { _file: file, path })
}

/// Takes the profile's lock in the standard place.
pub fn acquire(profile: &str, holder: &str) -> Result<ProfileLock> {
    acquire_in(
        &crate::base::paths::state_dir()?.join("locks"),
        profile,
        holder,
    )
}

/// Held while this process reads, changes and replaces a docker config.
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

/// How long to wait for another Dockpass writer: it may be waiting on a credential helper's
/// keychain prompt (bounded at 150 s in `cred_helper.rs`).
pub const WRITER_WAIT: std::time::Duration = std::time::Duration::from_secs(180);

/// Waits for the docker config writer lock of `config` (its resolved path), in `dir`.
pub fn docker_writer_in(dir: &Path, config: &Path) -> Result<WriterLock> {
    use sha2::Digest;
    crate::base::fsutil::create_dir_all(dir, 0o700)?;
    let target =
        crate::base::fsutil::resolve_symlink_target(config).unwrap_or(config.to_path_buf());
    let absolute = std::path::absolute(&target).unwrap_or(target);
    let hash = sha2::Sha256::digest(absolute.as_os_str().as_encoded_bytes());
    let name: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
    let path = dir.join(format!("docker-{name}.lock"));
    let io = |e: std::io::Error| {
        err(
            Code::Io,
            format!(
                "cannot use lock file {}: {}",
                path.display(),
                crate::error::describe_io(&e)
            ),
        )
    };
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    let start = std::time::Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(WriterLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < WRITER_WAIT => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(err(
                    Code::Busy,
                    format!(
                        "another Dockpass process has been updating {} for {} s; try again when it is done",
                        absolute.display(),
                        WRITER_WAIT.as_secs()
                    ),
                ))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
    }
}

/// The docker config writer lock in the standard place.
pub fn docker_writer(config: &Path) -> Result<WriterLock> {
    docker_writer_in(&crate::base::paths::state_dir()?.join("locks"), config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire_in(dir.path(), "corp", "dockpass daemon").unwrap();
        let e = acquire_in(dir.path(), "corp", "dockpass-app").unwrap_err();
        assert_eq!(e.code, Code::Busy);
        assert!(e.message.contains("dockpass daemon (pid"), "{}", e.message);
        // Another profile is independent.
        let _other = acquire_in(dir.path(), "other", "dockpass-app").unwrap();
        drop(first);
        acquire_in(dir.path(), "corp", "dockpass-app").unwrap();
    }

    #[test]
    fn docker_writers_take_turns_per_config() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a/config.json");
        let held = docker_writer_in(dir.path(), &a).unwrap();
        // Another config is independent.
        let _b = docker_writer_in(dir.path(), &dir.path().join("b/config.json")).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let (d, a2) = (dir.path().to_path_buf(), a.clone());
        let t = std::thread::spawn(move || {
            let _l = docker_writer_in(&d, &a2).unwrap();
            tx.send(()).unwrap();
        });
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(200))
                .is_err(),
            "waits"
        );
        drop(held);
        rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
        t.join().unwrap();
    }
}
