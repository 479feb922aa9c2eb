//! Where Dockpass keeps its files, following the XDG base directory rules.

use crate::{err, Code, Result};
use std::env;
use std::path::PathBuf;

fn home() -> Result<PathBuf> {
    env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| err(Code::Config, "HOME is not set; set HOME or DOCKPASS_CONFIG"))
}

/// The user's home folder for files other tools keep there (`~/.aws`, the browsers' folders):
/// `$HOME`, else `%USERPROFILE%` (Windows).
pub fn user_home() -> Result<PathBuf> {
    env::var_os("HOME")
        .or_else(|| env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| err(Code::Io, "HOME is not set; set it to your home folder"))
}

fn xdg(var: &str, fallback: &[&str]) -> Result<PathBuf> {
    match env::var_os(var).filter(|v| !v.is_empty()) {
        Some(v) => Ok(PathBuf::from(v)),
        None => {
            let mut p = home()?;
            p.extend(fallback);
            Ok(p)
        }
    }
}

/// `$DOCKPASS_CONFIG`, else `$XDG_CONFIG_HOME/dockpass/config.toml`.
pub fn config_file() -> Result<PathBuf> {
    if let Some(p) = env::var_os("DOCKPASS_CONFIG").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    Ok(xdg("XDG_CONFIG_HOME", &[".config"])?.join("dockpass/config.toml"))
}

/// `$XDG_CONFIG_HOME` (the autostart folder is beneath it).
pub fn config_home() -> Result<PathBuf> {
    xdg("XDG_CONFIG_HOME", &[".config"])
}

/// `$XDG_STATE_HOME/dockpass`: non-secret state (state.json).
pub fn state_dir() -> Result<PathBuf> {
    Ok(xdg("XDG_STATE_HOME", &[".local", "state"])?.join("dockpass"))
}

/// `$XDG_DATA_HOME/dockpass`: per-profile webview data (IdP cookies).
pub fn data_dir() -> Result<PathBuf> {
    Ok(xdg("XDG_DATA_HOME", &[".local", "share"])?.join("dockpass"))
}

/// Where log files go: `$XDG_STATE_HOME/dockpass/logs` (the XDG spec puts logs in state) on
/// Linux, `~/Library/Logs/Dockpass` on macOS, `%LOCALAPPDATA%\Dockpass\logs` on Windows.
pub fn log_dir() -> Result<PathBuf> {
    #[cfg(target_os = "macos")]
    {
        Ok(home()?.join("Library/Logs/Dockpass"))
    }
    #[cfg(windows)]
    {
        env::var_os("LOCALAPPDATA")
            .filter(|v| !v.is_empty())
            .map(|v| PathBuf::from(v).join("Dockpass").join("logs"))
            .ok_or_else(|| err(Code::Config, "LOCALAPPDATA is not set"))
    }
    #[cfg(not(any(target_os = "macos", windows)))]
    {
        Ok(state_dir()?.join("logs"))
    }
}

/// `$XDG_RUNTIME_DIR/dockpass` (the credential helper's socket), else the state directory:
/// both belong to the user alone. One rule, in the helper crate, for both ends of the socket.
pub fn runtime_dir() -> Result<PathBuf> {
    dockpass_helper::runtime_dir()
        .ok_or_else(|| err(Code::Config, "HOME is not set; set HOME or XDG_RUNTIME_DIR"))
}
