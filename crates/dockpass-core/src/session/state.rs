//! Non-secret state in `$XDG_STATE_HOME/dockpass/state.json`: per profile the remembered role,
//! the last assertion's role list, the session's expiries and the docker entries we wrote.
//! Secrets never go here (they live in the keychain, see `secrets.rs`).

use crate::base::clock::serde_rfc3339;
use crate::docker::{Written, WrittenFile};
use crate::idp::trust::Known;
use crate::registry::{EcrRegistry, Variant};
use crate::role::Role;
use crate::{err, Code, Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// The state of a few profiles is a few kilobytes; anything this big is not ours.
pub const MAX_STATE_BYTES: u64 = 4 * 1024 * 1024;

/// Bumped when the layout changes incompatibly.
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    #[serde(default)]
    pub version: u32,
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileState>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileState {
    /// The role last used: picked again at the next login when the assertion offers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The roles of the last assertion, for the role menu and `dockpass roles`.
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionInfo>,
    /// The last failure, shown as state `error` until the next success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<Error>,
    /// The IdP issuer and the accounts this profile signed in with (trust on first use).
    #[serde(default, skip_serializing_if = "Known::is_empty")]
    pub known: Known,
    /// Account names learned at sign-in (the account alias, IAM Identity Center's account
    /// names), by account id; the profile's own names come first (`session::accounts`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub account_names: BTreeMap<String, String>,
}

impl ProfileState {
    /// What the profile trusts (trust on first use). State written before Dockpass remembered
    /// accounts counts its last role's and session's accounts as used.
    pub fn known(&self) -> Known {
        let mut known = self.known.clone();
        if known.accounts.is_empty() {
            let role = self.role.as_ref().map(|r| r.account.clone());
            let session = self.session.as_ref().map(|s| s.account.clone());
            for a in role.into_iter().chain(session) {
                if !known.accounts.contains(&a) {
                    known.accounts.push(a);
                }
            }
        }
        known
    }
}

/// A live (or ended) session's public facts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub role_arn: String,
    pub account: String,
    #[serde(with = "serde_rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "serde_rfc3339")]
    pub expires_at: OffsetDateTime,
    pub registries: Vec<RegistryInfo>,
    /// The docker config file we wrote to, and exactly what we wrote (for logout).
    pub docker_config: PathBuf,
    #[serde(default)]
    pub written: Vec<Written>,
    /// The containers' auth file we wrote to (podman, buildah, skopeo), and what we wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containers: Option<WrittenFile>,
    /// Where the secrets are: "keychain" or "memory".
    pub secrets: String,
    /// Chained roles assumed from this session (each lives at most an hour).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<ChainInfo>,
    /// The account's name, where the sign-in told it (IAM Identity Center's portal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
}

/// A chained role's public facts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChainInfo {
    pub role_arn: String,
    pub account: String,
    /// A role the sign-in itself gave (IAM Identity Center's role in another account, another
    /// role of a SAML profile's `roles`): renewed with the session, never assumed from it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub portal: bool,
    /// The role this one is assumed from, when not the session's (a chain of a `roles` entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(with = "serde_rfc3339")]
    pub issued_at: OffsetDateTime,
    #[serde(with = "serde_rfc3339")]
    pub expires_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegistryInfo {
    pub host: String,
    pub account: String,
    pub region: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// When the current token was fetched (absent in older state: the session's start).
    #[serde(
        default,
        with = "crate::base::clock::serde_rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub issued_at: Option<OffsetDateTime>,
    #[serde(with = "serde_rfc3339")]
    pub expires_at: OffsetDateTime,
    /// The chained role whose credentials reach this registry; none: the session's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(default, skip_serializing_if = "is_standard")]
    pub variant: Variant,
}

fn is_standard(v: &Variant) -> bool {
    *v == Variant::Standard
}

impl RegistryInfo {
    pub fn registry(&self) -> EcrRegistry {
        EcrRegistry {
            account: self.account.clone(),
            region: self.region.clone(),
            variant: self.variant,
        }
    }
}

/// The state file.
#[derive(Clone, Debug)]
pub struct StateFile {
    pub path: PathBuf,
}

impl StateFile {
    pub fn default_location() -> Result<StateFile> {
        Ok(StateFile {
            path: crate::base::paths::state_dir()?.join("state.json"),
        })
    }

    pub fn at(path: impl Into<PathBuf>) -> StateFile {
        StateFile { path: path.into() }
    }

    /// Reads the state; a missing file is an empty state. A corrupt file is an error, never
    /// silently replaced, so nothing the user may need (what we wrote to docker) is lost.
    pub fn load(&self) -> Result<State> {
        let bytes = match crate::base::fsutil::read_capped(&self.path, MAX_STATE_BYTES) {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(State::default()),
            Err(e) => {
                return Err(Error::new(
                    Code::State,
                    format!("state file: {}", e.message),
                ))
            }
        };
        let state: State = serde_json::from_slice(&bytes).map_err(|e| {
            err(
                Code::State,
                format!(
                    "state file {} is damaged (line {}, column {}): move it away and sign in again",
                    self.path.display(),
                    e.line(),
                    e.column()
                ),
            )
        })?;
        if state.version > VERSION {
            return Err(err(
                Code::State,
                format!(
                    "state file {} was written by a newer Dockpass; upgrade Dockpass",
                    self.path.display()
                ),
            ));
        }
        Ok(state)
    }

    /// Writes the state atomically (mode 0600).
    /// Replaces the whole file: only for [`StateFile::update`] (which locks) and tests.
    fn save(&self, state: &State) -> Result<()> {
        let mut state = state.clone();
        state.version = VERSION;
        let mut text = serde_json::to_string_pretty(&state)
            .map_err(|e| err(Code::Internal, format!("cannot serialize state: {e}")))?;
        text.push('\n');
        ensure_dir(self.path.parent())?;
        crate::base::fsutil::atomic_write(&self.path, text.as_bytes(), 0o600)
            .map_err(|e| Error::new(Code::State, e.message))
    }

    /// Loads, lets `f` change the state, and saves, holding `state.json.lock` throughout:
    /// the CLI, the daemon and the app each change their own profile's entry, and none may
    /// write back an old copy of another's. Every change goes through here.
    pub fn update<T>(&self, f: impl FnOnce(&mut State) -> T) -> Result<T> {
        ensure_dir(self.path.parent())?;
        let mut lock_path = self.path.clone().into_os_string();
        lock_path.push(".lock");
        let io = |e: std::io::Error| {
            err(
                Code::State,
                format!(
                    "cannot lock the state file {}: {}",
                    self.path.display(),
                    crate::error::describe_io(&e)
                ),
            )
        };
        let lock = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io)?;
        lock.lock().map_err(io)?;
        let mut s = self.load()?;
        let out = f(&mut s);
        self.save(&s)?;
        Ok(out)
    }
}

fn ensure_dir(dir: Option<&Path>) -> Result<()> {
    match dir {
        Some(d) if !d.as_os_str().is_empty() => crate::base::fsutil::create_dir_all(d, 0o700)
            .map_err(|e| Error::new(Code::State, e.message)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn missing_file_is_empty_state_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let f = StateFile::at(dir.path().join("sub/state.json"));
        assert_eq!(f.load().unwrap(), State::default());
        f.update(|s| {
            s.profiles.entry("p".into()).or_default().session = Some(SessionInfo {
                role_arn: "arn:aws:iam::123456789012:role/Dev".into(),
                account: "123456789012".into(),
                started_at: datetime!(2026-11-26 19:00 UTC),
                expires_at: datetime!(2026-11-26 20:00 UTC),
                registries: vec![],
                docker_config: "/tmp/x/config.json".into(),
                written: vec![],
                containers: None,
                secrets: "memory".into(),
                chain: vec![],
                account_name: None,
            })
        })
        .unwrap();
        let s = f.load().unwrap();
        assert_eq!(s.version, VERSION);
        assert_eq!(
            s.profiles["p"].session.as_ref().unwrap().expires_at,
            datetime!(2026-11-26 20:00 UTC)
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&f.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn damaged_file_is_an_error_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, "{ not json").unwrap();
        let f = StateFile::at(&path);
        let e = f.load().unwrap_err();
        assert_eq!(e.code, Code::State);
        assert!(e.message.contains("damaged"));
        assert!(f.update(|_| ()).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ not json");
    }

    #[test]
    fn state_from_before_trust_counts_its_role_and_session() {
        let role = crate::role::Role::from_attribute_value(
            "arn:aws:iam::444444444444:role/Dev,arn:aws:iam::444444444444:saml-provider/Idp",
        )
        .unwrap();
        let mut s = ProfileState {
            role: Some(role),
            ..Default::default()
        };
        assert_eq!(s.known().accounts, vec!["444444444444"]);
        let mut k = s.known();
        k.remember(Some("urn:idp"), "555555555555");
        s.known = k;
        assert_eq!(s.known().accounts, vec!["444444444444", "555555555555"]);
        assert_eq!(s.known().issuer.as_deref(), Some("urn:idp"));
    }
}
