//! Small file-system helpers shared by the docker config writer and the state file writer.
//!
//! `atomic_write` never leaves a half-written file behind: readers see the old content or the
//! new content, and a crash leaves at worst a hidden temp file. It follows a symlinked path to
//! its final target itself (callers need not resolve), so a dotfiles-managed link stays a link.
//!
//! Errors carry `Code::Io` and name the file; callers that own a more specific code (e.g.
//! `Code::DockerConfig`) swap it in.

use crate::error::{describe_io, err, Code, Result};
use std::fs::{self, File};
use std::io::{self, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

/// Symlink chains longer than this are treated as a loop (Linux's own limit is 40).
const MAX_SYMLINK_HOPS: usize = 40;

/// Follows `path` through any chain of symlinks (absolute or relative) to the file that would
/// really be read or written. A dangling link resolves to its missing target, so writing
/// creates it (docker does the same). Only the last component is followed: symlinked parent
/// directories are left to the kernel, which resolves them on every access anyway.
pub fn resolve_symlink_target(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINK_HOPS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target =
                    fs::read_link(&current).map_err(|e| io_error("read the link", &current, &e))?;
                current = if target.is_absolute() {
                    target
                } else {
                    // Relative links are relative to the folder holding the link. No lexical
                    // clean-up of `..`: the kernel resolves it after following the folder.
                    current
                        .parent()
                        .unwrap_or_else(|| Path::new(""))
                        .join(target)
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(io_error("look at", &current, &e)),
        }
    }
    Err(err(
        Code::Io,
        format!(
            "cannot resolve {}: more than {MAX_SYMLINK_HOPS} symbolic links (a loop?); point the link at a real file",
            path.display()
        ),
    ))
}

/// Replaces the file at `path` (or, if `path` is a symlink, its final target) with `bytes`,
/// atomically, leaving it with permission bits `mode`.
///
/// Steps: temp file created with `O_EXCL` and a random name in the target's own folder (so the
/// rename cannot cross file systems), write, chmod, fsync, rename over the target, fsync the
/// folder. The temp file is removed on every error path. The parent folder must exist.
/// When the old file belongs to someone else (e.g. run through sudo), ownership is kept if
/// the OS allows it, like docker does.
/// Removes what a killed `atomic_write` of `path` may have left: `.NAME.XXXXXXXX.tmp` in the
/// target's folder. Only call it while holding the writer lock for `path` (no live writer).
pub fn remove_stale_temps(path: &Path) {
    let Ok(target) = resolve_symlink_target(path) else {
        return;
    };
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let n = e.file_name();
        let n = n.to_string_lossy();
        let ours = n.len() == prefix.len() + 8 + ".tmp".len()
            && n.starts_with(&prefix)
            && n.ends_with(".tmp")
            && e.file_type().is_ok_and(|t| t.is_file());
        if ours {
            let _ = fs::remove_file(e.path());
        }
    }
}

pub fn atomic_write(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let target = resolve_symlink_target(path)?;
    let shown = Shown {
        path,
        target: &target,
    };
    let file_name = target.file_name().ok_or_else(|| {
        err(
            Code::Io,
            format!("cannot write {shown}: the path names no file"),
        )
    })?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };

    let old = match fs::metadata(&target) {
        Ok(m) if m.is_dir() => {
            return Err(err(
                Code::Io,
                format!("cannot write {shown}: it is a folder, not a file; move it away"),
            ))
        }
        Ok(m) => Some(m),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(io_error("look at", &target, &e)),
    };

    let prefix = format!(".{}.", file_name.to_string_lossy());
    // Created 0600 so the content is never readable by others, even for a moment.
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp").rand_bytes(8);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| write_error(&shown, dir, &e))?;

    // From here on, dropping `tmp` (any `?`) deletes the temp file.
    tmp.write_all(bytes)
        .map_err(|e| write_error(&shown, dir, &e))?;
    crate::base::os::set_mode(tmp.as_file(), mode).map_err(|e| write_error(&shown, dir, &e))?;
    if let Some(old) = &old {
        crate::base::os::keep_owner(tmp.as_file(), old);
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| write_error(&shown, dir, &e))?;
    tmp.persist(&target)
        .map_err(|e| write_error(&shown, dir, &e.error))?;

    // The rename is done; a failed folder fsync only weakens durability after a power cut,
    // and reporting failure now would wrongly suggest nothing was written.
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(dir = %dir.display(), error = %e, "fsync of the folder failed");
    }
    Ok(())
}

/// Creates `dir` and missing parents with mode `mode` (before umask), like `mkdir -p -m`.
/// Folders that already exist are left as they are.
pub fn create_dir_all(dir: &Path, mode: u32) -> Result<()> {
    match crate::base::os::dir_builder(mode).create(dir) {
        Ok(()) => Ok(()),
        Err(e) => {
            let hint = match e.kind() {
                ErrorKind::AlreadyExists | ErrorKind::NotADirectory => {
                    "a file is in the way of the path; move it away".to_string()
                }
                _ => hint_for(&e, dir),
            };
            Err(err(
                Code::Io,
                format!(
                    "cannot create the folder {}: {}; {hint}",
                    dir.display(),
                    describe_io(&e)
                ),
            ))
        }
    }
}

/// Reads a whole file, refusing anything over `max` bytes and anything that is not a regular
/// file (a FIFO or device would block or never end). `Ok(None)` when the file does not exist
/// (a dangling symlink counts as not existing).
pub fn read_capped(path: &Path, max: u64) -> Result<Option<Vec<u8>>> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("read", path, &e)),
    };
    if meta.is_dir() {
        return Err(err(
            Code::Io,
            format!(
                "cannot read {}: it is a folder, not a file; move it away",
                path.display()
            ),
        ));
    }
    if !meta.is_file() {
        return Err(err(
            Code::Io,
            format!(
                "cannot read {}: it is not a regular file; replace it with one",
                path.display()
            ),
        ));
    }
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("read", path, &e)),
    };
    let mut bytes = Vec::with_capacity(meta.len().min(max) as usize);
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_error("read", path, &e))?;
    if bytes.len() as u64 > max {
        return Err(err(
            Code::Io,
            format!(
                "cannot read {}: it is larger than {max} bytes; is it the right file?",
                path.display()
            ),
        ));
    }
    Ok(Some(bytes))
}

/// `read_capped` for text: invalid UTF-8 is an error naming the file.
pub fn read_to_string_capped(path: &Path, max: u64) -> Result<Option<String>> {
    match read_capped(path, max)? {
        None => Ok(None),
        Some(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
            err(
                Code::Io,
                format!(
                    "cannot read {}: it is not UTF-8 text; fix or remove it",
                    path.display()
                ),
            )
        }),
    }
}

/// The path as the user gave it, plus the real target when a symlink was followed.
struct Shown<'a> {
    path: &'a Path,
    target: &'a Path,
}

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path == self.target {
            write!(f, "{}", self.path.display())
        } else {
            write!(
                f,
                "{} (link to {})",
                self.path.display(),
                self.target.display()
            )
        }
    }
}

fn write_error(shown: &Shown<'_>, dir: &Path, e: &io::Error) -> crate::Error {
    err(
        Code::Io,
        format!(
            "cannot write {shown}: {}; {}",
            describe_io(e),
            hint_for(e, dir)
        ),
    )
}

fn io_error(what: &str, path: &Path, e: &io::Error) -> crate::Error {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    err(
        Code::Io,
        format!(
            "cannot {what} {}: {}; {}",
            path.display(),
            describe_io(e),
            hint_for(e, dir)
        ),
    )
}

/// What the user can do about an I/O error, in a few words.
fn hint_for(e: &io::Error, dir: &Path) -> String {
    match e.kind() {
        ErrorKind::PermissionDenied => format!("check the permissions of {}", dir.display()),
        ErrorKind::NotFound => format!("the folder {} does not exist; create it", dir.display()),
        ErrorKind::NotADirectory => "a file is in the way of the path; move it away".into(),
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only".into(),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "free some disk space".into(),
        _ => "check the path and try again".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::Permissions;
    use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};

    fn mode_of(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_new_file_with_mode_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.json");
        atomic_write(&p, b"hello", 0o600).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"hello");
        assert_eq!(mode_of(&p), 0o600);
        assert_eq!(entries(d.path()), vec!["f.json"]);
    }

    #[test]
    fn replaces_wider_file_and_narrows_mode() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.json");
        fs::write(&p, b"old").unwrap();
        fs::set_permissions(&p, Permissions::from_mode(0o644)).unwrap();
        let ino = fs::metadata(&p).unwrap().ino();
        atomic_write(&p, b"new", 0o600).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new");
        assert_eq!(mode_of(&p), 0o600);
        // A new inode proves it was a rename, not an in-place rewrite.
        assert_ne!(fs::metadata(&p).unwrap().ino(), ino);
        assert_eq!(entries(d.path()), vec!["f.json"]);
    }

    #[test]
    fn follows_absolute_relative_and_chained_links() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("real")).unwrap();
        let target = d.path().join("real/t.json");
        fs::write(&target, b"old").unwrap();
        // link2 -> (relative) real/t.json ; link1 -> (absolute) link2
        symlink("real/t.json", d.path().join("link2")).unwrap();
        symlink(d.path().join("link2"), d.path().join("link1")).unwrap();

        atomic_write(&d.path().join("link1"), b"new", 0o600).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        for l in ["link1", "link2"] {
            assert!(fs::symlink_metadata(d.path().join(l))
                .unwrap()
                .file_type()
                .is_symlink());
        }
        assert_eq!(
            resolve_symlink_target(&d.path().join("link1")).unwrap(),
            d.path().join("real/t.json")
        );
        // The temp file went next to the target, and is gone.
        assert_eq!(entries(&d.path().join("real")), vec!["t.json"]);
    }

    #[test]
    fn relative_link_with_dotdot_from_subfolder() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("a/b")).unwrap();
        fs::create_dir(d.path().join("dotfiles")).unwrap();
        symlink("../../dotfiles/c.json", d.path().join("a/b/c.json")).unwrap();
        atomic_write(&d.path().join("a/b/c.json"), b"x", 0o600).unwrap();
        assert_eq!(fs::read(d.path().join("dotfiles/c.json")).unwrap(), b"x");
        assert!(fs::symlink_metadata(d.path().join("a/b/c.json"))
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn dangling_link_creates_target() {
        let d = tempfile::tempdir().unwrap();
        symlink("missing.json", d.path().join("l")).unwrap();
        atomic_write(&d.path().join("l"), b"x", 0o600).unwrap();
        assert_eq!(fs::read(d.path().join("missing.json")).unwrap(), b"x");
        assert!(fs::symlink_metadata(d.path().join("l"))
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn link_loop_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        symlink("b", d.path().join("a")).unwrap();
        symlink("a", d.path().join("b")).unwrap();
        let e = atomic_write(&d.path().join("a"), b"x", 0o600).unwrap_err();
        assert_eq!(e.code, Code::Io);
        assert!(e.message.contains("symbolic links"), "{}", e.message);
    }

    #[test]
    fn parent_is_a_file_is_a_clear_error() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("plain"), b"x").unwrap();
        let p = d.path().join("plain/f.json");
        let e = atomic_write(&p, b"x", 0o600).unwrap_err();
        assert!(e.message.contains("plain/f.json"), "{}", e.message);
        let e = create_dir_all(&d.path().join("plain/sub"), 0o700).unwrap_err();
        assert!(e.message.contains("a file is in the way"), "{}", e.message);
        assert_eq!(entries(d.path()), vec!["plain"]);
    }

    #[test]
    fn target_is_a_directory() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("f.json")).unwrap();
        let e = atomic_write(&d.path().join("f.json"), b"x", 0o600).unwrap_err();
        assert!(e.message.contains("is a folder"), "{}", e.message);
        let e = read_capped(&d.path().join("f.json"), 10).unwrap_err();
        assert!(e.message.contains("is a folder"), "{}", e.message);
        assert_eq!(entries(d.path()), vec!["f.json"]);
    }

    #[test]
    fn read_capped_limits() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        assert_eq!(read_capped(&p, 4).unwrap(), None);
        fs::write(&p, b"1234").unwrap();
        assert_eq!(read_capped(&p, 4).unwrap().unwrap(), b"1234");
        fs::write(&p, b"12345").unwrap();
        assert!(read_capped(&p, 4)
            .unwrap_err()
            .message
            .contains("larger than 4 bytes"));
        fs::write(&p, [0xff, 0xfe]).unwrap();
        assert!(read_to_string_capped(&p, 4)
            .unwrap_err()
            .message
            .contains("not UTF-8"));
    }

    #[test]
    fn create_dir_all_sets_mode_on_new_folders_only() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x/y");
        create_dir_all(&p, 0o700).unwrap();
        assert_eq!(mode_of(&p), 0o700);
        fs::set_permissions(&p, Permissions::from_mode(0o755)).unwrap();
        create_dir_all(&p, 0o700).unwrap();
        assert_eq!(mode_of(&p), 0o755);
    }
}
