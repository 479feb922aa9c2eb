//! `publish`, `remove` and `set_cred_helpers`: docker login's storage rules, one config write
//! per call, and a precise undo.
//!
//! What docker login does, and we do too (docker/cli `storeCredentials`, `nativeStore.Store`,
//! `fileStore.Store`):
//! - the store is `credHelpers[HOST]`, else `credsStore`, else the file;
//! - file: `auths[HOST]` becomes exactly `{"auth": base64(user:secret)}`. Docker rebuilds the
//!   entry from its login, so stale `identitytoken`/`email`/`password` fields go; keeping an old
//!   identity token would even make docker prefer it over the fresh password;
//! - helper: `docker-credential-NAME store` gets the secret, and `auths[HOST]` becomes `{}`
//!   (docker's secret-less marker, which also removes any stale plain-text `auth` there).
//!
//! Deliberate differences from docker:
//! - when the config names no store at all, docker may pick a platform default
//!   (`secretservice`/`pass` on Linux, if installed) and write `credsStore` into the file; we
//!   never add `credsStore`, so the file store is used, as docs/ARCHITECTURE.md ("Docker semantics") specifies;
//! - every helper is located before anything is stored or written, so a missing helper
//!   changes nothing; a failing `store` also leaves the file unchanged (earlier hosts' helper
//!   entries stay in the helper, and are overwritten by the next publish);
//! - keys keep their order (docker sorts them), and a file with trailing garbage after the
//!   object is refused (docker ignores the garbage and would drop it on save).

use super::config_file::{ConfigFile, Target};
use super::cred_helper::{self, Helper, Runner};
use super::{fingerprint, AuthFile, Credential, Flavor, HostError, RemoveReport, Via, Written};
use crate::error::{err, Code, Result};
use base64::Engine as _;
use serde_json::{Map, Value};
use std::path::Path;
use zeroize::Zeroizing;

/// Publishes every credential with one config write (plus one helper `store` per delegated
/// host). Returns what was written, one entry per host (the last credential wins for a host
/// given twice). Nothing is written when the config does not parse, a helper is missing, or a
/// `store` fails.
pub fn publish(file: &AuthFile, creds: &[Credential]) -> Result<Vec<Written>> {
    let runner = Runner::from_env();
    exclusively(&file.path, || {
        publish_with(&file.path, file.flavor, creds, &runner)
    })
}

/// Removes exactly what `written` describes, where it still holds what we wrote, with one
/// config write. `auths`: the decoded `auth` must match the fingerprint. Helpers: `get` must
/// match, then `erase`, and docker's `{}` marker in `auths` goes too. `credHelpers`: the entry
/// must still name our helper. See `RemoveReport` for what is returned.
pub fn remove(file: &AuthFile, written: &[Written]) -> Result<RemoveReport> {
    let runner = Runner::from_env();
    exclusively(&file.path, || {
        remove_with(&file.path, file.flavor, written, &runner)
    })
}

/// For `docker = "helper"`: sets `credHelpers[host] = name` for each host, one write (none
/// when all are set already). Returns one `Via::CredHelper` entry per host given (duplicates
/// once), whether it changed now or was set before: an entry naming Dockpass's own helper can
/// only be answered by Dockpass, so it is ours to remove at logout, and a caller that keeps
/// only the latest list (each refresh) still removes everything. The helper need not be
/// installed yet (docker looks it up on each use).
pub fn set_cred_helpers(file: &AuthFile, hosts: &[String], name: &str) -> Result<Vec<Written>> {
    exclusively(&file.path, || {
        set_cred_helpers_now(&file.path, file.flavor, hosts, name)
    })
}

/// How often a change is redone when another program replaced the file meanwhile.
const ATTEMPTS: usize = 5;

/// Runs one read-change-replace of `config` under the Dockpass writer lock (other Dockpass
/// processes wait), and redoes it from a fresh read when a program that takes no lock (docker
/// itself) replaced the file in between: its change is kept, then ours is applied on top.
/// Crash leftovers of our own temporary files are cleared first (no writer can be mid-write
/// while we hold the lock).
fn exclusively<T>(config: &Path, mut change: impl FnMut() -> Result<T>) -> Result<T> {
    let _lock = crate::base::lock::docker_writer(config)?;
    crate::base::fsutil::remove_stale_temps(config);
    let mut attempt = 1;
    loop {
        match change() {
            Err(e) if e.code == Code::Busy && attempt < ATTEMPTS => {
                tracing::info!(attempt, "docker config changed under us; reading it again");
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn set_cred_helpers_now(
    config: &Path,
    flavor: Flavor,
    hosts: &[String],
    name: &str,
) -> Result<Vec<Written>> {
    cred_helper::check_name(name)?;
    for host in hosts {
        check_host(host)?;
    }
    let mut cfg = ConfigFile::load(config, flavor)?;
    let mut written: Vec<Written> = Vec::new();
    for host in hosts {
        cfg.set_cred_helper(host, name);
        if !written.iter().any(|w| &w.host == host) {
            written.push(Written {
                host: host.clone(),
                via: Via::CredHelper {
                    name: name.to_string(),
                },
                fingerprint: String::new(),
                created_auths: false,
            });
        }
    }
    cfg.save()?;
    Ok(written)
}

pub(super) fn publish_with(
    config: &Path,
    flavor: Flavor,
    creds: &[Credential],
    runner: &Runner,
) -> Result<Vec<Written>> {
    // One entry per host, the last one given wins, in first-seen order.
    let mut unique: Vec<&Credential> = Vec::new();
    for c in creds {
        check_host(&c.host)?;
        check_username(&c.username)?;
        match unique.iter_mut().find(|u| u.host == c.host) {
            Some(slot) => *slot = c,
            None => unique.push(c),
        }
    }

    let mut cfg = ConfigFile::load(config, flavor)?;

    // Locate every helper first: a missing one must change nothing.
    let mut plan: Vec<(&Credential, Option<(String, Helper)>)> = Vec::with_capacity(unique.len());
    for c in unique {
        let store = cfg.store_for(&c.host);
        let helper = match &store {
            Target::File => None,
            Target::CredHelper(name) | Target::CredsStore(name) => {
                let fix = format!(
                    "install it or remove {} from {}",
                    store.origin(&c.host),
                    cfg.path().display()
                );
                Some((name.clone(), runner.locate(name, &fix)?))
            }
        };
        plan.push((c, helper));
    }

    let created_auths = !cfg.has_auths();
    let mut written = Vec::with_capacity(plan.len());
    for (c, helper) in plan {
        let via = match helper {
            None => {
                let plain = Zeroizing::new(format!("{}:{}", c.username, c.secret.expose()));
                let mut entry = Map::new();
                entry.insert(
                    "auth".into(),
                    Value::String(
                        base64::engine::general_purpose::STANDARD.encode(plain.as_bytes()),
                    ),
                );
                cfg.set_auth_entry(&c.host, entry);
                Via::Auths
            }
            Some((name, helper)) => {
                helper.store(&c.host, &c.username, &c.secret)?;
                if flavor == Flavor::Docker {
                    cfg.set_auth_entry(&c.host, Map::new());
                }
                Via::Helper { name }
            }
        };
        tracing::debug!(host = %c.host, ?via, "docker credentials prepared");
        written.push(Written {
            host: c.host.clone(),
            via,
            fingerprint: fingerprint(&c.username, c.secret.expose()),
            created_auths,
        });
    }
    cfg.save()?;
    Ok(written)
}

pub(super) fn remove_with(
    config: &Path,
    flavor: Flavor,
    written: &[Written],
    runner: &Runner,
) -> Result<RemoveReport> {
    let mut cfg = ConfigFile::load(config, flavor)?;
    let mut report = RemoveReport::default();
    let mut seen: Vec<(&str, &Via)> = Vec::new();
    for w in written {
        if seen.contains(&(w.host.as_str(), &w.via)) {
            continue;
        }
        seen.push((w.host.as_str(), &w.via));
        let host = w.host.clone();
        match &w.via {
            Via::Auths => match cfg.auth_entry(&w.host) {
                None => report.absent.push(host),
                Some(entry)
                    if auth_fingerprint(entry).as_deref() == Some(w.fingerprint.as_str()) =>
                {
                    cfg.remove_auth_entry(&w.host);
                    report.removed.push(host);
                }
                Some(_) => report.kept_changed.push(host),
            },
            Via::CredHelper { name } => match cfg.cred_helper(&w.host) {
                None => report.absent.push(host),
                Some(current) if current == name => {
                    cfg.remove_cred_helper(&w.host);
                    report.removed.push(host);
                }
                Some(_) => report.kept_changed.push(host),
            },
            Via::Helper { name } => {
                let fix = format!(
                    "install it to remove what Dockpass stored for {host}, or remove it by hand"
                );
                let outcome = runner.locate(name, &fix).and_then(|helper| {
                    let held = helper.get(&w.host)?;
                    match held {
                        None => Ok(Held::Absent),
                        Some((user, secret))
                            if fingerprint(&user, secret.expose()) == w.fingerprint =>
                        {
                            helper.erase(&w.host)?;
                            Ok(Held::Erased)
                        }
                        Some(_) => Ok(Held::Changed),
                    }
                });
                match outcome {
                    Ok(Held::Erased) => {
                        drop_marker(&mut cfg, &w.host);
                        report.removed.push(host);
                    }
                    Ok(Held::Absent) => {
                        drop_marker(&mut cfg, &w.host);
                        report.absent.push(host);
                    }
                    Ok(Held::Changed) => report.kept_changed.push(host),
                    Err(error) => report.failed.push(HostError { host, error }),
                }
            }
        }
    }
    if written.iter().any(|w| w.created_auths) {
        cfg.drop_empty_auths();
    }
    cfg.save()?;
    Ok(report)
}

enum Held {
    Absent,
    Erased,
    Changed,
}

/// Removes docker's `auths[host]` marker left beside a helper entry, if it holds no
/// credentials (an entry with credentials is not one we wrote).
fn drop_marker(cfg: &mut ConfigFile, host: &str) {
    const SECRET_FIELDS: [&str; 4] = ["auth", "password", "identitytoken", "registrytoken"];
    let is_marker = cfg.auth_entry(host).is_some_and(|e| {
        SECRET_FIELDS
            .iter()
            .all(|k| e.get(*k).is_none_or(|v| v.as_str() == Some("")))
    });
    if is_marker {
        cfg.remove_auth_entry(host);
    }
}

/// The fingerprint of an `auths` entry's `auth`, decoded like docker's `decodeAuth`; `None`
/// when there is no readable `auth`.
pub(super) fn auth_fingerprint(entry: &Map<String, Value>) -> Option<String> {
    let auth = entry.get("auth")?.as_str()?;
    let decoded = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(auth)
            .ok()?,
    );
    let text = std::str::from_utf8(&decoded).ok()?;
    let (user, secret) = text.split_once(':')?;
    Some(fingerprint(user, secret.trim_matches('\0')))
}

/// Hosts are config keys and helper arguments: a bare host[:port], as docker stores them.
fn check_host(host: &str) -> Result<()> {
    let bad = host.is_empty()
        || host.contains("://")
        || host.contains('/')
        || host.chars().any(|c| c.is_whitespace() || c.is_control());
    if bad {
        return Err(err(
            Code::Config,
            format!(
                "registry host {host:?} must be a host name without scheme or path, like 123456789012.dkr.ecr.us-east-1.amazonaws.com or 127.0.0.1:5000"
            ),
        ));
    }
    Ok(())
}

/// Docker splits `auth` at the first ':', so the user name cannot hold one.
fn check_username(username: &str) -> Result<()> {
    if username.is_empty() || username.contains(':') {
        return Err(err(
            Code::Internal,
            format!("user name {username:?} cannot be stored for docker (empty or holds ':')"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testutil::FakeHelper;
    use super::*;
    use crate::SecretString;
    use serde_json::json;
    use std::fs;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::path::PathBuf;

    const ECR: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    const LOCAL: &str = "127.0.0.1:5000";

    fn cred(host: &str, secret: &str) -> Credential {
        Credential {
            host: host.into(),
            username: "AWS".into(),
            secret: SecretString::new(secret),
        }
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    /// A config path in a temp folder (the `.docker` folder itself does not exist yet).
    fn temp_config() -> (tempfile::TempDir, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("dot-docker").join("config.json");
        (d, p)
    }

    fn write_config(p: &Path, content: &str) {
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }

    fn read_json(p: &Path) -> Value {
        serde_json::from_slice(&fs::read(p).unwrap()).unwrap()
    }

    /// Order-sensitive comparison: with preserve_order, to_string keeps key order.
    fn same_in_order(a: &Value, b: &Value) {
        assert_eq!(
            serde_json::to_string(a).unwrap(),
            serde_json::to_string(b).unwrap()
        );
    }

    /// A runner that finds no helper at all.
    fn no_helpers() -> Runner {
        Runner {
            search_path: Some("/nonexistent-dockpass-test".into()),
            timeout: std::time::Duration::from_secs(5),
        }
    }

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    /// Permission bits do not stop root; tests of "cannot read/write" use them only when
    /// they actually bite.
    fn permissions_bite(dir: &Path) -> bool {
        let probe = dir.join("probe");
        fs::create_dir(&probe).unwrap();
        fs::set_permissions(&probe, fs::Permissions::from_mode(0o500)).unwrap();
        let bites = fs::write(probe.join("x"), "").is_err();
        fs::set_permissions(&probe, fs::Permissions::from_mode(0o700)).unwrap();
        let _ = fs::remove_dir_all(&probe);
        bites
    }

    #[test]
    fn fresh_config_like_docker_login() {
        let (_d, p) = temp_config();
        let w = publish_with(&p, Flavor::Docker, &[cred(LOCAL, "pw")], &no_helpers()).unwrap();
        assert_eq!(
            w,
            vec![Written {
                host: LOCAL.into(),
                via: Via::Auths,
                fingerprint: fingerprint("AWS", "pw"),
                created_auths: true,
            }]
        );
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            format!("{{\n\t\"auths\": {{\n\t\t\"{LOCAL}\": {{\n\t\t\t\"auth\": \"{}\"\n\t\t}}\n\t}}\n}}", b64("AWS:pw"))
        );
        assert_eq!(mode(&p), 0o600);
        assert_eq!(mode(p.parent().unwrap()), 0o700);
    }

    #[test]
    fn keeps_everything_else_in_order() {
        let (_d, p) = temp_config();
        let original = r#"{
  "zeta": {"nested": {"b": [1, 2.5, {"y": null, "x": true}], "a": "é😀\u0001"}},
  "auths": {
    "z.example": {"auth": "eDp5", "email": "me@example.com"},
    "123456789012.dkr.ecr.us-east-1.amazonaws.com": {"auth": "b2xkOm9sZA==", "identitytoken": "stale"},
    "a.example": {}
  },
  "credHelpers": {"gcr.io": "gcloud"},
  "proxies": {"default": {"httpProxy": "http://proxy:3128", "noProxy": "localhost"}},
  "HttpHeaders": {"X-Meta": "v"},
  "currentContext": "ctx",
  "aliases": {"builder": "buildx"},
  "unknownList": [{"k": "v"}, "s", 3],
  "big": 18446744073709551615,
  "neg": -9223372036854775808
}"#;
        write_config(&p, original);
        publish_with(
            &p,
            Flavor::Docker,
            &[cred(ECR, "new"), cred(LOCAL, "pw")],
            &no_helpers(),
        )
        .unwrap();

        let mut expected: Value = serde_json::from_str(original).unwrap();
        // Our existing entry is replaced in place (docker rebuilds it: stale token gone)...
        expected["auths"][ECR] = json!({"auth": b64("AWS:new")});
        // ...and a new one goes last.
        expected["auths"][LOCAL] = json!({"auth": b64("AWS:pw")});
        same_in_order(&read_json(&p), &expected);
    }

    #[test]
    fn second_publish_replaces_only_our_entry_and_identical_publish_writes_nothing() {
        let (_d, p) = temp_config();
        write_config(&p, r#"{"auths": {"other": {"auth": "eDp5"}}}"#);
        publish_with(&p, Flavor::Docker, &[cred(LOCAL, "one")], &no_helpers()).unwrap();
        publish_with(&p, Flavor::Docker, &[cred(LOCAL, "two")], &no_helpers()).unwrap();
        same_in_order(
            &read_json(&p),
            &json!({"auths": {"other": {"auth": "eDp5"}, LOCAL: {"auth": b64("AWS:two")}}}),
        );
        let ino = fs::metadata(&p).unwrap().ino();
        publish_with(&p, Flavor::Docker, &[cred(LOCAL, "two")], &no_helpers()).unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().ino(),
            ino,
            "an identical publish must not rewrite the file"
        );
    }

    #[test]
    fn duplicate_hosts_last_wins() {
        let (_d, p) = temp_config();
        let w = publish_with(
            &p,
            Flavor::Docker,
            &[cred(LOCAL, "a"), cred(ECR, "b"), cred(LOCAL, "c")],
            &no_helpers(),
        )
        .unwrap();
        assert_eq!(
            w.iter().map(|w| w.host.as_str()).collect::<Vec<_>>(),
            vec![LOCAL, ECR]
        );
        assert_eq!(w[0].fingerprint, fingerprint("AWS", "c"));
        assert_eq!(read_json(&p)["auths"][LOCAL]["auth"], json!(b64("AWS:c")));
    }

    #[test]
    fn mode_ends_0600_from_0644() {
        let (_d, p) = temp_config();
        write_config(&p, "{}");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        publish_with(&p, Flavor::Docker, &[cred(LOCAL, "pw")], &no_helpers()).unwrap();
        assert_eq!(mode(&p), 0o600);
    }

    #[test]
    fn symlinked_config_stays_a_link() {
        for relative in [false, true] {
            let (d, p) = temp_config();
            let real = d.path().join("dotfiles").join("docker.json");
            fs::create_dir_all(real.parent().unwrap()).unwrap();
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&real, r#"{"credHelpers": {}}"#).unwrap();
            if relative {
                std::os::unix::fs::symlink("../dotfiles/docker.json", &p).unwrap();
            } else {
                std::os::unix::fs::symlink(&real, &p).unwrap();
            }
            publish_with(&p, Flavor::Docker, &[cred(LOCAL, "pw")], &no_helpers()).unwrap();
            assert!(fs::symlink_metadata(&p).unwrap().file_type().is_symlink());
            same_in_order(
                &read_json(&real),
                &json!({"credHelpers": {}, "auths": {LOCAL: {"auth": b64("AWS:pw")}}}),
            );
            assert_eq!(mode(&real), 0o600);
            // No temp file left beside the link or the target.
            assert_eq!(fs::read_dir(real.parent().unwrap()).unwrap().count(), 1);
            assert_eq!(fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
        }
    }

    #[test]
    fn unparsable_config_is_left_byte_identical() {
        let cases = [
            "{\n\t\"auths\": {\n\t\t\"a\": {}\n\t\t\"b\": {}\n\t}\n}",
            "{\"auths\": {",
            "{\"auths\": {}} trailing",
            "[]",
            "{\"auths\": \"nope\"}",
            "{\"credsStore\": 5}",
        ];
        for content in cases {
            let (_d, p) = temp_config();
            write_config(&p, content);
            let e =
                publish_with(&p, Flavor::Docker, &[cred(LOCAL, "pw")], &no_helpers()).unwrap_err();
            assert_eq!(e.code, Code::DockerConfig, "{content:?}");
            assert!(
                e.message.contains(&p.display().to_string()),
                "{}",
                e.message
            );
            assert_eq!(fs::read(&p).unwrap(), content.as_bytes());
            assert_eq!(fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
            // remove and set_cred_helpers refuse it too.
            assert!(remove_with(&p, Flavor::Docker, &[], &no_helpers()).is_err());
            assert!(set_cred_helpers(&AuthFile::docker(&p), &[LOCAL.into()], "dockpass").is_err());
            assert_eq!(fs::read(&p).unwrap(), content.as_bytes());
        }
        let (_d, p) = temp_config();
        write_config(
            &p,
            "{\n  \"auths\": {\n    \"a\": {}\n    \"b\": {}\n  }\n}",
        );
        let e = publish_with(&p, Flavor::Docker, &[cred(LOCAL, "pw")], &no_helpers()).unwrap_err();
        assert!(
            e.message
                .starts_with(&format!("{}:4:5: not valid JSON", p.display())),
            "{}",
            e.message
        );
    }

    #[test]
    fn empty_file_counts_as_empty_object() {
        let (_d, p) = temp_config();
        write_config(&p, " \n");
        publish_with(&p, Flavor::Docker, &[cred(LOCAL, "pw")], &no_helpers()).unwrap();
        assert_eq!(
            read_json(&p),
            json!({"auths": {LOCAL: {"auth": b64("AWS:pw")}}})
        );
    }

    #[test]
    fn config_that_is_a_folder_or_cannot_be_created() {
        let (_d, p) = temp_config();
        fs::create_dir_all(&p).unwrap();
        let e = publish_with(&p, Flavor::Docker, &[cred(LOCAL, "pw")], &no_helpers()).unwrap_err();
        assert_eq!(e.code, Code::DockerConfig);
        assert!(e.message.contains("is a folder"), "{}", e.message);
        assert_eq!(fs::read_dir(&p).unwrap().count(), 0);

        // DOCKER_CONFIG pointing below a regular file: the folder cannot be created.
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("file"), "x").unwrap();
        let p = d.path().join("file").join("config.json");
        let e = publish_with(&p, Flavor::Docker, &[cred(LOCAL, "pw")], &no_helpers()).unwrap_err();
        assert_eq!(e.code, Code::DockerConfig);
        assert!(e.message.contains("file"), "{}", e.message);
        assert_eq!(fs::read(d.path().join("file")).unwrap(), b"x");
    }

    #[test]
    fn read_only_or_unreadable_folder() {
        let d = tempfile::tempdir().unwrap();
        if !permissions_bite(d.path()) {
            // Running as root (as in CI here): mode bits do not stop root and chattr +i is not
            // available in the container, so this case cannot be produced. The folder-is-a-file
            // test above covers the "cannot create" path.
            return;
        }
        let dir = d.path().join("ro");
        let p = dir.join("config.json");
        write_config(&p, "{}");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o500)).unwrap();
        let e = publish_with(&p, Flavor::Docker, &[cred(LOCAL, "pw")], &no_helpers()).unwrap_err();
        assert!(e.message.contains("permission denied"), "{}", e.message);
        assert_eq!(fs::read(&p).unwrap(), b"{}");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
        let e = publish_with(&p, Flavor::Docker, &[cred(LOCAL, "pw")], &no_helpers()).unwrap_err();
        assert!(e.message.contains("permission denied"), "{}", e.message);
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    }

    #[test]
    fn creds_store_delegation_like_docker() {
        let h = FakeHelper::new("teststore");
        let (_d, p) = temp_config();
        write_config(
            &p,
            r#"{"credsStore": "teststore", "auths": {"127.0.0.1:5000": {"auth": "b2xkOm9sZA=="}}}"#,
        );
        let w = publish_with(&p, Flavor::Docker, &[cred(LOCAL, "s3cret")], &h.runner()).unwrap();
        assert_eq!(
            w,
            vec![Written {
                host: LOCAL.into(),
                via: Via::Helper {
                    name: "teststore".into()
                },
                fingerprint: fingerprint("AWS", "s3cret"),
                created_auths: false,
            }]
        );
        assert_eq!(
            h.store_log(),
            vec![json!({"ServerURL": LOCAL, "Username": "AWS", "Secret": "s3cret"})]
        );
        // docker's marker, and the stale plain-text auth is gone.
        same_in_order(
            &read_json(&p),
            &json!({"credsStore": "teststore", "auths": {LOCAL: {}}}),
        );
        assert!(!fs::read_to_string(&p).unwrap().contains("s3cret"));
    }

    #[test]
    fn cred_helpers_take_precedence_and_empty_means_file() {
        let h = FakeHelper::new("teststore");
        let (_d, p) = temp_config();
        write_config(
            &p,
            &format!(
                r#"{{"credsStore": "missing", "credHelpers": {{"{LOCAL}": "teststore", "{ECR}": ""}}}}"#
            ),
        );
        let w = publish_with(
            &p,
            Flavor::Docker,
            &[cred(LOCAL, "a"), cred(ECR, "b")],
            &h.runner(),
        )
        .unwrap();
        assert_eq!(
            w[0].via,
            Via::Helper {
                name: "teststore".into()
            }
        );
        assert_eq!(w[1].via, Via::Auths);
        assert_eq!(h.store_log().len(), 1);
        let v = read_json(&p);
        assert_eq!(v["auths"][LOCAL], json!({}));
        assert_eq!(v["auths"][ECR], json!({"auth": b64("AWS:b")}));
    }

    #[test]
    fn missing_helper_changes_nothing() {
        let h = FakeHelper::new("teststore");
        let (_d, p) = temp_config();
        let content =
            format!(r#"{{"credHelpers": {{"{ECR}": "teststore"}}, "credsStore": "nosuch"}}"#);
        write_config(&p, &content);
        let e = publish_with(
            &p,
            Flavor::Docker,
            &[cred(ECR, "a"), cred(LOCAL, "b")],
            &h.runner(),
        )
        .unwrap_err();
        assert_eq!(e.code, Code::DockerHelper);
        assert_eq!(
            e.message,
            format!("docker-credential-nosuch not found on PATH; install it or remove credsStore from {}", p.display())
        );
        assert!(
            h.store_log().is_empty(),
            "no helper may be called before all are found"
        );
        assert_eq!(fs::read_to_string(&p).unwrap(), content);
    }

    #[test]
    fn failing_helper_reports_its_message_not_the_secret() {
        let h = FakeHelper::new("teststore");
        h.fail_with_echo();
        let (_d, p) = temp_config();
        let content = r#"{"credsStore": "teststore"}"#;
        write_config(&p, content);
        let e = publish_with(
            &p,
            Flavor::Docker,
            &[cred(LOCAL, "VERY-SECRET-TOKEN")],
            &h.runner(),
        )
        .unwrap_err();
        assert_eq!(e.code, Code::DockerHelper);
        assert!(
            e.message.starts_with(
                "docker-credential-teststore store failed for 127.0.0.1:5000: refused:"
            ),
            "{}",
            e.message
        );
        assert!(!e.message.contains("VERY-SECRET-TOKEN"), "{}", e.message);
        assert_eq!(fs::read_to_string(&p).unwrap(), content);
    }

    #[test]
    fn remove_takes_back_only_unchanged_auths() {
        let (_d, p) = temp_config();
        write_config(
            &p,
            r#"{"auths": {"keep.example": {"auth": "eDp5"}}, "x": 1}"#,
        );
        let w = publish_with(
            &p,
            Flavor::Docker,
            &[cred(LOCAL, "a"), cred(ECR, "b"), cred("gone.example", "c")],
            &no_helpers(),
        )
        .unwrap();

        // Someone logs in again to ECR by hand, and removes gone.example.
        let mut v = read_json(&p);
        v["auths"][ECR] = json!({"auth": b64("AWS:theirs")});
        v["auths"]
            .as_object_mut()
            .unwrap()
            .shift_remove("gone.example");
        v["auths"]["later.example"] = json!({"auth": "eDp5"});
        fs::write(&p, serde_json::to_vec_pretty(&v).unwrap()).unwrap();

        let r = remove_with(&p, Flavor::Docker, &w, &no_helpers()).unwrap();
        assert_eq!(r.removed, vec![LOCAL]);
        assert_eq!(r.kept_changed, vec![ECR]);
        assert_eq!(r.absent, vec!["gone.example"]);
        assert!(r.failed.is_empty());
        same_in_order(
            &read_json(&p),
            // Order kept: removing from the middle must not move the last entry up.
            &json!({"auths": {"keep.example": {"auth": "eDp5"}, ECR: {"auth": b64("AWS:theirs")}, "later.example": {"auth": "eDp5"}}, "x": 1}),
        );

        // Idempotent: nothing left of ours, no write.
        let ino = fs::metadata(&p).unwrap().ino();
        let r = remove_with(&p, Flavor::Docker, &w, &no_helpers()).unwrap();
        assert!(r.removed.is_empty());
        assert_eq!(fs::metadata(&p).unwrap().ino(), ino);
    }

    #[test]
    fn remove_through_helper_gets_compares_and_erases() {
        let h = FakeHelper::new("teststore");
        let (_d, p) = temp_config();
        write_config(&p, r#"{"credsStore": "teststore"}"#);
        let w = publish_with(
            &p,
            Flavor::Docker,
            &[cred(LOCAL, "a"), cred(ECR, "b")],
            &h.runner(),
        )
        .unwrap();
        assert!(h.has_cred(LOCAL) && h.has_cred(ECR));

        // Another login replaced the ECR credentials inside the helper.
        h.set_cred(ECR, "AWS", "someone-else");
        let calls_before = h.calls().len();
        let r = remove_with(&p, Flavor::Docker, &w, &h.runner()).unwrap();
        assert_eq!(r.removed, vec![LOCAL]);
        assert_eq!(r.kept_changed, vec![ECR]);
        assert_eq!(h.calls()[calls_before..], ["get", "erase", "get"]);
        assert_eq!(h.erase_log(), vec![LOCAL]);
        assert!(!h.has_cred(LOCAL) && h.has_cred(ECR));
        // The marker for the removed host went; the changed host's marker stays.
        same_in_order(
            &read_json(&p),
            &json!({"credsStore": "teststore", "auths": {ECR: {}}}),
        );
    }

    #[test]
    fn containers_file_like_podman_login() {
        // podman knows no credsStore (the token goes into `auths`), and delegates to a
        // credHelpers entry without docker's `{}` marker.
        let h = FakeHelper::new("teststore");
        let (_d, p) = temp_config();
        write_config(
            &p,
            &format!(r#"{{"credsStore": "desktop", "credHelpers": {{"{LOCAL}": "teststore"}}}}"#),
        );
        let w = publish_with(
            &p,
            Flavor::Containers,
            &[cred(LOCAL, "a"), cred(ECR, "b")],
            &h.runner(),
        )
        .unwrap();
        assert_eq!(
            w[0].via,
            Via::Helper {
                name: "teststore".into()
            }
        );
        assert_eq!(w[1].via, Via::Auths);
        assert!(h.has_cred(LOCAL));
        same_in_order(
            &read_json(&p),
            &json!({"credsStore": "desktop", "credHelpers": {LOCAL: "teststore"}, "auths": {ECR: {"auth": b64("AWS:b")}}}),
        );
        let r = remove_with(&p, Flavor::Containers, &w, &h.runner()).unwrap();
        assert_eq!(r.removed, vec![LOCAL, ECR]);
        same_in_order(
            &read_json(&p),
            &json!({"credsStore": "desktop", "credHelpers": {LOCAL: "teststore"}}),
        );
    }

    #[test]
    fn remove_reports_helper_failures_and_continues() {
        let h = FakeHelper::new("teststore");
        let (_d, p) = temp_config();
        write_config(
            &p,
            &format!(r#"{{"credHelpers": {{"{LOCAL}": "teststore"}}}}"#),
        );
        let mut w = publish_with(
            &p,
            Flavor::Docker,
            &[cred(LOCAL, "a"), cred(ECR, "b")],
            &h.runner(),
        )
        .unwrap();
        w.push(Written {
            host: "x.example".into(),
            via: Via::Helper {
                name: "nosuch".into(),
            },
            fingerprint: "00".into(),
            created_auths: false,
        });
        h.fail_with_echo();
        let r = remove_with(&p, Flavor::Docker, &w, &h.runner()).unwrap();
        assert_eq!(r.removed, vec![ECR]);
        assert_eq!(
            r.failed.iter().map(|f| f.host.as_str()).collect::<Vec<_>>(),
            vec![LOCAL, "x.example"]
        );
        assert!(
            r.failed[0].error.message.contains("get failed"),
            "{}",
            r.failed[0].error.message
        );
        assert!(r.failed[1]
            .error
            .message
            .starts_with("docker-credential-nosuch not found on PATH"));
        assert!(read_json(&p)["auths"].get(ECR).is_none());
    }

    #[test]
    fn helper_mode_sets_and_removes_cred_helpers() {
        let (_d, p) = temp_config();
        write_config(
            &p,
            &format!(
                r#"{{"credHelpers": {{"gcr.io": "gcloud", "{ECR}": "dockpass"}}, "auths": {{}}}}"#
            ),
        );
        let hosts = vec![
            ECR.to_string(),
            LOCAL.to_string(),
            "alias.example".to_string(),
        ];
        let w = set_cred_helpers(&AuthFile::docker(&p), &hosts, "dockpass").unwrap();
        // ECR already named our helper: claimed too, so a later list alone is enough for logout.
        assert_eq!(
            w.iter().map(|w| w.host.as_str()).collect::<Vec<_>>(),
            vec![ECR, LOCAL, "alias.example"]
        );
        assert!(w.iter().all(|w| w.via
            == Via::CredHelper {
                name: "dockpass".into()
            }));
        same_in_order(
            &read_json(&p),
            &json!({"credHelpers": {"gcr.io": "gcloud", ECR: "dockpass", LOCAL: "dockpass", "alias.example": "dockpass"}, "auths": {}}),
        );
        // Again: same list, and no write.
        let ino = fs::metadata(&p).unwrap().ino();
        assert_eq!(
            set_cred_helpers(&AuthFile::docker(&p), &hosts, "dockpass").unwrap(),
            w
        );
        assert_eq!(fs::metadata(&p).unwrap().ino(), ino);

        // The user points the alias elsewhere; logout leaves it.
        let mut v = read_json(&p);
        v["credHelpers"]["alias.example"] = json!("other");
        fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
        let r = remove_with(&p, Flavor::Docker, &w, &no_helpers()).unwrap();
        assert_eq!(r.removed, vec![ECR, LOCAL]);
        assert_eq!(r.kept_changed, vec!["alias.example"]);
        same_in_order(
            &read_json(&p),
            &json!({"credHelpers": {"gcr.io": "gcloud", "alias.example": "other"}, "auths": {}}),
        );

        // A fresh config: credHelpers created, and dropped again once empty.
        let (_d2, p2) = temp_config();
        let w = set_cred_helpers(&AuthFile::docker(&p2), &[LOCAL.into()], "dockpass").unwrap();
        remove_with(&p2, Flavor::Docker, &w, &no_helpers()).unwrap();
        assert_eq!(read_json(&p2), json!({}));

        assert!(set_cred_helpers(&AuthFile::docker(&p2), &[LOCAL.into()], "../evil").is_err());
    }

    #[test]
    fn bad_hosts_and_users_are_refused_before_reading() {
        let (_d, p) = temp_config();
        for host in ["", "https://x.example", "x.example/path", "a b"] {
            let e =
                publish_with(&p, Flavor::Docker, &[cred(host, "pw")], &no_helpers()).unwrap_err();
            assert_eq!(e.code, Code::Config, "{host:?}");
        }
        let c = Credential {
            host: LOCAL.into(),
            username: "a:b".into(),
            secret: SecretString::new("x"),
        };
        assert!(publish_with(&p, Flavor::Docker, &[c], &no_helpers()).is_err());
        assert!(!p.exists());
    }

    #[test]
    fn auth_fingerprint_decodes_like_docker() {
        let mut e = Map::new();
        e.insert("auth".into(), json!(b64("AWS:pw:with:colons")));
        assert_eq!(
            auth_fingerprint(&e),
            Some(fingerprint("AWS", "pw:with:colons"))
        );
        e.insert("auth".into(), json!("not base64!"));
        assert_eq!(auth_fingerprint(&e), None);
        e.insert("auth".into(), json!(b64("nocolon")));
        assert_eq!(auth_fingerprint(&e), None);
    }
}
