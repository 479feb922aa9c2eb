//! A read-only look at docker's config (or the containers' auth file) for `dockpass doctor`: whether Dockpass could write it,
//! where docker would look for each host's credentials, and which helper programs are missing.
//! Never changes the file and never reads a credential.

use super::config_file::{ConfigFile, Target};
use super::cred_helper::Runner;
use super::AuthFile;
use crate::error::Result;
use std::ffi::OsString;
use std::path::PathBuf;

/// Where docker reads one host's credentials from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// `auths[host]` in the file.
    File,
    /// `docker-credential-<name>`, from `credHelpers[host]` (`from_store` false) or `credsStore`.
    Helper { name: String, from_store: bool },
}

/// What doctor needs to know of docker's config.
#[derive(Debug)]
pub struct Inspection {
    pub path: PathBuf,
    /// `credsStore`, when set.
    pub creds_store: Option<String>,
    /// `credHelpers` entries: host and helper name.
    pub cred_helpers: Vec<(String, String)>,
    config: ConfigFile,
    runner: Runner,
}

impl Inspection {
    /// Reads the file the way a write would (ownership, mode, size and syntax checked), so an
    /// `Err` here is exactly the error a sign-in would meet. Helper programs are looked for on
    /// `search_path` (normally `$PATH`).
    pub fn load(file: &AuthFile, search_path: Option<OsString>) -> Result<Inspection> {
        let config = ConfigFile::load(&file.path, file.flavor)?;
        Ok(Inspection {
            path: file.path.clone(),
            creds_store: config.creds_store().map(str::to_string),
            cred_helpers: config.cred_helpers(),
            config,
            runner: Runner {
                search_path,
                ..Runner::from_env()
            },
        })
    }

    /// Docker's choice for `host` (credHelpers, then credsStore, then the file).
    pub fn source(&self, host: &str) -> Source {
        match self.config.store_for(host) {
            Target::File => Source::File,
            Target::CredHelper(name) => Source::Helper {
                name,
                from_store: false,
            },
            Target::CredsStore(name) => Source::Helper {
                name,
                from_store: true,
            },
        }
    }

    /// Whether `auths[host]` holds a credential (not only docker's empty marker).
    pub fn has_auth(&self, host: &str) -> bool {
        self.config
            .auth_entry(host)
            .and_then(|e| e.get("auth"))
            .and_then(|a| a.as_str())
            .is_some_and(|a| !a.is_empty())
    }

    /// The full path of `docker-credential-<name>` on the search path, if it is there.
    pub fn helper_program(&self, name: &str) -> Option<PathBuf> {
        self.runner
            .locate(name, "")
            .ok()
            .map(|h| h.path().to_path_buf())
    }
}
