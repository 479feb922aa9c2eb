//! Handing a folder to the desktop (the tray's "Open logs"): `xdg-open` on Linux and the BSDs,
//! `open` on macOS, `explorer` on Windows. The opener runs detached; we never wait for it.

use crate::{err, Code, Result};
use std::path::Path;
use std::process::{Command, Stdio};

#[cfg(target_os = "macos")]
const OPENER: &str = "open";
#[cfg(windows)]
const OPENER: &str = "explorer";
#[cfg(not(any(target_os = "macos", windows)))]
const OPENER: &str = "xdg-open";

/// Set by the tray app when it turned GTK's OpenGL off for itself (`GDK_GL=disable`, see
/// src-tauri/src/main.rs); programs it starts get the user's own environment back.
pub const GDK_GL_MARKER: &str = "DOCKPASS_SET_GDK_GL";

/// Opens `dir` in the file manager, creating it first so the click never shows an error page.
pub fn open_folder(dir: &Path) -> Result<()> {
    crate::base::fsutil::create_dir_all(dir, 0o700)?;
    let mut cmd = Command::new(OPENER);
    if std::env::var_os(GDK_GL_MARKER).is_some() {
        cmd.env_remove("GDK_GL").env_remove(GDK_GL_MARKER);
    }
    let mut child = cmd
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            err(
                Code::Io,
                format!(
                    "cannot run {OPENER} to open {}: {}; open the folder yourself",
                    dir.display(),
                    crate::error::describe_io(&e)
                ),
            )
        })?;
    // Reap it in the background so no zombie stays behind.
    std::thread::spawn(move || child.wait());
    Ok(())
}
