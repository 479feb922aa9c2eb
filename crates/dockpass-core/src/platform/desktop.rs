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
    spawn_detached(OPENER, &[dir]).map_err(|why| {
        err(
            Code::Io,
            format!(
                "cannot run {OPENER} to open {}: {why}; open the folder yourself",
                dir.display()
            ),
        )
    })?;
    Ok(())
}

/// Opens `url` in the user's browser: the first command of `$BROWSER` that starts (a
/// colon-separated list; `%s` stands for the URL, else it goes last), else the desktop's
/// opener. Detached; we never wait for the browser.
pub fn open_url(url: &str) -> Result<()> {
    open_url_saying(url, &format!("open {url} yourself"))
}

/// [`open_url`] for a URL that is a secret (the console's sign-in link): a failure says
/// `instead`, never the URL.
pub fn open_secret_url(url: &crate::SecretString, instead: &str) -> Result<()> {
    open_url_saying(url.expose(), instead)
}

fn open_url_saying(url: &str, instead: &str) -> Result<()> {
    let browsers = std::env::var("BROWSER").unwrap_or_default();
    let mut tried = Vec::new();
    for entry in browsers.split(':').map(str::trim).filter(|e| !e.is_empty()) {
        let mut words: Vec<String> = entry.split_whitespace().map(str::to_string).collect();
        if words.iter().any(|w| w.contains("%s")) {
            for w in &mut words {
                *w = w.replace("%s", url);
            }
        } else {
            words.push(url.to_string());
        }
        match spawn_detached(&words[0], &words[1..]) {
            Ok(()) => return Ok(()),
            Err(e) => tried.push(format!("{} ({e})", words[0])),
        }
    }
    spawn_detached(OPENER, &[url]).map_err(|e| {
        tried.push(format!("{OPENER} ({e})"));
        err(
            Code::Io,
            format!(
                "cannot open a browser: tried {}; {instead}, or set BROWSER",
                tried.join(", ")
            ),
        )
    })
}

/// Starts `program` without waiting for it (a thread reaps it, so no zombie stays), with the
/// user's own GDK settings; the error is a short description.
fn spawn_detached<A: AsRef<std::ffi::OsStr>>(
    program: &str,
    args: &[A],
) -> std::result::Result<(), String> {
    let mut cmd = Command::new(program);
    if std::env::var_os(GDK_GL_MARKER).is_some() {
        cmd.env_remove("GDK_GL").env_remove(GDK_GL_MARKER);
    }
    let mut child = cmd
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| crate::error::describe_io(&e))?;
    std::thread::spawn(move || child.wait());
    Ok(())
}
