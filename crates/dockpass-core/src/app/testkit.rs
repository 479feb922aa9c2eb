//! Fakes and a temp-dir setup shared by the controller and scheduler tests.

use crate::app::controller::{
    AwsProvider, Controller, Event, EventSink, Navigation, Next, Phase, RolePicker,
};
use crate::aws::ecr::{Ecr, RawToken};
use crate::aws::iam::Iam;
use crate::aws::identity_center::{
    Account, DeviceAuthorization, Grant, Instance, Registration, RegistrationFor, SsoOidc,
    SsoPortal, Token, TokenAnswer,
};
use crate::aws::profile_source::ProfileSource;
use crate::aws::repos::{Image, Page, RepoApi, RepoItem};
use crate::aws::sts::{Credentials, Identity, Sts, StsFailure};
use crate::base::clock::{Clock, ManualClock};
use crate::config::{Config, Profile};
use crate::registry::EcrRegistry;
use crate::role::Role;
use crate::session::secrets::MemoryStore;
use crate::session::state::StateFile;
use crate::session::Context;
use crate::{err, Code, Result, SecretString};
use base64::Engine;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::macros::datetime;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// okta.xml: three roles (123456789012/Developer, /Admin, 345678901234/Developer),
/// NotOnOrAfter 2099-06-01T12:05:00Z.
pub const OKTA: &str = include_str!("../../../dockpass-saml/tests/fixtures/saml/okta.xml");

/// STS and ECR answering from the test clock: credentials for `sts_life`, tokens for
/// `token_ttl`; `ecr_down` makes ECR fail like an outage.
pub struct FakeAws {
    pub clock: ManualClock,
    pub sts_life: Duration,
    pub token_ttl: Duration,
    pub ecr_down: AtomicBool,
    pub ecr_calls: AtomicUsize,
    /// AssumeRole calls (chained roles).
    pub sts_calls: AtomicUsize,
    /// AssumeRoleWithSAML calls (sign-ins).
    pub saml_calls: AtomicUsize,
    /// How long chained credentials live (AWS: at most an hour).
    pub chain_life: Duration,
    /// IAM Identity Center: how long an access token lives.
    pub sso_token_life: Duration,
    /// IAM Identity Center: the sign-in was revoked (every token and refresh fails).
    pub sso_revoked: AtomicBool,
    /// CreateToken calls with the refresh token grant.
    pub sso_refreshes: AtomicUsize,
    /// CreateToken calls with an interactive grant (authorization code, device code).
    pub sso_sign_ins: AtomicUsize,
    /// GetRoleCredentials calls.
    pub sso_role_calls: AtomicUsize,
    /// The account alias IAM answers for every account (none by default).
    pub alias: Option<String>,
}

impl FakeAws {
    pub fn new(clock: ManualClock) -> Self {
        FakeAws {
            clock,
            sts_life: Duration::from_secs(3600),
            token_ttl: Duration::from_secs(11 * 3600),
            ecr_down: AtomicBool::new(false),
            ecr_calls: AtomicUsize::new(0),
            sts_calls: AtomicUsize::new(0),
            saml_calls: AtomicUsize::new(0),
            chain_life: Duration::from_secs(3600),
            sso_token_life: Duration::from_secs(3600),
            sso_revoked: AtomicBool::new(false),
            sso_refreshes: AtomicUsize::new(0),
            sso_sign_ins: AtomicUsize::new(0),
            sso_role_calls: AtomicUsize::new(0),
            alias: None,
        }
    }

    fn sso_ended(&self) -> Result<()> {
        match self.sso_revoked.load(Ordering::SeqCst) {
            true => Err(err(
                Code::NotLoggedIn,
                "IAM Identity Center no longer accepts this sign-in; sign in again",
            )),
            false => Ok(()),
        }
    }
}

impl Iam for FakeAws {
    async fn account_alias(&self, _creds: &Credentials) -> Result<Option<String>> {
        Ok(self.alias.clone())
    }
}

impl Sts for FakeAws {
    async fn assume_role_with_saml(
        &self,
        role: &Role,
        _assertion_b64: &SecretString,
        _duration_secs: Option<i32>,
    ) -> std::result::Result<Credentials, StsFailure> {
        self.saml_calls.fetch_add(1, Ordering::SeqCst);
        Ok(Credentials {
            access_key_id: format!("ASIA{}", role.account),
            secret_access_key: SecretString::new("secret"),
            session_token: SecretString::new("token"),
            expires_at: self.clock.now() + self.sts_life,
        })
    }

    async fn assume_role(
        &self,
        _creds: &Credentials,
        role_arn: &str,
        _session_name: &str,
        duration_secs: i32,
    ) -> Result<Credentials> {
        self.sts_calls.fetch_add(1, Ordering::SeqCst);
        let (_, account, _, _) = crate::role::parse_role_arn(role_arn)?;
        Ok(Credentials {
            access_key_id: format!("test-chain-{account}"),
            secret_access_key: SecretString::new("chained-secret"),
            session_token: SecretString::new("chained-token"),
            expires_at: self.clock.now()
                + Duration::from_secs(duration_secs as u64).min(self.chain_life),
        })
    }

    async fn caller_identity(&self, creds: &Credentials) -> Result<Identity> {
        Ok(Identity {
            account: "123456789012".into(),
            arn: format!(
                "arn:aws:sts::123456789012:assumed-role/FromProfile/{}",
                creds.access_key_id
            ),
        })
    }
}

impl ProfileSource for FakeAws {
    async fn profile_credentials(&self, aws_profile: &str) -> Result<Credentials> {
        if aws_profile == "missing" {
            return Err(err(
                Code::Config,
                "AWS profile \"missing\" gave no credentials",
            ));
        }
        Ok(Credentials {
            access_key_id: "ASIAPROFILE".into(),
            secret_access_key: SecretString::new("profile-secret"),
            session_token: SecretString::new("profile-token"),
            expires_at: self.clock.now() + self.sts_life,
        })
    }
}

/// IAM Identity Center with one account (123456789012 "Prod") and role Developer, answering
/// from the test clock.
impl SsoOidc for FakeAws {
    async fn register_client(&self, _i: &Instance, _for: &RegistrationFor) -> Result<Registration> {
        Ok(Registration {
            client_id: "client".into(),
            client_secret: SecretString::new("client-secret"),
            expires_at: self.clock.now() + Duration::from_secs(90 * 86400),
        })
    }

    async fn start_device_authorization(
        &self,
        _i: &Instance,
        _r: &Registration,
    ) -> Result<DeviceAuthorization> {
        Ok(DeviceAuthorization {
            device_code: SecretString::new("device"),
            user_code: "ABCD-EFGH".into(),
            verification_uri: "https://device.example".into(),
            verification_uri_complete: None,
            interval: Duration::from_secs(1),
            expires_at: self.clock.now() + Duration::from_secs(600),
        })
    }

    async fn create_token(
        &self,
        _i: &Instance,
        _r: &Registration,
        grant: &Grant,
    ) -> Result<TokenAnswer> {
        self.sso_ended()?;
        match grant {
            Grant::RefreshToken { .. } => self.sso_refreshes.fetch_add(1, Ordering::SeqCst),
            _ => self.sso_sign_ins.fetch_add(1, Ordering::SeqCst),
        };
        Ok(TokenAnswer::Token(Token {
            access_token: SecretString::new("access"),
            expires_at: self.clock.now() + self.sso_token_life,
            refresh_token: Some(SecretString::new("refresh")),
        }))
    }

    fn authorize_endpoint(&self, _i: &Instance) -> String {
        "https://oidc.example/authorize".into()
    }
}

impl SsoPortal for FakeAws {
    async fn list_accounts(&self, _i: &Instance, _t: &SecretString) -> Result<Vec<Account>> {
        self.sso_ended()?;
        Ok(vec![Account {
            id: "123456789012".into(),
            name: "Prod".into(),
        }])
    }

    async fn list_account_roles(
        &self,
        _i: &Instance,
        _t: &SecretString,
        _a: &str,
    ) -> Result<Vec<String>> {
        self.sso_ended()?;
        Ok(vec!["Developer".into()])
    }

    async fn get_role_credentials(
        &self,
        _i: &Instance,
        _t: &SecretString,
        account: &str,
        role: &str,
    ) -> Result<Credentials> {
        self.sso_ended()?;
        self.sso_role_calls.fetch_add(1, Ordering::SeqCst);
        Ok(Credentials {
            access_key_id: format!("ASIA{account}{role}"),
            secret_access_key: SecretString::new("sso-secret"),
            session_token: SecretString::new("sso-token"),
            expires_at: self.clock.now() + self.sts_life,
        })
    }
}

/// The federation endpoint: a token naming the session's key (so tests see which one was used).
impl crate::aws::console::Federation for FakeAws {
    async fn signin_token(&self, _endpoint: &str, session: &SecretString) -> Result<SecretString> {
        let doc: serde_json::Value = serde_json::from_str(session.expose()).unwrap();
        Ok(SecretString::new(format!(
            "token-for-{}",
            doc["sessionId"].as_str().unwrap()
        )))
    }
}

impl RepoApi for FakeAws {
    async fn repositories_page(
        &self,
        creds: &Credentials,
        registry: &EcrRegistry,
        _next: Option<String>,
    ) -> Result<Page<RepoItem>> {
        Ok(Page {
            items: vec![
                RepoItem {
                    name: format!("{}/app", creds.access_key_id.to_ascii_lowercase()),
                    uri: None,
                    created_at: Some(datetime!(2026-01-01 0:00 UTC)),
                },
                RepoItem {
                    name: format!("{}-base", registry.region),
                    uri: None,
                    created_at: None,
                },
            ],
            next: None,
        })
    }

    async fn images_page(
        &self,
        _creds: &Credentials,
        _registry: &EcrRegistry,
        repository: &str,
        _next: Option<String>,
    ) -> Result<Page<Image>> {
        Ok(Page {
            items: vec![Image {
                tags: vec!["latest".into()],
                digest: format!("sha256:{}", repository.len()),
                pushed_at: None,
                size_bytes: Some(42),
                ..Default::default()
            }],
            next: None,
        })
    }
}

impl Ecr for FakeAws {
    async fn get_authorization_token(
        &self,
        _creds: &Credentials,
        registry: &EcrRegistry,
    ) -> Result<RawToken> {
        self.ecr_calls.fetch_add(1, Ordering::SeqCst);
        if self.ecr_down.load(Ordering::SeqCst) {
            return Err(err(Code::Network, "cannot reach ECR (test outage)"));
        }
        Ok(RawToken {
            authorization_token: SecretString::new(
                base64::engine::general_purpose::STANDARD
                    .encode(format!("AWS:{}-pw", registry.account)),
            ),
            expires_at: self.clock.now() + self.token_ttl,
        })
    }
}

pub struct FakeProvider(pub Arc<FakeAws>);

impl AwsProvider for FakeProvider {
    type Client = FakeAws;
    async fn client(&self, _p: &Profile) -> Arc<FakeAws> {
        self.0.clone()
    }
}

#[derive(Default)]
pub struct Recorder(Mutex<Vec<Event>>);

impl EventSink for Recorder {
    fn emit(&self, event: Event) {
        lock(&self.0).push(event);
    }
}

impl Recorder {
    pub fn names(&self) -> Vec<&'static str> {
        lock(&self.0).iter().map(Event::name).collect()
    }
    pub fn pickers(&self) -> Vec<RolePicker> {
        lock(&self.0)
            .iter()
            .filter_map(|e| match e {
                Event::RolePicker(p) => Some(p.clone()),
                _ => None,
            })
            .collect()
    }
    pub fn phases(&self) -> Vec<Phase> {
        lock(&self.0)
            .iter()
            .filter_map(|e| match e {
                Event::LoginProgress(p) => Some(p.phase),
                _ => None,
            })
            .collect()
    }
}

pub struct Setup {
    pub _dir: tempfile::TempDir,
    pub ctl: Arc<Controller<FakeProvider>>,
    pub events: Arc<Recorder>,
    pub clock: ManualClock,
    pub docker: std::path::PathBuf,
    pub aws: Arc<FakeAws>,
}

pub fn setup(extra: &str) -> Setup {
    setup_with(extra, |_| {})
}

/// Like [`setup`], with the fake AWS adjusted first.
pub fn setup_with(extra: &str, tweak: impl FnOnce(&mut FakeAws)) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let cfg_path = dir.path().join("config.toml");
    let text = format!(
        "[[profile]]\nname = \"corp\"\nidp_url = \"https://idp.example/aws\"\nregion = \"us-east-1\"\n{extra}"
    );
    std::fs::write(&cfg_path, &text).unwrap();
    let config = Config::load_from(&cfg_path).unwrap();
    let clock = ManualClock::new(datetime!(2099-06-01 12:00 UTC));
    let docker = dir.path().join("docker/config.json");
    let mut ctx = Context::new(
        config,
        StateFile::at(dir.path().join("state/state.json")),
        Arc::new(clock.clone()),
        docker.clone(),
        Box::new(MemoryStore::default()),
    );
    ctx.sso_cache_dir = Some(dir.path().join("sso-cache"));
    let events = Arc::new(Recorder::default());
    let mut fake = FakeAws::new(clock.clone());
    tweak(&mut fake);
    let aws = Arc::new(fake);
    let ctl = Arc::new(Controller::with_provider(
        ctx,
        None,
        events.clone(),
        FakeProvider(aws.clone()),
    ));
    Setup {
        _dir: dir,
        ctl,
        events,
        clock,
        docker,
        aws,
    }
}

/// The login window's page while the test IdP (the profile's `idp_url`) hands over.
pub const IDP_PAGE: Option<&str> = Some("https://idp.example/aws");

pub fn sentinel(nonce: &str) -> String {
    sentinel_for(nonce, OKTA)
}

/// okta.xml as the IdP would issue it at `now` (valid for 5 minutes).
pub fn okta_at(now: time::OffsetDateTime) -> String {
    OKTA.replace(
        "2099-06-01T12:05:00.415Z",
        &crate::base::clock::rfc3339(now + Duration::from_secs(300)),
    )
}

pub fn sentinel_for(nonce: &str, xml: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(xml);
    let enc = b64
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    format!("https://saml.dockpass.invalid/capture/{nonce}?action=https%3A%2F%2Fsignin.aws.amazon.com%2Fsaml&relay=&response={enc}")
}

/// Runs a whole capture for `profile`: begin, navigate to the sentinel, hand it over.
pub async fn capture(s: &Setup, role: Option<String>) -> Result<Next> {
    capture_xml(s, role, OKTA).await
}

/// [`capture`] of another response.
pub async fn capture_xml(s: &Setup, role: Option<String>, xml: &str) -> Result<Next> {
    let attempt = s.ctl.begin_login("corp", role).unwrap();
    match s
        .ctl
        .check_navigation("corp", &sentinel_for(&attempt.nonce, xml), IDP_PAGE)
    {
        Navigation::Captured(c, role) => s.ctl.captured("corp", c, role).await,
        other => panic!("sentinel not captured: {other:?}"),
    }
}

pub fn docker_hosts(s: &Setup) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&s.docker).unwrap()).unwrap();
    v["auths"].as_object().unwrap().keys().cloned().collect()
}
