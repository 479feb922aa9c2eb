//! Writing the tokens into the auth files the profile targets (docker's config, the containers'
//! auth file), each the profile's way, and taking back what an earlier session wrote that this
//! one does not write again. All or nothing: when one file fails, what this publish wrote in the
//! others is taken back, so the state never misses an entry that is on disk.

use super::context::Context;
use super::state::SessionInfo;
use super::targets::Target;
use crate::aws::ecr::EcrToken;
use crate::config::{AuthTarget, DockerMode, Profile};
use crate::docker::{self, AuthFile, Flavor, Written, WrittenFile};
use crate::{err, Code, Result};

/// What a publish wrote, per file.
#[derive(Clone, Debug, Default)]
pub(super) struct Published {
    /// In docker's config (`ctx.docker_config`).
    pub docker: Vec<Written>,
    /// In the containers' auth file, when the profile targets it.
    pub containers: Option<WrittenFile>,
}

/// The auth files a profile's tokens go to: `targets`, else docker's config plus the
/// containers' auth file when podman, buildah or skopeo are in use.
pub fn auth_files(ctx: &Context, profile: &Profile) -> Result<Vec<AuthFile>> {
    let auto = profile.targets.is_empty();
    let mut out = Vec::new();
    if auto || profile.targets.contains(&AuthTarget::Docker) {
        out.push(AuthFile::docker(&ctx.docker_config));
    }
    let wanted = profile.targets.contains(&AuthTarget::Containers);
    match &ctx.containers_auth {
        Some(p) if wanted || (auto && docker::containers::in_use(p)) => {
            out.push(AuthFile::containers(p));
        }
        None if wanted => {
            return Err(err(
                Code::DockerConfig,
                format!(
                    "profile {}: cannot locate the containers' auth file; set REGISTRY_AUTH_FILE (or XDG_RUNTIME_DIR), or remove \"containers\" from its targets",
                    profile.name
                ),
            ))
        }
        _ => {}
    }
    Ok(out)
}

/// Writes the tokens to every auth file of the profile; returns what was written (for logout).
pub(super) fn publish(
    ctx: &Context,
    profile: &Profile,
    targets: &[Target],
    tokens: &[EcrToken],
    previous: Option<&SessionInfo>,
) -> Result<Published> {
    let mut creds = Vec::new();
    for (t, tok) in targets.iter().zip(tokens) {
        for host in std::iter::once(t.registry.host()).chain(t.aliases.iter().cloned()) {
            creds.push(docker::Credential {
                host,
                username: tok.username.clone(),
                secret: tok.password.clone(),
            });
        }
    }
    let files = auth_files(ctx, profile)?;
    let before = |flavor: Flavor| -> Option<(AuthFile, &[Written])> {
        let p = previous?;
        match flavor {
            Flavor::Docker => Some((AuthFile::docker(&p.docker_config), &p.written[..])),
            Flavor::Containers => p
                .containers
                .as_ref()
                .map(|c| (AuthFile::containers(&c.path), &c.written[..])),
        }
    };
    let mut out = Published::default();
    let mut done: Vec<(AuthFile, Vec<Written>)> = Vec::new();
    // The containers' file first: the newer target is likelier to meet a problem, and then
    // docker's config was not touched yet.
    for flavor in [Flavor::Containers, Flavor::Docker] {
        let now = files.iter().find(|f| f.flavor == flavor);
        match publish_file(now, before(flavor), profile.docker, &creds) {
            Ok(written) => {
                if let Some(file) = now {
                    done.push((file.clone(), written.clone()));
                }
                match flavor {
                    Flavor::Docker => out.docker = written,
                    Flavor::Containers => {
                        out.containers = now.map(|f| WrittenFile {
                            path: f.path.clone(),
                            written,
                        })
                    }
                }
            }
            Err(e) => {
                for (file, written) in &done {
                    if let Err(undo) = docker::remove(file, written) {
                        tracing::warn!(file = %file.path.display(), "could not take back what this sign-in wrote: {}", undo.message);
                    }
                }
                return Err(e);
            }
        }
    }
    Ok(out)
}

/// One file: first the previous session's entries that this publish will not overwrite the
/// same way (hosts no longer published, helper-mode entries when the mode changed, since a
/// `credHelpers[HOST] = "dockpass"` left behind would capture the config-mode write, and all of
/// them when the file is no longer targeted or moved), then the new ones.
fn publish_file(
    now: Option<&AuthFile>,
    previous: Option<(AuthFile, &[Written])>,
    mode: DockerMode,
    creds: &[docker::Credential],
) -> Result<Vec<Written>> {
    let helper_mode = mode == DockerMode::Helper;
    let mut created_auths = false;
    if let Some((prev_file, prev)) = previous {
        let same_file = now.is_some_and(|f| f.path == prev_file.path);
        created_auths = same_file && prev.iter().any(|w| w.created_auths);
        let stale: Vec<Written> = prev
            .iter()
            .filter(|w| {
                let same_mode = matches!(w.via, docker::Via::CredHelper { .. }) == helper_mode;
                !same_file || !creds.iter().any(|c| c.host == w.host) || !same_mode
            })
            .cloned()
            .collect();
        if !stale.is_empty() {
            docker::remove(&prev_file, &stale)?;
        }
    }
    let Some(file) = now else {
        return Ok(Vec::new());
    };
    let mut written = match mode {
        DockerMode::Config => docker::publish(file, creds)?,
        DockerMode::Helper => {
            let hosts: Vec<String> = creds.iter().map(|c| c.host.clone()).collect();
            docker::set_cred_helpers(file, &hosts, "dockpass")?
        }
    };
    // An `auths` object the first publish created stays ours to drop at logout.
    if created_auths {
        for w in &mut written {
            w.created_auths = !matches!(w.via, docker::Via::CredHelper { .. });
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::clock::SystemClock;
    use crate::registry::EcrRegistry;
    use crate::session::secrets::MemoryStore;
    use crate::session::state::StateFile;
    use crate::SecretString;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    const HOST: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    struct Bed {
        _dir: tempfile::TempDir,
        ctx: Context,
        docker: PathBuf,
        containers: PathBuf,
    }

    fn bed(extra: &str) -> Bed {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("[[profile]]\nname = \"corp\"\nidp_url = \"https://idp.example/aws\"\nregion = \"us-east-1\"\n{extra}");
        let config = crate::config::Config::parse(&text, &dir.path().join("config.toml")).unwrap();
        let docker = dir.path().join("docker/config.json");
        let containers = dir.path().join("run/containers/auth.json");
        let mut ctx = Context::new(
            config,
            StateFile::at(dir.path().join("state.json")),
            Arc::new(SystemClock),
            docker.clone(),
            Box::new(MemoryStore::default()),
        );
        ctx.containers_auth = Some(containers.clone());
        Bed {
            _dir: dir,
            ctx,
            docker,
            containers,
        }
    }

    fn target() -> Vec<Target> {
        vec![Target {
            registry: EcrRegistry::new("123456789012", "us-east-1"),
            aliases: vec![],
            via: None,
        }]
    }

    fn token(secret: &str) -> Vec<EcrToken> {
        vec![EcrToken {
            registry: EcrRegistry::new("123456789012", "us-east-1"),
            username: "AWS".into(),
            password: SecretString::new(secret),
            expires_at: time::OffsetDateTime::now_utc(),
        }]
    }

    fn hosts(p: &Path) -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        v["auths"]
            .as_object()
            .map(|a| a.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn session(b: &Bed, p: &Published) -> SessionInfo {
        let now = time::OffsetDateTime::now_utc();
        SessionInfo {
            role_arn: "arn:aws:iam::123456789012:role/Dev".into(),
            account: "123456789012".into(),
            started_at: now,
            expires_at: now,
            registries: vec![],
            docker_config: b.docker.clone(),
            written: p.docker.clone(),
            containers: p.containers.clone(),
            secrets: "memory".into(),
            chain: vec![],
            account_name: None,
        }
    }

    #[test]
    fn both_files_get_the_token_and_leaving_a_target_takes_its_entries_back() {
        let b = bed("targets = [\"docker\", \"containers\"]\n");
        let profile = b.ctx.profile(None).unwrap().clone();
        let p = publish(&b.ctx, &profile, &target(), &token("one"), None).unwrap();
        assert_eq!(hosts(&b.docker), vec![HOST]);
        assert_eq!(hosts(&b.containers), vec![HOST]);
        let c = p.containers.clone().unwrap();
        assert_eq!(c.path, b.containers);
        assert_eq!(c.written[0].fingerprint, docker::fingerprint("AWS", "one"));

        // The profile now names docker only: the containers' entry goes at the next publish.
        let docker_only = Profile {
            targets: vec![AuthTarget::Docker],
            ..profile.clone()
        };
        let prev = session(&b, &p);
        let p2 = publish(&b.ctx, &docker_only, &target(), &token("two"), Some(&prev)).unwrap();
        assert!(p2.containers.is_none());
        assert_eq!(hosts(&b.docker), vec![HOST]);
        assert!(
            hosts(&b.containers).is_empty(),
            "the containers' entry is taken back"
        );
    }

    #[test]
    fn automatic_targets_follow_the_containers_file() {
        let b = bed("");
        let profile = b.ctx.profile(None).unwrap().clone();
        std::fs::create_dir_all(b.containers.parent().unwrap()).unwrap();
        std::fs::write(&b.containers, "{}").unwrap();
        let files = auth_files(&b.ctx, &profile).unwrap();
        assert_eq!(
            files,
            vec![
                AuthFile::docker(&b.docker),
                AuthFile::containers(&b.containers)
            ]
        );
        let only = Profile {
            targets: vec![AuthTarget::Containers],
            ..profile.clone()
        };
        assert_eq!(
            auth_files(&b.ctx, &only).unwrap(),
            vec![AuthFile::containers(&b.containers)]
        );
        let mut nowhere = b.ctx.clone();
        nowhere.containers_auth = None;
        let e = auth_files(&nowhere, &only).unwrap_err();
        assert!(e.message.contains("REGISTRY_AUTH_FILE"), "{}", e.message);
        assert_eq!(
            auth_files(&nowhere, &profile).unwrap(),
            vec![AuthFile::docker(&b.docker)]
        );
    }

    #[test]
    fn a_file_that_fails_leaves_the_other_as_it_was() {
        let b = bed("targets = [\"docker\", \"containers\"]\n");
        let profile = b.ctx.profile(None).unwrap().clone();
        // The containers' file is broken: docker's config is not touched.
        std::fs::create_dir_all(b.containers.parent().unwrap()).unwrap();
        std::fs::write(&b.containers, "{\"auths\": [").unwrap();
        let e = publish(&b.ctx, &profile, &target(), &token("one"), None).unwrap_err();
        assert!(e.message.contains("auth.json"), "{}", e.message);
        assert!(!b.docker.exists());

        // docker's config is broken: what went into the containers' file is taken back.
        let before = r#"{"auths": {"other.example": {"auth": "eDp5"}}}"#;
        std::fs::write(&b.containers, before).unwrap();
        std::fs::create_dir_all(b.docker.parent().unwrap()).unwrap();
        std::fs::write(&b.docker, "[]").unwrap();
        let e = publish(&b.ctx, &profile, &target(), &token("one"), None).unwrap_err();
        assert!(e.message.contains("config.json"), "{}", e.message);
        assert_eq!(hosts(&b.containers), vec!["other.example"]);
        assert_eq!(std::fs::read_to_string(&b.docker).unwrap(), "[]");
    }
}
