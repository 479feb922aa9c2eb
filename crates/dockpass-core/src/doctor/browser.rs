//! `browser-host`: whether the profiles that sign in through the browser extension
//! (`login = "browser"`) can: the host starts and answers, the browsers found here have its
//! manifest, and the extension has answered.

use super::Check;
use crate::config::{Config, LoginMode};
use crate::platform::browsers::{self, Family};
use dockpass_helper::signin::Outcome;

pub(super) fn check(config: &Config) -> Check {
    const ID: &str = "browser-host";
    let users: Vec<&str> = config
        .profiles
        .iter()
        .filter(|p| p.login == LoginMode::Browser)
        .map(|p| p.name.as_str())
        .collect();
    if users.is_empty() {
        return Check::info(
            ID,
            "no profile signs in through the browser extension (login = \"browser\")",
        );
    }
    let who = format!("profile {}", users.join(", "));
    let host = match browsers::host_binary() {
        Ok(h) => h,
        Err(e) => return Check::error(ID, format!("{who}: {}", e.message), "reinstall Dockpass"),
    };
    match browsers::ping_host(&host) {
        Ok(Outcome::Pong { .. }) => {}
        Ok(other) => return Check::error(
            ID,
            format!("{} answered: {}", host.display(), other.message()),
            "reinstall Dockpass so that dockpass and dockpass-browser-host are the same version",
        ),
        Err(why) => return Check::error(ID, why, "reinstall Dockpass"),
    }
    let status = match browsers::status() {
        Ok(s) => s,
        Err(e) => return Check::error(ID, e.message, "set HOME to your home folder"),
    };
    let found: Vec<_> = status.iter().filter(|s| s.found).collect();
    if found.is_empty() {
        return Check::warn(
            ID,
            format!("{who} signs in through the browser, but no Chromium, Chrome, Edge, Brave or Firefox was found"),
            "install a browser, then run dockpass browser install",
        );
    }
    let broken: Vec<String> = found
        .iter()
        .filter_map(|s| s.problem.as_ref().map(|p| format!("{}: {p}", s.browser)))
        .collect();
    if broken.len() == found.len() {
        return Check::error(
            ID,
            format!("no browser can reach Dockpass ({})", broken.join("; ")),
            "run dockpass browser install",
        );
    }
    let seen = [Family::Chromium, Family::Firefox].into_iter().any(|f| {
        browsers::seen::last(match f {
            Family::Chromium => "chromium",
            Family::Firefox => "firefox",
        })
        .is_some()
    });
    let ready: Vec<&str> = found
        .iter()
        .filter(|s| s.problem.is_none())
        .map(|s| s.browser)
        .collect();
    match (broken.is_empty(), seen) {
        (_, false) => Check::warn(
            ID,
            format!(
                "the host answers and {} can reach it, but the extension has not answered yet",
                ready.join(", ")
            ),
            "load the extension (dockpass browser extension-path) and restart the browser",
        ),
        (true, true) => Check::ok(
            ID,
            format!(
                "the host answers; {} can reach it and the extension has answered",
                ready.join(", ")
            ),
        ),
        (false, true) => Check::warn(
            ID,
            format!(
                "{} can reach Dockpass; {}",
                ready.join(", "),
                broken.join("; ")
            ),
            "run dockpass browser install",
        ),
    }
}
