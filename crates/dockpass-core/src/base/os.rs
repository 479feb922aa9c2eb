//! The few file facts that differ between Unix and Windows, in one place: permission bits,
//! owners and "executable". On Windows files carry ACLs instead; the user's profile folder is
//! private already, so the bits are not set there and owner checks do not apply.

use std::fs::{DirBuilder, File, Metadata};
use std::io;
use std::path::Path;

/// A file a program can be run from (helpers on PATH).
pub fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// The program `name` (`name.exe` on Windows) in the first folder of `search_path` that has
/// it. Relative entries (including the empty one, meaning ".") are skipped, as Go's
/// exec.LookPath refuses them: the current folder is not a trusted place.
pub fn find_program(
    search_path: Option<&std::ffi::OsStr>,
    name: &str,
) -> Option<std::path::PathBuf> {
    let program = program_file(name);
    std::env::split_paths(search_path?)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(&program))
        .find(|p| is_executable(p))
}

/// `name` as a program file: `name.exe` on Windows.
pub fn program_file(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// Sets the permission bits of an open file (no-op on Windows).
pub fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (file, mode);
        Ok(())
    }
}

/// Sets the permission bits of a path (no-op on Windows).
pub fn set_path_mode(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

/// A recursive folder builder creating with `mode` (before umask) on Unix.
pub fn dir_builder(mode: u32) -> DirBuilder {
    let mut b = DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    b
}

/// The owner's user id (Unix only).
pub fn owner(meta: &Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(meta.uid())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// The permission bits (Unix only).
pub fn mode(meta: &Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(meta.mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// This process's effective user id (Unix only).
pub fn effective_uid() -> Option<u32> {
    #[cfg(unix)]
    {
        Some(rustix::process::geteuid().as_raw())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Whether this process may create files in `dir` (Unix: access(2); elsewhere assumed).
pub fn can_write_in(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_ok()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        true
    }
}

/// Gives `tmp` the owner and group of `old` (best effort, Unix only; only root can).
pub fn keep_owner(tmp: &File, old: &Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(now) = tmp.metadata() else { return };
        if (now.uid(), now.gid()) != (old.uid(), old.gid()) {
            if let Err(e) = std::os::unix::fs::fchown(tmp, Some(old.uid()), Some(old.gid())) {
                tracing::debug!(error = %e, "could not keep the owner of the replaced file");
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (tmp, old);
}
