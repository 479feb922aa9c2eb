//! Everything a front end needs to run Dockpass: the config, the state file, the secret
//! store, the clock and the auth files' paths.

use super::secrets::{self, SecretStore};
use super::state::StateFile;
use crate::base::clock::{Clock, SystemClock};
use crate::config::{Config, Profile};
use crate::docker;
use crate::Result;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

type SecretCell = Arc<OnceLock<(Box<dyn SecretStore>, Option<String>)>>;

/// Everything a front end needs to run Dockpass: config, state, secrets, clock, docker path.
#[derive(Clone)]
pub struct Context {
    pub config: Config,
    pub state: StateFile,
    pub clock: Arc<dyn Clock>,
    pub docker_config: PathBuf,
    /// The containers' auth file (podman, buildah, skopeo); `None`: it cannot be located.
    pub containers_auth: Option<PathBuf>,
    /// The IAM Identity Center token cache shared with the AWS CLI; `None`: its standard place
    /// (`~/.aws/sso/cache`, aws::sso_cache). Tests give their own.
    pub sso_cache_dir: Option<PathBuf>,
    secrets: SecretCell,
}

impl Context {
    /// The standard locations (DOCKPASS_CONFIG, XDG dirs, DOCKER_CONFIG) and the system clock.
    pub fn load() -> Result<Context> {
        match Context::load_lenient()? {
            (ctx, None) => Ok(ctx),
            (_, Some(problem)) => Err(problem),
        }
    }

    /// Like [`Context::load`], but a missing or broken config file gives an empty config and
    /// the error, so the app can still start, show the problem and offer the editor.
    pub fn load_lenient() -> Result<(Context, Option<crate::Error>)> {
        let path = crate::base::paths::config_file()?;
        let (config, problem) = match Config::load_from(&path) {
            Ok(c) => (c, None),
            Err(e) => (
                Config {
                    path,
                    profiles: vec![],
                },
                Some(e),
            ),
        };
        Ok((
            Context {
                config,
                state: StateFile::default_location()?,
                clock: Arc::new(SystemClock),
                docker_config: docker::config_path()?,
                containers_auth: docker::containers::auth_path(),
                sso_cache_dir: None,
                secrets: Arc::new(OnceLock::new()),
            },
            problem,
        ))
    }

    /// The same context with another config (after the settings editor saved).
    pub fn with_config(&self, config: Config) -> Context {
        Context {
            config,
            ..self.clone()
        }
    }

    /// A context with explicit parts (tests, embedding).
    pub fn new(
        config: Config,
        state: StateFile,
        clock: Arc<dyn Clock>,
        docker_config: PathBuf,
        secrets: Box<dyn SecretStore>,
    ) -> Context {
        let cell = OnceLock::new();
        let _ = cell.set((secrets, None));
        Context {
            config,
            state,
            clock,
            docker_config,
            containers_auth: None,
            sso_cache_dir: None,
            secrets: Arc::new(cell),
        }
    }

    /// The secret store, opened on first use (the keychain probe costs a D-Bus round trip).
    /// Whether the secret store is open already (then nothing waits for its probe).
    pub fn secrets_opened(&self) -> bool {
        self.secrets.get().is_some()
    }

    pub fn secrets(&self) -> &dyn SecretStore {
        self.secrets.get_or_init(secrets::open).0.as_ref()
    }

    /// Why secrets are in memory only, when they are.
    pub fn secrets_warning(&self) -> Option<&str> {
        self.secrets.get_or_init(secrets::open).1.as_deref()
    }

    /// Where the IAM Identity Center token cache is (see `sso_cache_dir`).
    pub fn sso_cache(&self) -> Result<PathBuf> {
        match &self.sso_cache_dir {
            Some(d) => Ok(d.clone()),
            None => crate::aws::sso_cache::cache_dir(),
        }
    }

    pub fn profile(&self, name: Option<&str>) -> Result<&Profile> {
        self.config.profile(name)
    }
}
