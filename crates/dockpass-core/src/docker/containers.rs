//! The containers' auth file (containers-auth.json(5)): podman, buildah, skopeo and CRI-O read
//! it before docker's config, so a stale entry there hides Dockpass's. Here: where
//! `podman login` writes it, the order the tools read their files in, and which entry they
//! would use for a host (doctor's shadowing check). Never reads a helper's credential.

use serde_json::{Map, Value};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The tools whose presence makes the containers' file a default target.
pub const TOOLS: [&str; 3] = ["podman", "buildah", "skopeo"];

/// Where `podman login` writes: `$REGISTRY_AUTH_FILE`; else `$XDG_RUNTIME_DIR/containers/auth.json`;
/// else `/run/containers/UID/auth.json` on Linux. macOS and Windows keep it in
/// `~/.config/containers/auth.json`. `None`: no rule applies (no home folder).
pub fn auth_path() -> Option<PathBuf> {
    auth_path_from(&Env::process())
}

/// The files the tools read a host's credentials from, first match wins: the auth file alone
/// when `$REGISTRY_AUTH_FILE` names it (the user chose it), else the auth file,
/// `$XDG_CONFIG_HOME/containers/auth.json` and docker's config. (podman and buildah read only
/// `$DOCKER_CONFIG/config.json` when `DOCKER_CONFIG` is set and `REGISTRY_AUTH_FILE` is not;
/// docker's config has Dockpass's entry by default, and skopeo still reads this order.)
pub fn lookup_paths(docker_config: &Path) -> Vec<PathBuf> {
    lookup_paths_from(&Env::process(), docker_config)
}

/// Whether the containers' tools are in use here, which makes their file a default target: the
/// file exists, or one of the tools is on PATH and the file's runtime folder is there (podman
/// itself refuses a `$XDG_RUNTIME_DIR` that does not exist).
pub fn in_use(path: &Path) -> bool {
    in_use_with(path, std::env::var_os("PATH").as_deref())
}

/// As `in_use`, looking for the tools on `search_path` instead of `$PATH`.
pub fn in_use_with(path: &Path, search_path: Option<&std::ffi::OsStr>) -> bool {
    if path.exists() {
        return true;
    }
    let tools = TOOLS
        .iter()
        .any(|t| crate::base::os::find_program(search_path, t).is_some());
    tools && folder_can_exist(path)
}

/// The auth file's folder exists, or its parent does (`containers/` is created at the first
/// write, as podman does; the runtime folder itself is not ours to create).
fn folder_can_exist(path: &Path) -> bool {
    let folder = path.parent();
    folder.is_some_and(Path::is_dir) || folder.and_then(Path::parent).is_some_and(Path::is_dir)
}

/// What a tool reading the files in order would use for a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// `auths[key]` of `file`, with the fingerprint of its credentials.
    Entry {
        file: PathBuf,
        key: String,
        fingerprint: String,
    },
    /// `credHelpers[host]` of `file` names this helper.
    Helper { file: PathBuf, name: String },
    /// No file has credentials for the host.
    Nothing,
}

/// The files the tools read, in their order, each read once; a file that is missing or
/// unreadable counts as empty (the config checks report those).
pub struct AuthFiles(Vec<(PathBuf, Map<String, Value>)>);

impl AuthFiles {
    pub fn read(paths: &[PathBuf]) -> AuthFiles {
        AuthFiles(
            paths
                .iter()
                .filter_map(|p| Some((p.clone(), read(p)?)))
                .collect(),
        )
    }

    /// The entry the containers' tools use for `host`, like containers/image: per file
    /// `credHelpers[host]` first, then `auths[host]`, then a key that is the host as a URL
    /// (`https://HOST/v1/`). An entry without credentials (docker's `{}` marker beside a
    /// credsStore) is passed over, as the tools do.
    pub fn lookup(&self, host: &str) -> Found {
        for (file, root) in &self.0 {
            if let Some(name) = root
                .get("credHelpers")
                .and_then(|h| h.get(host))
                .and_then(Value::as_str)
            {
                return Found::Helper {
                    file: file.clone(),
                    name: name.to_string(),
                };
            }
            let Some(auths) = root.get("auths").and_then(Value::as_object) else {
                continue;
            };
            let key = auths
                .get_key_value(host)
                .map(|(k, _)| k)
                .or_else(|| auths.keys().find(|k| url_host(k) == Some(host)));
            if let Some(key) = key {
                if let Some(fingerprint) = auths.get(key).and_then(entry_fingerprint) {
                    return Found::Entry {
                        file: file.clone(),
                        key: key.clone(),
                        fingerprint,
                    };
                }
            }
        }
        Found::Nothing
    }

    /// Keys scoped to a namespace or repository of `host` (`HOST/team`, which the tools use
    /// for the images below it before the host's own entry), with their files.
    pub fn scoped_keys(&self, host: &str) -> Vec<(PathBuf, String)> {
        let prefix = format!("{host}/");
        let mut out = Vec::new();
        for (file, root) in &self.0 {
            if let Some(auths) = root.get("auths").and_then(Value::as_object) {
                for key in auths.keys().filter(|k| k.starts_with(&prefix)) {
                    out.push((file.clone(), key.clone()));
                }
            }
        }
        out
    }
}

/// The host of a key written as a URL (`https://HOST/v1/`), as the tools normalise it.
fn url_host(key: &str) -> Option<&str> {
    let rest = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))?;
    Some(rest.split('/').next().unwrap_or(rest))
}

/// The fingerprint of an entry's credentials; `None` when it holds none the tools would use.
/// An identity token (never Dockpass's) has an empty fingerprint.
fn entry_fingerprint(entry: &Value) -> Option<String> {
    let entry = entry.as_object()?;
    match super::publish::auth_fingerprint(entry) {
        Some(f) => Some(f),
        None => entry
            .get("identitytoken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(|_| String::new()),
    }
}

fn read(file: &Path) -> Option<Map<String, Value>> {
    let bytes =
        crate::base::fsutil::read_capped(file, super::config_file::MAX_CONFIG_BYTES).ok()??;
    serde_json::from_slice::<Value>(&bytes)
        .ok()?
        .as_object()
        .cloned()
}

/// The environment the rules read, explicit for tests.
struct Env {
    vars: Vec<(&'static str, Option<OsString>)>,
    uid: Option<u32>,
    linux: bool,
}

impl Env {
    fn process() -> Env {
        let names = [
            "REGISTRY_AUTH_FILE",
            "XDG_RUNTIME_DIR",
            "XDG_CONFIG_HOME",
            "HOME",
            "USERPROFILE",
        ];
        Env {
            vars: names.iter().map(|n| (*n, std::env::var_os(n))).collect(),
            uid: crate::base::os::effective_uid(),
            linux: cfg!(target_os = "linux"),
        }
    }

    fn var(&self, name: &str) -> Option<PathBuf> {
        self.vars
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }

    fn home(&self) -> Option<PathBuf> {
        self.var("HOME").or_else(|| self.var("USERPROFILE"))
    }
}

fn auth_path_from(env: &Env) -> Option<PathBuf> {
    if let Some(p) = env.var("REGISTRY_AUTH_FILE") {
        return Some(p);
    }
    if !env.linux {
        return Some(env.home()?.join(".config/containers/auth.json"));
    }
    match env.var("XDG_RUNTIME_DIR") {
        Some(dir) => Some(dir.join("containers/auth.json")),
        None => Some(PathBuf::from(format!(
            "/run/containers/{}/auth.json",
            env.uid?
        ))),
    }
}

fn lookup_paths_from(env: &Env, docker_config: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = auth_path_from(env).into_iter().collect();
    if env.var("REGISTRY_AUTH_FILE").is_some() {
        return out;
    }
    let config_home = env
        .var("XDG_CONFIG_HOME")
        .or_else(|| env.home().map(|h| h.join(".config")));
    if let Some(dir) = config_home {
        let p = dir.join("containers/auth.json");
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out.push(docker_config.to_path_buf());
    out
}

#[cfg(test)]
mod tests {
    use super::super::fingerprint;
    use super::*;
    use base64::Engine as _;

    fn env(vars: &[(&'static str, &str)], linux: bool) -> Env {
        Env {
            vars: vars
                .iter()
                .map(|(n, v)| (*n, Some(OsString::from(v))))
                .collect(),
            uid: Some(1000),
            linux,
        }
    }

    #[test]
    fn auth_path_follows_podman_login() {
        let p = |vars: &[(&'static str, &str)], linux| auth_path_from(&env(vars, linux));
        assert_eq!(
            p(
                &[("REGISTRY_AUTH_FILE", "/a.json"), ("XDG_RUNTIME_DIR", "/r")],
                true
            ),
            Some("/a.json".into())
        );
        assert_eq!(
            p(
                &[("XDG_RUNTIME_DIR", "/run/user/1000"), ("HOME", "/h")],
                true
            ),
            Some("/run/user/1000/containers/auth.json".into())
        );
        assert_eq!(
            p(&[("HOME", "/h")], true),
            Some("/run/containers/1000/auth.json".into())
        );
        assert_eq!(
            p(&[("XDG_RUNTIME_DIR", ""), ("HOME", "/h")], true),
            Some("/run/containers/1000/auth.json".into())
        );
        assert_eq!(
            p(&[("XDG_RUNTIME_DIR", "/r"), ("HOME", "/Users/me")], false),
            Some("/Users/me/.config/containers/auth.json".into())
        );
        assert_eq!(p(&[], false), None);
    }

    #[test]
    fn lookup_order_is_the_tools_order() {
        let docker = Path::new("/h/.docker/config.json");
        let e = env(&[("XDG_RUNTIME_DIR", "/r"), ("HOME", "/h")], true);
        assert_eq!(
            lookup_paths_from(&e, docker),
            vec![
                PathBuf::from("/r/containers/auth.json"),
                "/h/.config/containers/auth.json".into(),
                docker.into()
            ]
        );
        let e = env(
            &[
                ("XDG_RUNTIME_DIR", "/r"),
                ("XDG_CONFIG_HOME", "/c"),
                ("HOME", "/h"),
            ],
            true,
        );
        assert_eq!(
            lookup_paths_from(&e, docker)[1],
            PathBuf::from("/c/containers/auth.json")
        );
        let e = env(&[("REGISTRY_AUTH_FILE", "/a.json"), ("HOME", "/h")], true);
        assert_eq!(
            lookup_paths_from(&e, docker),
            vec![PathBuf::from("/a.json")]
        );
        // macOS: the auth file is the config-home one; it is read once.
        let e = env(&[("HOME", "/h")], false);
        assert_eq!(
            lookup_paths_from(&e, docker),
            vec![
                PathBuf::from("/h/.config/containers/auth.json"),
                docker.into()
            ]
        );
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn lookup_takes_the_first_file_with_credentials() {
        let d = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            d.path().join("a.json"),
            d.path().join("b.json"),
            d.path().join("c.json"),
        );
        let files = vec![a.clone(), b.clone(), c.clone()];
        let host = "127.0.0.1:5000";
        assert_eq!(AuthFiles::read(&files).lookup(host), Found::Nothing);

        // docker's `{}` marker holds nothing: passed over, like an unreadable file.
        std::fs::write(&a, "{not json").unwrap();
        std::fs::write(&b, format!(r#"{{"auths": {{"{host}": {{}}}}}}"#)).unwrap();
        std::fs::write(
            &c,
            format!(
                r#"{{"auths": {{"https://{host}/v1/": {{"auth": "{}"}}}}}}"#,
                b64("AWS:old")
            ),
        )
        .unwrap();
        assert_eq!(
            AuthFiles::read(&files).lookup(host),
            Found::Entry {
                file: c.clone(),
                key: format!("https://{host}/v1/"),
                fingerprint: fingerprint("AWS", "old")
            }
        );
        std::fs::write(
            &b,
            format!(
                r#"{{"auths": {{"{host}": {{"auth": "{}"}}, "{host}/team": {{"auth": "{}"}}}}}}"#,
                b64("AWS:new"),
                b64("u:p")
            ),
        )
        .unwrap();
        assert_eq!(
            AuthFiles::read(&files).lookup(host),
            Found::Entry {
                file: b.clone(),
                key: host.into(),
                fingerprint: fingerprint("AWS", "new")
            }
        );
        assert_eq!(
            AuthFiles::read(&files).scoped_keys(host),
            vec![(b.clone(), format!("{host}/team"))]
        );
        // A helper named for the host wins within its file.
        std::fs::write(
            &a,
            format!(r#"{{"credHelpers": {{"{host}": "dockpass"}}}}"#),
        )
        .unwrap();
        assert_eq!(
            AuthFiles::read(&files).lookup(host),
            Found::Helper {
                file: a,
                name: "dockpass".into()
            }
        );
    }
}
