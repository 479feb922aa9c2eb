//! Reading, editing and writing docker's `config.json` without disturbing anything we do not own.
//!
//! The file is held as a `serde_json` value with `preserve_order`, so every key we do not touch
//! keeps its value and position (docker itself would drop unknown keys and sort the rest).
//! Numbers go through `f64`/`i64`/`u64`, so an exotic spelling such as `1e3` comes back as
//! `1000.0`: same value, different text. Only the types docker's own struct requires are checked
//! (`auths`, `credsStore`, `credHelpers`), because a file docker cannot read is a file we must
//! not "repair" silently.

use super::{describe_kind, Flavor};
use crate::base::fsutil;
use crate::error::{err, Code, Error, Result};
use serde_json::{Map, Value};
use std::fmt;
use std::path::{Path, PathBuf};

/// Far above any real docker config; stops us slurping a wrong file (e.g. a link to a log).
pub(super) const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

const AUTHS: &str = "auths";
const CREDS_STORE: &str = "credsStore";
const CRED_HELPERS: &str = "credHelpers";

/// A config (or its symlink's target) that belongs to someone else, or that its owner made
/// read-only, is not Dockpass's to replace: say so, change nothing. (Root included: `sudo -E
/// dockpass` must not take over a user's file.)
fn refuse_foreign_or_read_only(path: &Path, flavor: Flavor) -> Result<()> {
    let Ok(meta) = std::fs::metadata(path) else {
        // Missing (or unreadable: read_capped says why). A dangling link would make Dockpass
        // create its target: only where the link and the target's folder are the user's.
        return refuse_foreign_dangling_link(path);
    };
    if !meta.is_file() {
        return Ok(()); // read_capped refuses it with the right words
    }
    let (Some(owner), Some(me)) = (
        crate::base::os::owner(&meta),
        crate::base::os::effective_uid(),
    ) else {
        return Ok(()); // no Unix owners (Windows): the ACLs decide
    };
    if owner != me {
        return Err(err(
            Code::DockerConfig,
            format!(
                "{} belongs to user id {}, not to you (user id {me}); Dockpass changes only your own {}: run it as that user, or {}",
                path.display(),
                owner,
                flavor.file_name(),
                flavor.relocate_hint()
            ),
        ));
    }
    let mode = crate::base::os::mode(&meta).unwrap_or(0o600);
    if mode & 0o200 == 0 {
        return Err(err(
            Code::DockerConfig,
            format!(
                "{} is read-only (mode {:04o}); Dockpass leaves it alone: make it writable (chmod u+w) to let Dockpass update it",
                path.display(),
                mode
            ),
        ));
    }
    Ok(())
}

/// A dangling symlink at `path` is followed only when it and the folder its target would be
/// created in belong to the user (someone else's link could aim the write anywhere).
fn refuse_foreign_dangling_link(path: &Path) -> Result<()> {
    let Ok(link) = std::fs::symlink_metadata(path) else {
        return Ok(()); // nothing there: a new file in the user's own folder
    };
    let Some(me) = crate::base::os::effective_uid() else {
        return Ok(());
    };
    if !link.file_type().is_symlink() {
        return Ok(());
    }
    let target = fsutil::resolve_symlink_target(path).map_err(as_docker_config)?;
    let folder = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let foreign = |what: &str, owner: u32| {
        err(
            Code::DockerConfig,
            format!(
                "{} is a link to the missing {} and {what} belongs to user id {owner}, not to you (user id {me}); Dockpass does not create files for others: point the link at a file of yours, or remove it",
                path.display(),
                target.display()
            ),
        )
    };
    if let Some(owner) = crate::base::os::owner(&link).filter(|o| *o != me) {
        return Err(foreign("the link", owner));
    }
    if let Ok(dir) = std::fs::metadata(folder) {
        if let Some(owner) = crate::base::os::owner(&dir).filter(|o| *o != me) {
            return Err(foreign(&format!("its folder {}", folder.display()), owner));
        }
    }
    Ok(())
}

/// Where the credentials for a host go, decided like docker's `getConfiguredCredentialStore`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// `auths[host].auth` in the file itself.
    File,
    /// A `docker-credential-<name>` helper, named by `credHelpers[host]`.
    CredHelper(String),
    /// A `docker-credential-<name>` helper, named by `credsStore`.
    CredsStore(String),
}

impl Target {
    /// Where the helper's name came from, for "remove X from FILE" hints.
    pub(super) fn origin(&self, host: &str) -> String {
        match self {
            Target::File => String::new(),
            Target::CredHelper(_) => format!("credHelpers[\"{host}\"]"),
            Target::CredsStore(_) => CREDS_STORE.to_string(),
        }
    }
}

/// A loaded docker config: the parsed object plus whether we changed it.
pub(super) struct ConfigFile {
    path: PathBuf,
    flavor: Flavor,
    root: Map<String, Value>,
    dirty: bool,
    /// SHA-256 of the bytes loaded (`None`: no file), to notice another writer before we
    /// replace the file: a helper `store` may wait minutes for a keychain unlock, long enough
    /// for a `docker login` elsewhere whose result we must not overwrite.
    loaded: Option<[u8; 32]>,
}

impl fmt::Debug for ConfigFile {
    /// The content holds other people's credentials: never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigFile")
            .field("path", &self.path)
            .field("dirty", &self.dirty)
            .finish_non_exhaustive()
    }
}

impl ConfigFile {
    /// Reads and checks `path`. A missing file (or dangling link) is an empty config; so is an
    /// empty or whitespace-only file and a bare `null`, as for docker.
    pub(super) fn load(path: &Path, flavor: Flavor) -> Result<Self> {
        refuse_foreign_or_read_only(path, flavor)?;
        let bytes = fsutil::read_capped(path, MAX_CONFIG_BYTES).map_err(as_docker_config)?;
        let loaded = bytes.as_deref().map(digest);
        let root = match bytes {
            None => Map::new(),
            Some(bytes) => parse(path, &bytes, flavor)?,
        };
        let cfg = ConfigFile {
            path: path.to_path_buf(),
            flavor,
            root,
            dirty: false,
            loaded,
        };
        cfg.check()?;
        Ok(cfg)
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Docker's rule: an entry in `credHelpers` wins (an empty name there means "the file",
    /// even when `credsStore` is set); then a non-empty `credsStore`; then the file. The
    /// containers' tools know no `credsStore`: for them it is the file.
    pub(super) fn store_for(&self, host: &str) -> Target {
        if let Some(Value::Object(helpers)) = self.root.get(CRED_HELPERS) {
            if let Some(Value::String(name)) = helpers.get(host) {
                return if name.is_empty() {
                    Target::File
                } else {
                    Target::CredHelper(name.clone())
                };
            }
        }
        match self.root.get(CREDS_STORE) {
            Some(Value::String(name)) if !name.is_empty() && self.flavor == Flavor::Docker => {
                Target::CredsStore(name.clone())
            }
            _ => Target::File,
        }
    }

    /// `credsStore`, when set to a name (and read by the file's tools).
    pub(super) fn creds_store(&self) -> Option<&str> {
        self.root
            .get(CREDS_STORE)
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty() && self.flavor == Flavor::Docker)
    }

    /// Every `credHelpers` entry naming a helper, in file order.
    pub(super) fn cred_helpers(&self) -> Vec<(String, String)> {
        match self.root.get(CRED_HELPERS) {
            Some(Value::Object(helpers)) => helpers
                .iter()
                .filter_map(|(h, n)| Some((h.clone(), n.as_str()?.to_string())))
                .filter(|(_, n)| !n.is_empty())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the config has an `auths` key at all.
    pub(super) fn has_auths(&self) -> bool {
        self.root.contains_key(AUTHS)
    }

    /// Drops `auths` when it is an empty object; true when it did.
    pub(super) fn drop_empty_auths(&mut self) -> bool {
        let empty = matches!(self.root.get(AUTHS), Some(Value::Object(a)) if a.is_empty());
        if empty {
            self.root.shift_remove(AUTHS);
            self.dirty = true;
        }
        empty
    }

    /// `auths[host]`, when it is an object.
    pub(super) fn auth_entry(&self, host: &str) -> Option<&Map<String, Value>> {
        match self.root.get(AUTHS) {
            Some(Value::Object(auths)) => auths.get(host).and_then(Value::as_object),
            _ => None,
        }
    }

    /// Sets `auths[host]` to exactly `entry` (docker login replaces the whole entry). An
    /// existing entry keeps its position; a new one goes last.
    pub(super) fn set_auth_entry(&mut self, host: &str, entry: Map<String, Value>) {
        let new = Value::Object(entry);
        let auths = object_mut(&mut self.root, AUTHS);
        if auths.get(host) != Some(&new) {
            auths.insert(host.to_string(), new);
            self.dirty = true;
        }
    }

    /// Removes `auths[host]`; true when there was one.
    pub(super) fn remove_auth_entry(&mut self, host: &str) -> bool {
        let removed = match self.root.get_mut(AUTHS) {
            // shift_remove, not remove: with preserve_order `remove` swaps the last entry
            // into the hole and reorders the user's file.
            Some(Value::Object(auths)) => auths.shift_remove(host).is_some(),
            _ => false,
        };
        self.dirty |= removed;
        removed
    }

    /// `credHelpers[host]`, when set.
    pub(super) fn cred_helper(&self, host: &str) -> Option<&str> {
        match self.root.get(CRED_HELPERS) {
            Some(Value::Object(helpers)) => helpers.get(host).and_then(Value::as_str),
            _ => None,
        }
    }

    /// Sets `credHelpers[host] = name`; true when that changed something.
    pub(super) fn set_cred_helper(&mut self, host: &str, name: &str) -> bool {
        if self.cred_helper(host) == Some(name) {
            return false;
        }
        object_mut(&mut self.root, CRED_HELPERS)
            .insert(host.to_string(), Value::String(name.to_string()));
        self.dirty = true;
        true
    }

    /// Removes `credHelpers[host]`; drops `credHelpers` itself once empty (docker's struct has
    /// `omitempty` there, so docker would drop it on its next save too).
    pub(super) fn remove_cred_helper(&mut self, host: &str) -> bool {
        let Some(Value::Object(helpers)) = self.root.get_mut(CRED_HELPERS) else {
            return false;
        };
        let removed = helpers.shift_remove(host).is_some();
        if removed && helpers.is_empty() {
            self.root.shift_remove(CRED_HELPERS);
        }
        self.dirty |= removed;
        removed
    }

    /// Writes the file if anything changed (one atomic replacement, mode 0600, config folder
    /// created 0700 if missing). Returns whether it wrote.
    pub(super) fn save(&mut self) -> Result<bool> {
        if !self.dirty {
            return Ok(false);
        }
        // Holds credentials (ours and others'): wiped once written.
        let bytes = zeroize::Zeroizing::new(to_docker_json(&self.root).map_err(|e| {
            err(
                Code::Internal,
                format!("cannot encode {}: {e}", self.path.display()),
            )
        })?);
        // Create the folder the link target lives in only when there is no link: a dangling
        // link pointing into a missing folder is the user's to fix.
        let target = fsutil::resolve_symlink_target(&self.path).map_err(as_docker_config)?;
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() && target == self.path {
                fsutil::create_dir_all(dir, 0o700).map_err(as_docker_config)?;
            }
        }
        // Optimistic check: the window left (between this read and the rename) is tiny,
        // unlike the one between load and here.
        let now = fsutil::read_capped(&self.path, MAX_CONFIG_BYTES).map_err(as_docker_config)?;
        if now.as_deref().map(digest) != self.loaded {
            // `Busy`: the caller reads the file again and redoes its change (publish.rs).
            return Err(err(
                Code::Busy,
                format!(
                    "{} changed while Dockpass was updating it (another docker login?); Dockpass did not write it, try again",
                    self.path.display()
                ),
            ));
        }
        fsutil::atomic_write(&self.path, &bytes, 0o600).map_err(as_docker_config)?;
        self.loaded = Some(digest(&bytes));
        self.dirty = false;
        Ok(true)
    }

    /// Refuses the types docker's own loader would refuse, for the keys we read or edit.
    fn check(&self) -> Result<()> {
        let bad = |what: String, found: &Value, want: &str| {
            err(
                Code::DockerConfig,
                format!(
                    "{}: {what} is {}, expected {want}; fix the file ({} cannot read it either)",
                    self.path.display(),
                    describe_kind(found),
                    self.flavor.reader()
                ),
            )
        };
        match self.root.get(AUTHS) {
            None | Some(Value::Null) => {}
            Some(Value::Object(auths)) => {
                for (host, entry) in auths {
                    match entry {
                        Value::Null => {}
                        Value::Object(fields) => {
                            if let Some(v) = fields
                                .get("auth")
                                .filter(|v| !v.is_string() && !v.is_null())
                            {
                                return Err(bad(format!("auths[\"{host}\"].auth"), v, "a string"));
                            }
                        }
                        other => return Err(bad(format!("auths[\"{host}\"]"), other, "an object")),
                    }
                }
            }
            Some(other) => return Err(bad("\"auths\"".into(), other, "an object")),
        }
        match self.root.get(CREDS_STORE) {
            None | Some(Value::Null) | Some(Value::String(_)) => {}
            Some(other) => return Err(bad("\"credsStore\"".into(), other, "a string")),
        }
        match self.root.get(CRED_HELPERS) {
            None | Some(Value::Null) => {}
            Some(Value::Object(helpers)) => {
                for (host, name) in helpers {
                    if !name.is_string() && !name.is_null() {
                        return Err(bad(format!("credHelpers[\"{host}\"]"), name, "a string"));
                    }
                }
            }
            Some(other) => return Err(bad("\"credHelpers\"".into(), other, "an object")),
        }
        Ok(())
    }
}

/// Parses the file content, naming file, line and column on failure.
fn parse(path: &Path, bytes: &[u8], flavor: Flavor) -> Result<Map<String, Value>> {
    if bytes
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(other) => Err(err(
            Code::DockerConfig,
            format!(
                "{}: the top level is {}, expected an object; fix the file ({} cannot read it either)",
                path.display(),
                describe_kind(&other),
                flavor.reader()
            ),
        )),
        Err(e) => Err(err(
            Code::DockerConfig,
            format!(
                "{}:{}:{}: not valid JSON ({}); fix the file or move it away, it was left as it is",
                path.display(),
                e.line(),
                e.column(),
                strip_position(&e)
            ),
        )),
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

/// serde_json's message without its trailing " at line L column C" (we print those first).
fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Docker's own formatting: `json.MarshalIndent(c, "", "\t")`, no trailing newline.
/// (Go also escapes `<`, `>` and `&` as `\u003c`...; serde_json writes them as is, which any
/// JSON reader takes as the same string.)
pub(super) fn to_docker_json(root: &Map<String, Value>) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    serde::Serialize::serialize(root, &mut ser)?;
    Ok(out)
}

/// The object under `key`, created (at the end) when absent or null. `check` guarantees
/// nothing else can be there.
fn object_mut<'a>(root: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let slot = root.entry(key).or_insert(Value::Null);
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(map) => map,
        _ => unreachable!("just replaced by an object"),
    }
}

/// File-system errors while handling the docker config carry `Code::DockerConfig`.
fn as_docker_config(mut e: Error) -> Error {
    if e.code == Code::Io {
        e.code = Code::DockerConfig;
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn load_str(content: &str) -> (tempfile::TempDir, Result<ConfigFile>) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config.json");
        fs::write(&p, content).unwrap();
        let r = ConfigFile::load(&p, Flavor::Docker);
        (d, r)
    }

    #[test]
    fn empty_whitespace_null_and_missing_are_empty() {
        for content in ["", "  \n\t\r\n", "null", " null \n"] {
            let (_d, cfg) = load_str(content);
            assert!(cfg.unwrap().root.is_empty(), "{content:?}");
        }
        let d = tempfile::tempdir().unwrap();
        assert!(
            ConfigFile::load(&d.path().join("nope/config.json"), Flavor::Docker)
                .unwrap()
                .root
                .is_empty()
        );
    }

    #[test]
    fn broken_json_names_file_line_and_column() {
        let cases = [
            (
                "{\n\t\"auths\": {\n\t\t\"a\": {}\n\t\t\"b\": {}\n\t}\n}",
                4,
                "expected `,` or `}`",
            ),
            ("{\n  \"auths\": {\n", 3, "EOF while parsing"),
            ("{\"a\": 1,}", 1, "trailing comma"),
            ("{\"a\": tru}", 1, "expected ident"),
            ("{} {}", 1, "trailing characters"),
            ("\u{feff}{}", 1, "expected value"),
        ];
        for (content, line, what) in cases {
            let (d, cfg) = load_str(content);
            let e = cfg.unwrap_err();
            assert_eq!(e.code, Code::DockerConfig);
            let prefix = format!("{}:{line}:", d.path().join("config.json").display());
            assert!(e.message.starts_with(&prefix), "{content:?}: {}", e.message);
            assert!(e.message.contains(what), "{content:?}: {}", e.message);
            assert!(!e.message.contains('\n'));
        }
    }

    #[test]
    fn wrong_types_are_refused() {
        let cases = [
            ("[]", "the top level is an array"),
            ("\"x\"", "the top level is a string"),
            (
                "{\"auths\": []}",
                "\"auths\" is an array, expected an object",
            ),
            (
                "{\"auths\": {\"h\": \"x\"}}",
                "auths[\"h\"] is a string, expected an object",
            ),
            (
                "{\"auths\": {\"h\": {\"auth\": 5}}}",
                "auths[\"h\"].auth is a number",
            ),
            (
                "{\"credsStore\": 1}",
                "\"credsStore\" is a number, expected a string",
            ),
            ("{\"credHelpers\": \"x\"}", "\"credHelpers\" is a string"),
            (
                "{\"credHelpers\": {\"h\": true}}",
                "credHelpers[\"h\"] is a boolean",
            ),
        ];
        for (content, what) in cases {
            let (_d, cfg) = load_str(content);
            let e = cfg.unwrap_err();
            assert_eq!(e.code, Code::DockerConfig);
            assert!(e.message.contains(what), "{content:?}: {}", e.message);
        }
    }

    #[test]
    fn store_for_follows_docker_precedence() {
        let (_d, cfg) =
            load_str(r#"{"credsStore": "desktop", "credHelpers": {"a": "ecr-login", "b": ""}}"#);
        let cfg = cfg.unwrap();
        assert_eq!(cfg.store_for("a"), Target::CredHelper("ecr-login".into()));
        assert_eq!(cfg.store_for("b"), Target::File);
        assert_eq!(cfg.store_for("c"), Target::CredsStore("desktop".into()));
        let (_d, cfg) = load_str(r#"{"credsStore": ""}"#);
        assert_eq!(cfg.unwrap().store_for("c"), Target::File);
    }

    #[test]
    fn containers_know_cred_helpers_but_no_creds_store() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("auth.json");
        std::fs::write(
            &p,
            r#"{"credsStore": "desktop", "credHelpers": {"a": "ecr-login"}}"#,
        )
        .unwrap();
        let cfg = ConfigFile::load(&p, Flavor::Containers).unwrap();
        assert_eq!(cfg.store_for("a"), Target::CredHelper("ecr-login".into()));
        assert_eq!(cfg.store_for("c"), Target::File);
        assert_eq!(cfg.creds_store(), None);
        std::fs::write(&p, r#"{"auths": []}"#).unwrap();
        let e = ConfigFile::load(&p, Flavor::Containers).unwrap_err();
        assert!(
            e.message.contains("podman cannot read it either"),
            "{}",
            e.message
        );
    }

    #[test]
    fn unchanged_config_is_not_written() {
        let (d, cfg) = load_str(
            "{ \"auths\": { \"h\": { \"auth\": \"eA==\" } }, \"credHelpers\": {\"x\": \"y\"} }",
        );
        let mut cfg = cfg.unwrap();
        let mut same = Map::new();
        same.insert("auth".into(), Value::String("eA==".into()));
        cfg.set_auth_entry("h", same);
        assert!(!cfg.set_cred_helper("x", "y"));
        assert!(!cfg.remove_auth_entry("nope"));
        assert!(!cfg.remove_cred_helper("nope"));
        assert!(!cfg.save().unwrap());
        // Not even reformatted: the hand-written spacing is still there.
        let now = fs::read_to_string(d.path().join("config.json")).unwrap();
        assert!(now.starts_with("{ \"auths\": { "));
    }

    #[test]
    fn concurrent_change_is_not_overwritten() {
        let (d, cfg) = load_str("{}");
        let mut cfg = cfg.unwrap();
        cfg.set_cred_helper("h", "x");
        let p = d.path().join("config.json");
        fs::write(&p, r#"{"auths": {"theirs": {"auth": "eDp5"}}}"#).unwrap();
        let e = cfg.save().unwrap_err();
        assert_eq!(e.code, Code::Busy);
        assert!(
            e.message.contains("changed while Dockpass was updating it"),
            "{}",
            e.message
        );
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            r#"{"auths": {"theirs": {"auth": "eDp5"}}}"#
        );

        // Created by someone else after we found no file: also refused.
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config.json");
        let mut cfg = ConfigFile::load(&p, Flavor::Docker).unwrap();
        cfg.set_cred_helper("h", "x");
        fs::write(&p, "{}").unwrap();
        assert!(cfg.save().is_err());

        // Our own successive saves are fine.
        let mut cfg = ConfigFile::load(&p, Flavor::Docker).unwrap();
        cfg.set_cred_helper("h", "x");
        assert!(cfg.save().unwrap());
        cfg.set_cred_helper("h", "y");
        assert!(cfg.save().unwrap());
    }

    #[test]
    fn docker_formatting() {
        let mut m = Map::new();
        m.insert(
            "auths".into(),
            serde_json::json!({"h": {"auth": "eA=="}, "e": {}}),
        );
        m.insert("list".into(), serde_json::json!([]));
        let s = String::from_utf8(to_docker_json(&m).unwrap()).unwrap();
        assert_eq!(
            s,
            "{\n\t\"auths\": {\n\t\t\"h\": {\n\t\t\t\"auth\": \"eA==\"\n\t\t},\n\t\t\"e\": {}\n\t},\n\t\"list\": []\n}"
        );
    }
}
