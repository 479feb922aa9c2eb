//! Start the tray app at desktop login, through each platform's standard mechanism: an XDG
//! autostart entry (`$XDG_CONFIG_HOME/autostart/dockpass.desktop`) on Linux and the BSDs, a
//! LaunchAgent (`~/Library/LaunchAgents/dev.dockpass.app.plist`) on macOS, the per-user `Run`
//! registry key on Windows. Off unless the user turns it on; turning it off removes only the
//! entry Dockpass wrote.

use crate::{err, Code, Result};
use std::path::{Path, PathBuf};

/// The argument the entry starts the app with: straight to the tray, no window.
pub const TRAY_ARG: &str = "--tray";

/// Where the platform keeps the entry.
#[derive(Clone, Debug)]
pub struct Autostart {
    /// The entry file (Linux, BSD, macOS); unused on Windows.
    pub entry: PathBuf,
}

impl Autostart {
    /// The standard place for this user.
    pub fn standard() -> Result<Autostart> {
        #[cfg(target_os = "macos")]
        let entry = home()?.join("Library/LaunchAgents/dev.dockpass.app.plist");
        #[cfg(not(target_os = "macos"))]
        let entry = crate::base::paths::config_home()?.join("autostart/dockpass.desktop");
        Ok(Autostart { entry })
    }

    /// Whether the app starts at login (our entry exists and is not switched off in it).
    pub fn enabled(&self) -> bool {
        #[cfg(windows)]
        {
            windows::enabled()
        }
        #[cfg(not(windows))]
        {
            match crate::base::fsutil::read_to_string_capped(&self.entry, 64 * 1024) {
                Ok(Some(text)) => !text.lines().any(|l| {
                    let l = l.trim();
                    l == "Hidden=true" || l == "X-GNOME-Autostart-enabled=false"
                }),
                _ => false,
            }
        }
    }

    /// Starts `app --tray` at login from now on.
    pub fn enable(&self, app: &Path) -> Result<()> {
        if !app.is_absolute() {
            return Err(err(
                Code::Usage,
                format!("the app path must be absolute: {}", app.display()),
            ));
        }
        #[cfg(windows)]
        {
            let _ = &self.entry;
            windows::enable(app)
        }
        #[cfg(not(windows))]
        {
            if let Some(dir) = self.entry.parent() {
                crate::base::fsutil::create_dir_all(dir, 0o755)?;
            }
            crate::base::fsutil::atomic_write(&self.entry, entry_text(app).as_bytes(), 0o644)
        }
    }

    /// No start at login any more. Turning off what is off is fine.
    pub fn disable(&self) -> Result<()> {
        #[cfg(windows)]
        {
            windows::disable()
        }
        #[cfg(not(windows))]
        match std::fs::remove_file(&self.entry) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(err(
                Code::Io,
                format!(
                    "cannot remove {}: {}",
                    self.entry.display(),
                    crate::error::describe_io(&e)
                ),
            )),
        }
    }

    /// `enable` or `disable`; returns the state afterwards.
    pub fn set(&self, on: bool, app: &Path) -> Result<bool> {
        if on {
            self.enable(app)?;
        } else {
            self.disable()?;
        }
        Ok(self.enabled())
    }
}

/// The app binary: `dockpass-app` beside the running program (the CLI and the app are
/// installed together), else the running program itself when it is the app.
pub fn app_beside(current: &Path) -> PathBuf {
    let name = format!("dockpass-app{}", std::env::consts::EXE_SUFFIX);
    match current.file_name() {
        Some(n) if n == name.as_str() => current.to_path_buf(),
        _ => current.with_file_name(name),
    }
}

#[cfg(target_os = "macos")]
fn home() -> Result<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| err(Code::Config, "HOME is not set"))
}

#[cfg(not(any(windows, target_os = "macos")))]
fn entry_text(app: &Path) -> String {
    format!(
        "[Desktop Entry]\nType=Application\nName=Dockpass\nComment=Keeps Amazon ECR logins for docker fresh\nExec={} {TRAY_ARG}\nIcon=dockpass-app\nTerminal=false\nX-GNOME-Autostart-enabled=true\n",
        exec_quote(&app.to_string_lossy())
    )
}

/// Quoting for a desktop entry's `Exec` key (Desktop Entry Specification, "The Exec key").
#[cfg(not(any(windows, target_os = "macos")))]
fn exec_quote(arg: &str) -> String {
    let plain = arg
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/-_.+,:@".contains(c));
    if plain {
        return arg.to_string();
    }
    let mut out = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    // `%` starts a field code everywhere in Exec, quoted or not.
    out.replace('%', "%%")
}

#[cfg(target_os = "macos")]
fn entry_text(app: &Path) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>dev.dockpass.app</string>
  <key>ProgramArguments</key>
  <array><string>{}</string><string>{TRAY_ARG}</string></array>
  <key>RunAtLoad</key><true/>
  <key>ProcessType</key><string>Interactive</string>
</dict>
</plist>
"#,
        esc(&app.to_string_lossy())
    )
}

#[cfg(windows)]
mod windows {
    //! `HKCU\Software\Microsoft\Windows\CurrentVersion\Run\Dockpass`, through `reg.exe`.
    use super::*;
    use std::process::{Command, Stdio};

    const KEY: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run";
    const VALUE: &str = "Dockpass";

    fn reg(args: &[&str]) -> Result<bool> {
        Command::new("reg")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .map_err(|e| err(Code::Io, format!("cannot run reg.exe: {e}")))
    }

    pub(super) fn enabled() -> bool {
        reg(&["query", KEY, "/v", VALUE]).unwrap_or(false)
    }

    pub(super) fn enable(app: &Path) -> Result<()> {
        let data = format!("\"{}\" {TRAY_ARG}", app.display());
        match reg(&["add", KEY, "/v", VALUE, "/t", "REG_SZ", "/d", &data, "/f"])? {
            true => Ok(()),
            false => Err(err(
                Code::Io,
                format!("reg.exe could not set {KEY}\\{VALUE}"),
            )),
        }
    }

    pub(super) fn disable() -> Result<()> {
        if enabled() && !reg(&["delete", KEY, "/v", VALUE, "/f"])? {
            return Err(err(
                Code::Io,
                format!("reg.exe could not remove {KEY}\\{VALUE}"),
            ));
        }
        Ok(())
    }
}

#[cfg(all(test, not(any(windows, target_os = "macos"))))]
mod tests {
    use super::*;

    #[test]
    fn on_off_round_trip_writes_a_valid_entry() {
        let dir = tempfile::tempdir().unwrap();
        let a = Autostart {
            entry: dir.path().join("autostart/dockpass.desktop"),
        };
        assert!(!a.enabled(), "off by default");
        assert!(a
            .set(true, Path::new("/opt/Dock pass/dockpass-app"))
            .unwrap());
        let text = std::fs::read_to_string(&a.entry).unwrap();
        assert!(text.starts_with("[Desktop Entry]\n"));
        assert!(
            text.contains("\nExec=\"/opt/Dock pass/dockpass-app\" --tray\n"),
            "{text}"
        );
        assert!(!a.set(false, Path::new("/usr/bin/dockpass-app")).unwrap());
        assert!(!a.entry.exists());
        a.disable().unwrap(); // off again is fine
    }

    #[test]
    fn an_entry_switched_off_by_the_desktop_counts_as_off() {
        let dir = tempfile::tempdir().unwrap();
        let a = Autostart {
            entry: dir.path().join("dockpass.desktop"),
        };
        a.enable(Path::new("/usr/bin/dockpass-app")).unwrap();
        let text = std::fs::read_to_string(&a.entry).unwrap();
        std::fs::write(&a.entry, text.replace("enabled=true", "enabled=false")).unwrap();
        assert!(!a.enabled());
    }

    #[test]
    fn relative_app_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = Autostart {
            entry: dir.path().join("dockpass.desktop"),
        };
        assert_eq!(
            a.enable(Path::new("dockpass-app")).unwrap_err().code,
            Code::Usage
        );
        assert!(!a.entry.exists());
    }

    #[test]
    fn exec_quoting_follows_the_spec() {
        assert_eq!(exec_quote("/usr/bin/dockpass-app"), "/usr/bin/dockpass-app");
        assert_eq!(exec_quote("/a b/$x\"%"), "\"/a b/\\$x\\\"%%\"");
    }

    #[test]
    fn the_app_is_found_beside_the_cli() {
        assert_eq!(
            app_beside(Path::new("/usr/bin/dockpass")),
            Path::new("/usr/bin/dockpass-app")
        );
        assert_eq!(
            app_beside(Path::new("/opt/dockpass-app")),
            Path::new("/opt/dockpass-app")
        );
    }
}
