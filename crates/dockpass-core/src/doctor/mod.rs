//! `dockpass doctor`: checks the set-up around Dockpass and says, for each problem, what is
//! wrong and how to fix it. Every check reads only: nothing is written, no secret is read.
//! The check ids are stable: docs/troubleshooting.md has a section per id.
//!
//! - `local`: the config file, the state file, the keychain, the notification server and the
//!   credential helper on PATH;
//! - `browser`: the browser extension's host, its manifests and whether the extension answered;
//! - `docker`: docker's config, `credsStore` and `credHelpers`;
//! - `containers`: the containers' auth file, and entries that hide Dockpass's from podman;
//! - `endpoints`: whether the IdP, STS and ECR endpoints of each profile can be reached.

mod browser;
mod containers;
mod docker;
mod endpoints;
mod local;
mod sessions;

use crate::config::Config;
use crate::session::state::State;
use serde::Serialize;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

/// How bad a finding is. `Error` makes `dockpass doctor` exit 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    /// Nothing to fix; worth knowing.
    Info,
    /// Dockpass works, with less (no keychain, no notifications, a stale entry).
    Warn,
    /// Something will fail.
    Error,
}

/// One finding: `summary` says what was found, `fix` what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    pub id: &'static str,
    pub level: Level,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(id: &'static str, summary: impl Into<String>) -> Check {
        Check {
            id,
            level: Level::Ok,
            summary: summary.into(),
            fix: None,
        }
    }

    pub fn info(id: &'static str, summary: impl Into<String>) -> Check {
        Check {
            level: Level::Info,
            ..Check::ok(id, summary)
        }
    }

    pub fn warn(id: &'static str, summary: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            id,
            level: Level::Warn,
            summary: summary.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn error(id: &'static str, summary: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            level: Level::Error,
            ..Check::warn(id, summary, fix)
        }
    }
}

/// Where to look. `from_env` gives the standard places; tests give their own.
#[derive(Clone, Debug)]
pub struct Setup {
    pub config_file: PathBuf,
    pub state_file: PathBuf,
    pub docker_config: PathBuf,
    /// The containers' auth file (`None`: it cannot be located).
    pub containers_auth: Option<PathBuf>,
    /// The files podman, buildah and skopeo read credentials from, in their order.
    pub containers_lookup: Vec<PathBuf>,
    /// Where helper programs are looked for (normally `$PATH`).
    pub search_path: Option<OsString>,
    /// The helper socket's folder (`$XDG_RUNTIME_DIR/dockpass`).
    pub runtime_dir: Option<PathBuf>,
    /// Only this profile's endpoints (else every profile's).
    pub profile: Option<String>,
    /// Skip the reachability checks (`--offline`).
    pub offline: bool,
    /// Per endpoint and for the notification server.
    pub timeout: Duration,
}

impl Setup {
    pub fn from_env(profile: Option<&str>, offline: bool) -> crate::Result<Setup> {
        let docker_config = crate::docker::config_path()?;
        Ok(Setup {
            config_file: crate::base::paths::config_file()?,
            state_file: crate::base::paths::state_dir()?.join("state.json"),
            containers_auth: crate::docker::containers::auth_path(),
            containers_lookup: crate::docker::containers::lookup_paths(&docker_config),
            docker_config,
            search_path: std::env::var_os("PATH"),
            runtime_dir: dockpass_helper::runtime_dir(),
            profile: profile.map(str::to_string),
            offline,
            timeout: Duration::from_secs(3),
        })
    }
}

/// Every finding, in a fixed order.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    /// The worst level found.
    pub fn worst(&self) -> Level {
        self.checks
            .iter()
            .map(|c| c.level)
            .max()
            .unwrap_or(Level::Ok)
    }
}

/// Runs every check. Never fails: a check that cannot run is itself a finding.
pub async fn run(setup: &Setup) -> Report {
    let mut checks = Vec::new();
    let config = local::config(setup, &mut checks);
    let state = local::state(setup, &mut checks);
    let config = config.unwrap_or_else(|| Config {
        path: setup.config_file.clone(),
        profiles: vec![],
    });
    let state = state.unwrap_or_default();
    docker::checks(setup, &config, &state, &mut checks);
    containers::checks(setup, &config, &state, &mut checks);
    local::helper_path(setup, &config, &mut checks);
    local::helper_socket(setup, &config, &mut checks);
    checks.push(browser::check(&config));
    let slow = {
        let t = setup.timeout;
        let helper_mode = local::helper_profiles(&config);
        tokio::task::spawn_blocking(move || {
            (local::keychain(&helper_mode), local::notifications(t))
        })
    };
    let reach = async {
        if setup.offline {
            ["endpoint-idp", "endpoint-sts", "endpoint-ecr"]
                .into_iter()
                .map(|id| Check::info(id, "not checked (--offline)"))
                .collect()
        } else {
            endpoints::checks(setup, &config, &state).await
        }
    };
    let sessions = sessions::checks(setup, &config);
    let (slow, reach, sessions) = tokio::join!(slow, reach, sessions);
    match slow {
        Ok((k, n)) => checks.extend([k, n]),
        Err(e) => checks.push(Check::error(
            "keychain",
            format!("the keychain check did not finish: {e}"),
            "run `dockpass doctor` again; report the problem if it stays",
        )),
    }
    checks.extend(sessions);
    checks.extend(reach);
    Report { checks }
}

/// Every host Dockpass wrote or would write for `config`'s profiles (aliases included).
fn our_hosts(config: &Config, state: &State) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::new();
    for p in &config.profiles {
        let ps = state.profiles.get(&p.name);
        let session = ps.and_then(|s| s.session.as_ref());
        if let Some(s) = session {
            hosts.extend(s.written.iter().map(|w| w.host.clone()));
        }
        let account = session.map(|s| s.account.as_str()).unwrap_or("");
        for t in crate::session::targets(p, account) {
            let host = t.registry.host();
            if !host.starts_with('.') {
                hosts.push(host); // not without an account: no session, no account in the spec
            }
            hosts.extend(t.aliases);
        }
    }
    hosts.sort();
    hosts.dedup();
    hosts
}

#[cfg(test)]
mod tests;
