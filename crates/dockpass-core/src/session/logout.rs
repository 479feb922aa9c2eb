//! Signing out: exactly what Dockpass wrote goes, while unchanged.

use super::context::Context;
use crate::config::Profile;
use crate::docker;
use crate::{err, Code, Result};
use serde::Serialize;

/// What a logout did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LogoutReport {
    pub profile: String,
    /// Hosts whose entries were removed (docker's config and the containers' auth file).
    pub removed: Vec<String>,
    /// Hosts whose entries were left alone because someone changed them since we wrote them.
    pub kept_changed: Vec<String>,
    /// Entries that could not be removed (a failing credential helper).
    #[serde(skip)]
    pub failed: Vec<docker::HostError>,
    pub was_logged_in: bool,
}

/// Removes exactly the docker entries we wrote (while unchanged), the secrets and the
/// session. The remembered role and role list stay.
pub fn logout(ctx: &Context, profile: &Profile) -> Result<LogoutReport> {
    let state = ctx.state.load()?;
    let mut report = LogoutReport {
        profile: profile.name.clone(),
        ..Default::default()
    };
    let session = state
        .profiles
        .get(&profile.name)
        .and_then(|p| p.session.clone());
    if let Some(s) = &session {
        report.was_logged_in = true;
        let containers = s
            .containers
            .iter()
            .map(|c| (docker::AuthFile::containers(&c.path), &c.written));
        let files = std::iter::once((docker::AuthFile::docker(&s.docker_config), &s.written))
            .chain(containers);
        for (file, written) in files.filter(|(_, w)| !w.is_empty()) {
            let r = docker::remove(&file, written)?;
            extend_unique(&mut report.removed, r.removed);
            extend_unique(&mut report.kept_changed, r.kept_changed);
            report.failed.extend(r.failed);
        }
    }
    if !report.failed.is_empty() {
        // Keep the session (and what we wrote) so a later logout can finish the job.
        let hosts: Vec<&str> = report.failed.iter().map(|f| f.host.as_str()).collect();
        let first = &report.failed[0].error.message;
        return Err(err(
            Code::DockerHelper,
            format!(
                "could not remove the docker credentials for {} ({first}); fix that and run logout again",
                hosts.join(", ")
            ),
        ));
    }
    ctx.secrets().delete(&profile.name)?;
    if state.profiles.contains_key(&profile.name) {
        ctx.state.update(|s| {
            if let Some(p) = s.profiles.get_mut(&profile.name) {
                p.session = None;
                p.last_error = None;
            }
        })?;
    }
    Ok(report)
}

/// A host written to both files is listed once.
fn extend_unique(list: &mut Vec<String>, more: Vec<String>) {
    for h in more {
        if !list.contains(&h) {
            list.push(h);
        }
    }
}
