//! Checks of docker's config: readable and writable by Dockpass, `credsStore` (Docker Desktop
//! sets `"desktop"` each time it starts) and `credHelpers`.

use super::{our_hosts, Check, Setup};
use crate::config::{Config, DockerMode};
use crate::docker::{AuthFile, Inspection, Source, Via};
use crate::session::state::State;

const PREFIX: &str = "docker-credential-";

pub(super) fn checks(setup: &Setup, config: &Config, state: &State, out: &mut Vec<Check>) {
    let path = &setup.docker_config;
    let docker = match Inspection::load(&AuthFile::docker(path), setup.search_path.clone()) {
        Ok(d) => d,
        Err(e) => {
            out.push(Check::error(
                "docker-config",
                e.message.clone(),
                "fix or move the file as the message says; Dockpass writes nothing until it can read it",
            ));
            return;
        }
    };
    out.push(folder_check(&docker));
    out.push(creds_store(&docker, config, state));
    out.push(cred_helpers(&docker, config, state));
}

/// A missing file is fine (the first write creates it), a folder Dockpass cannot write is not.
fn folder_check(docker: &Inspection) -> Check {
    let path = &docker.path;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let writable = dir.is_none_or(|d| !d.exists() || crate::base::os::can_write_in(d));
    if !writable {
        let d = dir.map(|d| d.display().to_string()).unwrap_or_default();
        return Check::error(
            "docker-config",
            format!("cannot write in {d}: Dockpass replaces {} atomically there", path.display()),
            format!("make {d} yours and writable (chmod u+w), or point DOCKER_CONFIG at a folder of yours"),
        );
    }
    if path.exists() {
        Check::ok(
            "docker-config",
            format!("{} is readable and Dockpass can update it", path.display()),
        )
    } else {
        Check::ok(
            "docker-config",
            format!(
                "{} does not exist yet; the first sign-in creates it",
                path.display()
            ),
        )
    }
}

fn creds_store(docker: &Inspection, config: &Config, state: &State) -> Check {
    let path = docker.path.display();
    let Some(name) = docker.creds_store.as_deref() else {
        return Check::ok(
            "creds-store",
            format!("no credsStore: tokens go into \"auths\" of {path}, as docker login puts them"),
        );
    };
    let Some(program) = docker.helper_program(name) else {
        return Check::error(
            "creds-store",
            format!("credsStore is \"{name}\" but {PREFIX}{name} is not on PATH: docker finds no login, and Dockpass cannot store tokens through it"),
            format!("install {PREFIX}{name} (Docker Desktop brings it), or remove \"credsStore\" from {path}, or set docker = \"helper\" in the profile"),
        );
    };
    // Tokens Dockpass put in `auths` before a credsStore appeared: docker no longer reads them.
    let mut hidden = Vec::new();
    for p in config
        .profiles
        .iter()
        .filter(|p| p.docker == DockerMode::Config)
    {
        let Some(session) = state.profiles.get(&p.name).and_then(|s| s.session.as_ref()) else {
            continue;
        };
        for w in session.written.iter().filter(|w| w.via == Via::Auths) {
            if matches!(
                docker.source(&w.host),
                Source::Helper {
                    from_store: true,
                    ..
                }
            ) && docker.has_auth(&w.host)
            {
                hidden.push(w.host.clone());
            }
        }
    }
    if hidden.is_empty() {
        Check::ok(
            "creds-store",
            format!("credsStore \"{name}\": docker keeps logins in {}, and Dockpass stores its tokens there too", program.display()),
        )
    } else {
        Check::error(
            "creds-store",
            format!(
                "credsStore \"{name}\" was set after Dockpass wrote {} to \"auths\" (Docker Desktop sets it when it starts): docker now asks {PREFIX}{name} and ignores them",
                hidden.join(", ")
            ),
            "run `dockpass refresh` (the tokens then go through the helper), or set docker = \"helper\" in the profile: credHelpers entries win over credsStore",
        )
    }
}

fn cred_helpers(docker: &Inspection, config: &Config, state: &State) -> Check {
    let path = docker.path.display();
    let ours = our_hosts(config, state);
    let mut problems: Vec<(String, String, bool)> = Vec::new(); // (summary, fix, is_error)
    for (host, name) in &docker.cred_helpers {
        if name == "dockpass" {
            if !ours.contains(host) {
                problems.push((
                    format!("credHelpers[\"{host}\"] names dockpass, but no profile has that registry: docker pulls from it will fail"),
                    format!("remove that entry from {path}, or add the registry to a profile"),
                    false,
                ));
            }
        } else if docker.helper_program(name).is_none() {
            problems.push((
                format!(
                    "credHelpers[\"{host}\"] names \"{name}\", but {PREFIX}{name} is not on PATH"
                ),
                format!("install {PREFIX}{name}, or remove that entry from {path}"),
                true,
            ));
        }
    }
    // Hosts of helper-mode sessions that docker would not send to Dockpass.
    for p in config
        .profiles
        .iter()
        .filter(|p| p.docker == DockerMode::Helper)
    {
        let Some(session) = state.profiles.get(&p.name).and_then(|s| s.session.as_ref()) else {
            continue;
        };
        for r in &session.registries {
            let routed = matches!(docker.source(&r.host), Source::Helper { ref name, from_store: false } if name == "dockpass");
            if !routed {
                problems.push((
                    format!("profile {} uses docker = \"helper\", but {path} does not send {} to dockpass", p.name, r.host),
                    "run `dockpass refresh` to write the credHelpers entry again".to_string(),
                    true,
                ));
            }
        }
    }
    if problems.is_empty() {
        let n = docker
            .cred_helpers
            .iter()
            .filter(|(_, n)| n == "dockpass")
            .count();
        let all = docker.cred_helpers.len();
        return Check::ok(
            "cred-helpers",
            format!(
                "credHelpers: {all} entr{}, {n} for dockpass, all usable",
                if all == 1 { "y" } else { "ies" }
            ),
        );
    }
    let summary = problems
        .iter()
        .map(|p| p.0.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let mut fixes: Vec<&str> = problems.iter().map(|p| p.1.as_str()).collect();
    fixes.dedup();
    if problems.iter().any(|p| p.2) {
        Check::error("cred-helpers", summary, fixes.join("; "))
    } else {
        Check::warn("cred-helpers", summary, fixes.join("; "))
    }
}
