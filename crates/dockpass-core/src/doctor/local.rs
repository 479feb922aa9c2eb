//! Checks of this machine's own pieces: config, state, keychain, notifications, the helper.

use super::{Check, Setup};
use crate::config::{Config, DockerMode};
use crate::session::state::{State, StateFile};
use std::path::Path;
use std::time::Duration;

const HELPER: &str = "docker-credential-dockpass";

pub(super) fn config(setup: &Setup, out: &mut Vec<Check>) -> Option<Config> {
    let path = &setup.config_file;
    if !path.exists() {
        out.push(Check::warn(
            "config",
            format!("no config file at {}", path.display()),
            "open the Dockpass app for its short setup, or write the file by hand (README, \"Configuration\")",
        ));
        return None;
    }
    match Config::load_from(path) {
        Ok(c) if c.profiles.is_empty() => {
            out.push(Check::warn(
                "config",
                format!("{} has no [[profile]]", path.display()),
                "add a profile in the app's settings, or a [[profile]] table by hand",
            ));
            Some(c)
        }
        Ok(c) => {
            let names: Vec<&str> = c.profiles.iter().map(|p| p.name.as_str()).collect();
            out.push(Check::ok(
                "config",
                format!(
                    "{}: {} profile{} ({})",
                    path.display(),
                    names.len(),
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", ")
                ),
            ));
            Some(c)
        }
        Err(e) => {
            out.push(Check::error(
                "config",
                e.message.clone(),
                format!(
                    "correct {} (the message names the line), or fix it in the app's settings",
                    path.display()
                ),
            ));
            None
        }
    }
}

pub(super) fn state(setup: &Setup, out: &mut Vec<Check>) -> Option<State> {
    match StateFile::at(&setup.state_file).load() {
        Ok(s) => {
            let live = s.profiles.values().filter(|p| p.session.is_some()).count();
            out.push(Check::ok(
                "state",
                format!(
                    "{}: {live} profile{} with a session on record",
                    setup.state_file.display(),
                    if live == 1 { "" } else { "s" }
                ),
            ));
            Some(s)
        }
        Err(e) => {
            let fix = if e.message.contains("newer") {
                "upgrade Dockpass: a newer version wrote this file".to_string()
            } else {
                format!(
                    "move {} aside (Dockpass starts a new one; sign in again)",
                    setup.state_file.display()
                )
            };
            out.push(Check::error("state", e.message.clone(), fix));
            None
        }
    }
}

/// The profiles whose docker credentials come from docker-credential-dockpass.
pub(super) fn helper_profiles(config: &Config) -> Vec<String> {
    config
        .profiles
        .iter()
        .filter(|p| p.docker == DockerMode::Helper)
        .map(|p| p.name.clone())
        .collect()
}

/// `docker-credential-dockpass` must be on PATH where docker is told to call it.
pub(super) fn helper_path(setup: &Setup, config: &Config, out: &mut Vec<Check>) {
    let wanted_by = helper_profiles(config);
    let found = crate::base::os::find_program(setup.search_path.as_deref(), HELPER);
    let check = match (found, wanted_by.is_empty()) {
        (Some(path), _) => match version_of(&path) {
            Ok(v) => Check::ok("helper-path", format!("{}: {v}", path.display())),
            Err(why) => Check::error(
                "helper-path",
                format!("{} does not run: {why}", path.display()),
                "reinstall Dockpass (the package, or `cargo install --path crates/dockpass-helper`)",
            ),
        },
        (None, true) => Check::info(
            "helper-path",
            format!("{HELPER} is not on PATH (needed only for docker = \"helper\")"),
        ),
        (None, false) => Check::error(
            "helper-path",
            format!(
                "{HELPER} is not on PATH, but profile {} uses docker = \"helper\": docker cannot get its credentials",
                wanted_by.join(", ")
            ),
            format!("install Dockpass's package (it puts {HELPER} in /usr/bin), or add the folder holding {HELPER} to PATH for docker too"),
        ),
    };
    out.push(check);
}

/// `docker-credential-dockpass version`, bounded to 5 s.
fn version_of(path: &Path) -> Result<String, String> {
    use std::process::{Command, Stdio};
    let mut child = Command::new(path)
        .arg("version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| crate::error::describe_io(&e))?;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut text = String::new();
                if let Some(mut o) = child.stdout.take() {
                    use std::io::Read;
                    let _ = o.read_to_string(&mut text);
                }
                return if status.success() {
                    Ok(text.trim().to_string())
                } else {
                    Err(format!("`version` exited with {status}"))
                };
            }
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("`version` did not answer within 5 s".into());
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// The helper socket's folder: the helpers trust a server only in a folder that is the
/// user's alone (else they answer from the keychain), so a shared one must be said.
pub(super) fn helper_socket(setup: &Setup, config: &Config, out: &mut Vec<Check>) {
    let Some(dir) = &setup.runtime_dir else {
        out.push(Check::info(
            "helper-socket",
            "no runtime folder (neither XDG_RUNTIME_DIR nor HOME is set): helpers answer from the keychain",
        ));
        return;
    };
    let users: Vec<String> = config
        .profiles
        .iter()
        .filter(|p| p.docker == DockerMode::Helper || p.credential_process)
        .map(|p| p.name.clone())
        .collect();
    #[cfg(unix)]
    let found = match std::fs::symlink_metadata(dir) {
        Err(_) => Ok(false),
        Ok(_) => dockpass_helper::check_socket_dir(dir).map(|()| true),
    };
    #[cfg(not(unix))]
    let found: Result<bool, String> = Ok(false);
    let check = match found {
        Ok(false) => Check::info(
            "helper-socket",
            format!("{} does not exist yet: no app or daemon runs; helpers answer from the keychain", dir.display()),
        ),
        #[cfg(unix)]
        Ok(true) if dockpass_helper::connect_own_at(&dir.join("helper.sock")).is_some() => Check::ok(
            "helper-socket",
            format!("the app or `dockpass daemon` answers on {}", dir.join("helper.sock").display()),
        ),
        Ok(true) => Check::info(
            "helper-socket",
            format!("{} is yours and private; no app or daemon answers there now", dir.display()),
        ),
        Err(why) if users.is_empty() => Check::warn(
            "helper-socket",
            format!("{why}; the app and daemon cannot serve helpers there"),
            "make the folder your own with mode 700, or set XDG_RUNTIME_DIR to a private folder",
        ),
        Err(why) => Check::error(
            "helper-socket",
            format!(
                "{why}; helpers ignore any server there, so profile {} gets docker credentials only from the keychain",
                users.join(", ")
            ),
            "make the folder your own with mode 700 (or set XDG_RUNTIME_DIR to a private folder), then restart the app or daemon",
        ),
    };
    out.push(check);
}

pub(super) fn keychain(helper_profiles: &[String]) -> Check {
    match crate::session::secrets::Keychain::probe() {
        Ok(()) => Check::ok("keychain", "the keychain (Secret Service) answers and is unlocked"),
        Err(why) if !helper_profiles.is_empty() => Check::warn(
            "keychain",
            format!(
                "{why}: sessions are kept in memory only; profile {} uses docker = \"helper\", so docker finds credentials only while the app (or, for aws_profile profiles, `dockpass daemon`) that signed in runs, and never for `dockpass login`",
                helper_profiles.join(", ")
            ),
            "start and unlock a Secret Service keychain (GNOME Keyring, KDE Wallet 6, or KeePassXC with Secret Service on) in your desktop session, or use docker = \"config\"",
        ),
        Err(why) => Check::warn(
            "keychain",
            format!("{why}: sessions are kept in memory only and end with the app or daemon"),
            "start and unlock a Secret Service keychain (GNOME Keyring, KDE Wallet 6, or KeePassXC with Secret Service on) in your desktop session",
        ),
    }
}

pub(super) fn notifications(timeout: Duration) -> Check {
    match crate::platform::notify::server_info(timeout) {
        Ok(who) => Check::ok("notifications", format!("notification server: {who}")),
        Err(e) => Check::warn(
            "notifications",
            format!("{}: Dockpass cannot warn before a session ends", e.message),
            "run your desktop's notification service (or dunst, mako, xfce4-notifyd) in the session",
        ),
    }
}
