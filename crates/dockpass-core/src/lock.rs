//! One keeper per profile: the app and the daemon never refresh the same profile at once.
//! An advisory lock on `$XDG_STATE_HOME/dockpass/locks/<profile>.lock`, released by the OS
//! when the holder exits (also on a crash), holding the holder's pid and name for messages.

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
    crate::fsutil::create_dir_all(dir, 0o700)?;
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
    acquire_in(&crate::paths::state_dir()?.join("locks"), profile, holder)
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
}
