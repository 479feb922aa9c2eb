//! Publishing ECR credentials where docker (and every tool reading docker's config) finds them,
//! the way `docker login -u AWS -p TOKEN HOST` does, and removing exactly what we published.
//! The containers' tools (podman, buildah, skopeo) read an auth file of the same shape first,
//! which is written by the same rules (`Flavor::Containers`).
//!
//! - `config_file`: locate, read, check, edit and atomically write `config.json`;
//! - `cred_helper`: the client for `docker-credential-<name> store|get|erase`;
//! - `publish`: `publish`, `remove`, `set_cred_helpers` on top of both;
//! - `containers`: where the containers' auth file is, and what shadows an entry.
//!
//! Only this module's root is public; the API is deliberately small (docs/ARCHITECTURE.md, "Docker semantics").

mod config_file;
pub mod containers;
mod cred_helper;
mod inspect;
mod publish;

pub use inspect::{Inspection, Source};
pub use publish::{publish, remove, set_cred_helpers};

use crate::error::{err, Code, Result};
use crate::SecretString;
use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::path::PathBuf;

/// Which tools read an auth file, which decides a few of its rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavor {
    /// docker's `config.json`: `auths`, `credHelpers`, `credsStore`.
    Docker,
    /// The containers' `auth.json` (podman, buildah, skopeo, CRI-O): `auths` and `credHelpers`
    /// only; `podman login` writes no `{}` marker beside a helper's entry.
    Containers,
}

impl Flavor {
    /// The program named in "X cannot read it either".
    fn reader(self) -> &'static str {
        match self {
            Flavor::Docker => "docker",
            Flavor::Containers => "podman",
        }
    }

    /// "your own docker config", for messages.
    fn file_name(self) -> &'static str {
        match self {
            Flavor::Docker => "docker config",
            Flavor::Containers => "containers auth file",
        }
    }

    /// How to point the tools (and Dockpass) at a file of the user's own.
    fn relocate_hint(self) -> &'static str {
        match self {
            Flavor::Docker => "point DOCKER_CONFIG at your own folder",
            Flavor::Containers => "point REGISTRY_AUTH_FILE at a file of your own",
        }
    }
}

/// An auth file and the tools that read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthFile {
    pub path: PathBuf,
    pub flavor: Flavor,
}

impl AuthFile {
    pub fn docker(path: impl Into<PathBuf>) -> AuthFile {
        AuthFile {
            path: path.into(),
            flavor: Flavor::Docker,
        }
    }

    pub fn containers(path: impl Into<PathBuf>) -> AuthFile {
        AuthFile {
            path: path.into(),
            flavor: Flavor::Containers,
        }
    }
}

/// One credential to publish: `username` is "AWS" for ECR, `host` has no scheme
/// (`123456789012.dkr.ecr.us-east-1.amazonaws.com`, `127.0.0.1:5000`).
#[derive(Clone, Debug)]
pub struct Credential {
    pub host: String,
    pub username: String,
    pub secret: SecretString,
}

/// What Dockpass wrote for one host, enough for `remove` to take back exactly that, and
/// nothing secret (kept in the state file).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Written {
    pub host: String,
    pub via: Via,
    /// `fingerprint(username, secret)` of what was stored; empty for `Via::CredHelper`, which
    /// stores no credential.
    pub fingerprint: String,
    /// The config had no `auths` object before Dockpass wrote this entry: `remove` drops the
    /// object again once it is empty, so a logout gives the file back exactly.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub created_auths: bool,
}

/// What Dockpass wrote into one auth file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WrittenFile {
    pub path: PathBuf,
    #[serde(default)]
    pub written: Vec<Written>,
}

/// Where it went.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Via {
    /// `auths[host].auth` in config.json.
    Auths,
    /// Delegated to `docker-credential-<name>` (from `credHelpers[host]` or `credsStore`),
    /// plus docker's secret-less `auths[host] = {}` marker.
    Helper { name: String },
    /// `credHelpers[host] = name` (the `docker = "helper"` mode), written by `set_cred_helpers`.
    CredHelper { name: String },
}

/// The outcome of `remove`, host by host. The config file itself failing is an `Err`; a helper
/// failing for one host is reported here so the other hosts are still cleaned up (keep those
/// `Written` entries and retry later).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RemoveReport {
    /// Removed: they still held what we wrote.
    pub removed: Vec<String>,
    /// Left alone: changed since we wrote them (another login, the user, another tool).
    pub kept_changed: Vec<String>,
    /// Nothing of ours was there any more.
    pub absent: Vec<String>,
    /// Could not be checked or removed (helper missing or failing).
    pub failed: Vec<HostError>,
}

/// A per-host failure inside `remove`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HostError {
    pub host: String,
    pub error: crate::Error,
}

/// Hex of the first 16 bytes of SHA-256 over `username:secret`: lets `remove` check an entry
/// still holds what we wrote, without keeping the secret. 128 bits of a hash of a
/// high-entropy token reveal nothing usable.
pub fn fingerprint(username: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(username.as_bytes());
    h.update(b":");
    h.update(secret.as_bytes());
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Docker's own rule: `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
pub fn config_path() -> Result<PathBuf> {
    config_path_from(std::env::var_os("DOCKER_CONFIG"), std::env::var_os("HOME"))
}

fn config_path_from(docker_config: Option<OsString>, home: Option<OsString>) -> Result<PathBuf> {
    match (docker_config.filter(|v| !v.is_empty()), home.filter(|v| !v.is_empty())) {
        (Some(dir), _) => Ok(PathBuf::from(dir).join("config.json")),
        (None, Some(home)) => Ok(PathBuf::from(home).join(".docker").join("config.json")),
        (None, None) => Err(err(
            Code::DockerConfig,
            "cannot locate the docker config: neither DOCKER_CONFIG nor HOME is set; set one of them",
        )),
    }
}

/// "an object", "a string"... for messages about wrong JSON types.
fn describe_kind(v: &serde_json::Value) -> &'static str {
    use serde_json::Value as V;
    match v {
        V::Null => "null",
        V::Bool(_) => "a boolean",
        V::Number(_) => "a number",
        V::String(_) => "a string",
        V::Array(_) => "an array",
        V::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_short() {
        // From `printf AWS:secret | sha256sum | cut -c1-32`: the value must never change, or
        // logout after an upgrade would no longer recognise what an older version wrote.
        let f = fingerprint("AWS", "secret");
        assert_eq!(f, "d6ed15edaf8c7bf604ef2dab7d1f1f9e");
        assert_eq!(f, fingerprint("AWS", "secret"));
        assert_eq!(f, super::testutil::sha256_prefix(b"AWS:secret"));
        assert_ne!(f, fingerprint("AWS", "secret2"));
        assert_ne!(fingerprint("AW", "S:secret"), fingerprint("AWS", "Secret"));
    }

    #[test]
    fn config_path_follows_docker() {
        let p = |d: Option<&str>, h: Option<&str>| {
            config_path_from(d.map(Into::into), h.map(Into::into))
        };
        assert_eq!(
            p(Some("/c"), Some("/h")).unwrap(),
            PathBuf::from("/c/config.json")
        );
        assert_eq!(
            p(Some(""), Some("/h")).unwrap(),
            PathBuf::from("/h/.docker/config.json")
        );
        assert_eq!(
            p(None, Some("/h")).unwrap(),
            PathBuf::from("/h/.docker/config.json")
        );
        assert_eq!(p(None, None).unwrap_err().code, Code::DockerConfig);
    }

    #[test]
    fn written_serializes_compactly() {
        let w = Written {
            host: "h".into(),
            via: Via::Helper {
                name: "desktop".into(),
            },
            fingerprint: "ab".into(),
            created_auths: false,
        };
        let v = serde_json::to_value(&w).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"host": "h", "via": {"kind": "helper", "name": "desktop"}, "fingerprint": "ab"})
        );
        assert_eq!(serde_json::from_value::<Written>(v).unwrap(), w);
        let v = serde_json::to_value(Via::CredHelper {
            name: "dockpass".into(),
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"kind": "cred_helper", "name": "dockpass"})
        );
        assert_eq!(
            serde_json::to_value(Via::Auths).unwrap(),
            serde_json::json!({"kind": "auths"})
        );
    }
}

/// A stand-in credential helper for tests: a real `docker-credential-<name>` shell script in a
/// temp `bin/` folder, keeping what it is given as files in `state/`. It is found through an
/// explicit search path, never the process's PATH.
#[cfg(test)]
pub(super) mod testutil {
    use super::cred_helper::Runner;
    use sha2::{Digest, Sha256};
    use std::fs;
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    pub(super) fn sha256_prefix(bytes: &[u8]) -> String {
        Sha256::digest(bytes)[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub(super) struct FakeHelper {
        pub(super) dir: tempfile::TempDir,
    }

    impl FakeHelper {
        /// The full stand-in: store/get/erase kept in files, calls logged.
        pub(super) fn new(name: &str) -> Self {
            let dir = tempfile::tempdir().unwrap();
            let state = dir.path().join("state");
            fs::create_dir(&state).unwrap();
            let script = format!(
                r#"#!/bin/sh
state='{state}'
echo "$1" >> "$state/calls.log"
if [ -f "$state/fail" ]; then printf 'refused: '; cat; exit 1; fi
case "$1" in
store)
  input=$(cat)
  printf '%s\n' "$input" >> "$state/store.log"
  host=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p')
  printf '%s' "$input" > "$state/cred-$host"
  ;;
get)
  host=$(cat)
  if [ -f "$state/cred-$host" ]; then cat "$state/cred-$host"; else echo "credentials not found in native keychain"; exit 1; fi
  ;;
erase)
  host=$(cat)
  printf '%s\n' "$host" >> "$state/erase.log"
  if [ -f "$state/cred-$host" ]; then rm "$state/cred-$host"; else echo "credentials not found in native keychain"; exit 1; fi
  ;;
*) echo "unknown action $1" >&2; exit 1 ;;
esac
"#,
                state = state.display()
            );
            let h = FakeHelper { dir };
            h.install(name, &script);
            h
        }

        /// Any script, for odd behaviours.
        pub(super) fn with_script(name: &str, script: &str) -> Self {
            let h = FakeHelper {
                dir: tempfile::tempdir().unwrap(),
            };
            fs::create_dir(h.dir.path().join("state")).unwrap();
            h.install(name, script);
            h
        }

        fn install(&self, name: &str, script: &str) {
            let bin = self.bin();
            fs::create_dir_all(&bin).unwrap();
            let p = bin.join(format!("docker-credential-{name}"));
            fs::write(&p, script).unwrap();
            fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        }

        pub(super) fn bin(&self) -> PathBuf {
            self.dir.path().join("bin")
        }

        fn state(&self) -> PathBuf {
            self.dir.path().join("state")
        }

        /// Finds helpers in this stand-in's `bin/` only, with a short time limit.
        pub(super) fn runner(&self) -> Runner {
            Runner {
                search_path: Some(self.bin().into_os_string()),
                timeout: Duration::from_secs(20),
            }
        }

        /// From now on every call fails, echoing its stdin (to prove secrets get redacted).
        pub(super) fn fail_with_echo(&self) {
            fs::write(self.state().join("fail"), "").unwrap();
        }

        /// Puts credentials into the helper behind our back (another `docker login`).
        pub(super) fn set_cred(&self, host: &str, username: &str, secret: &str) {
            let v = serde_json::json!({"ServerURL": host, "Username": username, "Secret": secret});
            fs::write(self.state().join(format!("cred-{host}")), v.to_string()).unwrap();
        }

        pub(super) fn has_cred(&self, host: &str) -> bool {
            self.state().join(format!("cred-{host}")).exists()
        }

        pub(super) fn store_log(&self) -> Vec<serde_json::Value> {
            lines(&self.state().join("store.log"))
                .iter()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        }

        pub(super) fn erase_log(&self) -> Vec<String> {
            lines(&self.state().join("erase.log"))
        }

        pub(super) fn calls(&self) -> Vec<String> {
            lines(&self.state().join("calls.log"))
        }
    }

    fn lines(p: &Path) -> Vec<String> {
        fs::read_to_string(p)
            .map(|s| s.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }
}
