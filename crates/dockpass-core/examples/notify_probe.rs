//! Shows Dockpass notices through the real `DesktopNotifier`, for the end-to-end test
//! (tests/e2e/test_notify.py) and for trying a desktop by hand.
//!
//! ```text
//! notify_probe [--wait-action SECS] [--clear] NOTICE...
//!   NOTICE: expiring:PROFILE:MINUTES | expiring-browser:PROFILE:MINUTES | expired:PROFILE |
//!           failing:PROFILE:REASON
//! ```
//! Shows the notices in order with one notifier (a later notice of the same profile replaces the
//! earlier one), printing `shown: SUMMARY` for each, then `ready`. With `--wait-action` it waits
//! for a click and prints `action: login PROFILE` (exit 0) or `no action within SECS s`
//! (exit 3). `--clear` withdraws the profiles' notifications at the end. Errors: one line on
//! stderr, exit 1 (2 for usage).

use dockpass_core::platform::notify::{Action, DesktopNotifier, Notice, Notifier};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: notify_probe [--wait-action SECS] [--clear] NOTICE...\n  \
     NOTICE: expiring[-browser]:PROFILE:MINUTES | expired:PROFILE | failing:PROFILE:REASON";

fn parse_notice(s: &str) -> Option<Notice> {
    let mut parts = s.splitn(3, ':');
    let kind = parts.next()?;
    let profile = parts.next().filter(|p| !p.is_empty())?.to_string();
    let rest = parts.next();
    match (kind, rest) {
        ("expiring" | "expiring-browser", Some(m)) => Some(Notice::Expiring {
            profile,
            minutes: m.parse().ok()?,
            in_browser: kind == "expiring-browser",
        }),
        ("expired", None) => Some(Notice::Expired {
            profile,
            in_browser: false,
        }),
        ("failing", Some(reason)) => Some(Notice::RefreshFailing {
            profile,
            reason: reason.to_string(),
        }),
        _ => None,
    }
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn main() -> ExitCode {
    let mut wait_action: Option<u64> = None;
    let mut clear = false;
    let mut notices = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--wait-action" => match args.next().and_then(|v| v.parse().ok()) {
                Some(secs) => wait_action = Some(secs),
                None => {
                    eprintln!("notify_probe: --wait-action needs a number of seconds\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--clear" => clear = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => match parse_notice(other) {
                Some(n) => notices.push(n),
                None => {
                    eprintln!("notify_probe: not a notice: {other}\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
        }
    }
    if notices.is_empty() {
        eprintln!("notify_probe: no notice given\n{USAGE}");
        return ExitCode::from(2);
    }

    let (notifier, actions) = DesktopNotifier::with_channel();
    for notice in &notices {
        if let Err(e) = notifier.show(notice) {
            eprintln!("notify_probe: {e}");
            return ExitCode::from(1);
        }
        say(&format!("shown: {}", notice.summary()));
    }
    say("ready");

    let mut code = ExitCode::SUCCESS;
    if let Some(secs) = wait_action {
        match actions.recv_timeout(Duration::from_secs(secs)) {
            Ok(Action::LogIn { profile }) => say(&format!("action: login {profile}")),
            Err(_) => {
                say(&format!("no action within {secs} s"));
                code = ExitCode::from(3);
            }
        }
    }
    if clear {
        let mut profiles: Vec<&str> = notices.iter().map(|n| n.profile()).collect();
        profiles.sort_unstable();
        profiles.dedup();
        for p in profiles {
            notifier.clear(p);
        }
        if notifier.flush(Duration::from_secs(2)) {
            say("cleared");
        }
    }
    code
}
