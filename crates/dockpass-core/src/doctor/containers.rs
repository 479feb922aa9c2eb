//! The containers' auth file: Dockpass can write it (when a profile's tokens go there), and no
//! entry that podman, buildah or skopeo read first hides Dockpass's for one of its hosts.

use super::{Check, Setup};
use crate::config::{AuthTarget, Config, Profile};
use crate::docker::containers::{self, Found};
use crate::docker::{AuthFile, Inspection, Via, Written};
use crate::session::state::{SessionInfo, State};
use std::path::Path;

const ID: &str = "containers-auth";

pub(super) fn checks(setup: &Setup, config: &Config, state: &State, out: &mut Vec<Check>) {
    let Some(path) = setup.containers_auth.as_deref() else {
        if config
            .profiles
            .iter()
            .any(|p| p.targets.contains(&AuthTarget::Containers))
        {
            out.push(Check::error(
                ID,
                "a profile's targets name \"containers\", but the containers' auth file cannot be located (no XDG_RUNTIME_DIR, REGISTRY_AUTH_FILE or user id)",
                "set REGISTRY_AUTH_FILE to the file podman should use, or remove \"containers\" from the targets",
            ));
        }
        return;
    };
    let tools_here = containers::in_use_with(path, setup.search_path.as_deref());
    let targets_it = |p: &Profile| {
        p.targets.contains(&AuthTarget::Containers) || (p.targets.is_empty() && tools_here)
    };
    if !tools_here && !config.profiles.iter().any(targets_it) {
        out.push(Check::info(
            ID,
            "podman, buildah and skopeo are not installed; Dockpass writes docker's config only",
        ));
        return;
    }
    if let Err(e) = Inspection::load(&AuthFile::containers(path), setup.search_path.clone()) {
        out.push(Check::error(
            ID,
            e.message,
            "fix or move the file as the message says; podman cannot read it either",
        ));
        return;
    }
    let files = containers::AuthFiles::read(&setup.containers_lookup);
    let mut problems: Vec<String> = Vec::new();
    let mut fixes: Vec<String> = Vec::new();
    let mut hosts_ok = 0;
    for p in &config.profiles {
        let Some(session) = state.profiles.get(&p.name).and_then(|s| s.session.as_ref()) else {
            continue;
        };
        let hosts = session
            .registries
            .iter()
            .flat_map(|r| std::iter::once(&r.host).chain(&r.aliases));
        for host in hosts {
            let found = files.lookup(host);
            if is_ours(&found, host, session, setup) {
                hosts_ok += 1;
            } else if let Found::Entry { file, .. } | Found::Helper { file, .. } = &found {
                problems.push(format!(
                    "{} has an entry for {host} that podman, buildah and skopeo use instead of Dockpass's (profile {})",
                    file.display(),
                    p.name
                ));
                fixes.push(shadow_fix(file, host, p, targets_it(p), path));
            } else {
                problems.push(format!(
                    "podman, buildah and skopeo find no credentials for {host} (profile {}): {}",
                    p.name,
                    if targets_it(p) {
                        "the sign-in's entry is gone"
                    } else {
                        "they do not read docker's credsStore"
                    }
                ));
                fixes.push(if targets_it(p) {
                    format!("run `dockpass refresh --profile {}`", p.name)
                } else {
                    format!("add targets = [\"docker\", \"containers\"] to profile {} and sign in again", p.name)
                });
            }
            for (file, key) in files.scoped_keys(host) {
                problems.push(format!(
                    "{} has an entry for {key}, which podman, buildah and skopeo use for the images under it instead of Dockpass's",
                    file.display()
                ));
                fixes.push(format!(
                    "remove it if it is stale: podman logout --authfile {} {key}",
                    file.display()
                ));
            }
        }
    }
    if problems.is_empty() {
        out.push(Check::ok(
            ID,
            format!(
                "{} can be written; podman, buildah and skopeo use Dockpass's credentials for {hosts_ok} host{}",
                path.display(),
                if hosts_ok == 1 { "" } else { "s" }
            ),
        ));
    } else {
        fixes.dedup();
        out.push(Check::warn(ID, problems.join("; "), fixes.join("; ")));
    }
}

/// Whether `found` is what this session wrote for `host` (in docker's config or the
/// containers' auth file), or Dockpass's helper.
fn is_ours(found: &Found, host: &str, session: &SessionInfo, setup: &Setup) -> bool {
    let written_in = |file: &Path| -> Vec<&Written> {
        let mut out: Vec<&Written> = Vec::new();
        if file == setup.docker_config && file == session.docker_config {
            out.extend(&session.written);
        }
        if let Some(c) = session.containers.as_ref().filter(|c| c.path == file) {
            out.extend(&c.written);
        }
        out.retain(|w| w.host == host);
        out
    };
    match found {
        Found::Entry {
            file,
            key,
            fingerprint,
        } => {
            key == host
                && written_in(file)
                    .iter()
                    .any(|w| w.via == Via::Auths && &w.fingerprint == fingerprint)
        }
        Found::Helper { file, name } => {
            name == "dockpass"
                || written_in(file).iter().any(|w| {
                    matches!(&w.via, Via::Helper { name: n } | Via::CredHelper { name: n } if n == name)
                })
        }
        Found::Nothing => false,
    }
}

/// What to do about another entry for `host` in `file`.
fn shadow_fix(file: &Path, host: &str, p: &Profile, targeted: bool, auth: &Path) -> String {
    let logout = format!("podman logout --authfile {} {host}", file.display());
    if targeted && file == auth {
        format!(
            "run `dockpass refresh --profile {}` to replace it, or remove it: {logout}",
            p.name
        )
    } else if targeted {
        format!("remove it: {logout}")
    } else {
        format!(
            "remove it ({logout}), or add targets = [\"docker\", \"containers\"] to profile {} so that Dockpass's entry comes first",
            p.name
        )
    }
}
