//! Binding a Unix socket only the user can reach: the helper socket (always, while the app
//! or daemon runs) and the sign-in socket (while a browser sign-in waits). The folder must
//! be the user's own with mode 0700, the socket is 0600, and the servers also check each
//! peer's user id.

use crate::{err, Code, Result};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use tokio::net::UnixListener;

/// Binds `path`: the folder must belong to the user alone; a socket there that answers
/// belongs to another process, and `busy` says which (`Code::Busy`); a dead one is
/// replaced. Must run inside a tokio runtime.
pub fn bind(path: &Path, busy: &str) -> Result<UnixListener> {
    let dir = path.parent().unwrap_or(Path::new("/"));
    crate::base::fsutil::create_dir_all(dir, 0o700)?;
    let meta = std::fs::symlink_metadata(dir)
        .map_err(|e| err(Code::Io, format!("cannot read {}: {e}", dir.display())))?;
    let uid = rustix::process::getuid().as_raw();
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return Err(err(
            Code::Io,
            format!(
                "{} must be a folder that belongs to you with mode 0700; fix it (chmod 700) and try again",
                dir.display()
            ),
        ));
    }
    if std::os::unix::net::UnixStream::connect(path).is_ok() {
        return Err(err(Code::Busy, busy.to_string()));
    }
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path).map_err(|e| {
        err(
            Code::Io,
            format!("cannot listen on {}: {e}", path.display()),
        )
    })?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| err(Code::Io, format!("cannot protect {}: {e}", path.display())))?;
    Ok(listener)
}

/// Whether the peer of `stream` runs as this user; refusals are logged with `what`.
pub fn same_user(stream: &tokio::net::UnixStream, what: &str) -> bool {
    let uid = rustix::process::getuid().as_raw();
    match stream.peer_cred() {
        Ok(c) if c.uid() == uid => true,
        Ok(c) => {
            tracing::warn!(peer_uid = c.uid(), "{what}: refused another user");
            false
        }
        Err(e) => {
            tracing::warn!("{what}: no peer credentials ({e}); refused");
            false
        }
    }
}
