//! Controller flows with a fake AWS, a manual clock and real files in a temp dir.

use super::*;
use crate::clock::ManualClock;
use crate::config::Config;
use crate::ecr::RawToken;
use crate::registry::EcrRegistry;
use crate::secrets::MemoryStore;
use crate::state::StateFile;
use crate::sts::{Credentials, StsFailure};
use crate::SecretString;
use base64::Engine;
use time::macros::datetime;

/// okta.xml: three roles (123456789012/Developer, /Admin, 345678901234/Developer),
/// NotOnOrAfter 2099-06-01T12:05:00Z.
const OKTA: &str = include_str!("../tests/fixtures/saml/okta.xml");

struct FakeAws;

impl Sts for FakeAws {
    async fn assume_role_with_saml(
        &self,
        role: &Role,
        _assertion_b64: &SecretString,
        _duration_secs: Option<i32>,
    ) -> std::result::Result<Credentials, StsFailure> {
        Ok(Credentials {
            access_key_id: format!("ASIA{}", role.account),
            secret_access_key: SecretString::new("secret"),
            session_token: SecretString::new("token"),
            expires_at: datetime!(2099-06-01 13:00 UTC),
        })
    }
}

impl Ecr for FakeAws {
    async fn get_authorization_token(
        &self,
        _creds: &Credentials,
        registry: &EcrRegistry,
    ) -> Result<RawToken> {
        Ok(RawToken {
            authorization_token: SecretString::new(
                base64::engine::general_purpose::STANDARD
                    .encode(format!("AWS:{}-pw", registry.account)),
            ),
            expires_at: datetime!(2099-06-01 23:00 UTC),
        })
    }
}

struct FakeProvider;

impl AwsProvider for FakeProvider {
    type Client = FakeAws;
    async fn client(&self, _p: &Profile) -> Arc<FakeAws> {
        Arc::new(FakeAws)
    }
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl EventSink for Recorder {
    fn emit(&self, event: Event) {
        lock(&self.0).push(event);
    }
}

impl Recorder {
    fn names(&self) -> Vec<&'static str> {
        lock(&self.0).iter().map(Event::name).collect()
    }
    fn pickers(&self) -> Vec<RolePicker> {
        lock(&self.0)
            .iter()
            .filter_map(|e| match e {
                Event::RolePicker(p) => Some(p.clone()),
                _ => None,
            })
            .collect()
    }
    fn phases(&self) -> Vec<Phase> {
        lock(&self.0)
            .iter()
            .filter_map(|e| match e {
                Event::LoginProgress(p) => Some(p.phase),
                _ => None,
            })
            .collect()
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    ctl: Controller<FakeProvider>,
    events: Arc<Recorder>,
    clock: ManualClock,
    docker: std::path::PathBuf,
}

fn setup(extra: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let cfg_path = dir.path().join("config.toml");
    let text = format!(
        "[[profile]]\nname = \"corp\"\nidp_url = \"https://idp.example/aws\"\nregion = \"us-east-1\"\n{extra}"
    );
    std::fs::write(&cfg_path, &text).unwrap();
    let config = Config::load_from(&cfg_path).unwrap();
    let clock = ManualClock::new(datetime!(2099-06-01 12:00 UTC));
    let docker = dir.path().join("docker/config.json");
    let ctx = Context::new(
        config,
        StateFile::at(dir.path().join("state/state.json")),
        Arc::new(clock.clone()),
        docker.clone(),
        Box::new(MemoryStore::default()),
    );
    let events = Arc::new(Recorder::default());
    let ctl = Controller::with_provider(ctx, None, events.clone(), FakeProvider);
    Setup {
        _dir: dir,
        ctl,
        events,
        clock,
        docker,
    }
}

fn sentinel(nonce: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(OKTA);
    let enc = b64
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    format!("https://saml.dockpass.invalid/capture/{nonce}?action=https%3A%2F%2Fsignin.aws.amazon.com%2Fsaml&relay=&response={enc}")
}

/// Runs a whole capture for `profile`: begin, navigate to the sentinel, hand it over.
async fn capture(s: &Setup, role: Option<String>) -> Result<Next> {
    let attempt = s.ctl.begin_login("corp", role).unwrap();
    match s.ctl.check_navigation("corp", &sentinel(&attempt.nonce)) {
        Navigation::Captured(c, role) => s.ctl.captured("corp", c, role).await,
        other => panic!("sentinel not captured: {other:?}"),
    }
}

fn docker_hosts(s: &Setup) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&s.docker).unwrap()).unwrap();
    v["auths"].as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn several_roles_open_the_picker_and_the_pick_signs_in() {
    let s = setup("");
    assert_eq!(capture(&s, None).await.unwrap(), Next::PickRole);
    let picker = &s.events.pickers()[0];
    assert_eq!(picker.profile, "corp");
    assert_eq!(picker.roles.len(), 3);
    assert!(!s.docker.exists(), "nothing is written before the pick");

    let next = s
        .ctl
        .pick_role("corp", "arn:aws:iam::345678901234:role/Developer")
        .await
        .unwrap();
    assert_eq!(next, Next::Done);
    assert_eq!(
        docker_hosts(&s),
        vec!["345678901234.dkr.ecr.us-east-1.amazonaws.com"]
    );
    let st = s.ctl.status(Some("corp")).unwrap();
    assert_eq!(st.state, crate::session::SessionState::Active);
    assert_eq!(st.account.as_deref(), Some("345678901234"));
    let names = s.events.names();
    assert!(names.contains(&"role-picker-closed"));
    assert!(names.contains(&"session-changed"));
    assert_eq!(s.ctl.overview().unwrap().activity[0].kind, Kind::Login);
}

#[tokio::test]
async fn a_preselected_role_signs_in_without_the_picker() {
    let s = setup("role = \"123456789012/Admin\"\n");
    assert_eq!(capture(&s, None).await.unwrap(), Next::Done);
    assert!(s.events.pickers().is_empty());
    assert_eq!(
        s.ctl.status(Some("corp")).unwrap().role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/Admin")
    );
    assert_eq!(
        s.events.phases(),
        vec![Phase::WaitingForIdp, Phase::AssumingRole, Phase::Done]
    );
}

#[tokio::test]
async fn switching_reuses_the_assertion_while_valid_then_needs_a_sign_in() {
    let s = setup("role = \"123456789012/Developer\"\n");
    capture(&s, None).await.unwrap();
    let next = s
        .ctl
        .pick_role("corp", "arn:aws:iam::345678901234:role/Developer")
        .await
        .unwrap();
    assert_eq!(next, Next::Done);
    assert!(docker_hosts(&s).contains(&"345678901234.dkr.ecr.us-east-1.amazonaws.com".into()));
    assert!(
        !docker_hosts(&s).contains(&"123456789012.dkr.ecr.us-east-1.amazonaws.com".into()),
        "the previous role's registry entry is removed"
    );
    assert!(s
        .ctl
        .overview()
        .unwrap()
        .activity
        .iter()
        .any(|a| a.kind == Kind::Switch));

    // Past the assertion's NotOnOrAfter the switch needs the IdP again, for that role.
    s.clock.set(datetime!(2099-06-01 12:30 UTC));
    let next = s
        .ctl
        .pick_role("corp", "arn:aws:iam::123456789012:role/Admin")
        .await
        .unwrap();
    assert_eq!(
        next,
        Next::SignIn {
            role_arn: Some("arn:aws:iam::123456789012:role/Admin".into())
        }
    );
    // The sign-in that follows uses that role without asking.
    s.clock.set(datetime!(2099-06-01 12:00 UTC));
    let next = capture(&s, Some("arn:aws:iam::123456789012:role/Admin".into()))
        .await
        .unwrap();
    assert_eq!(next, Next::Done);
    assert!(s
        .ctl
        .status(Some("corp"))
        .unwrap()
        .role_arn
        .unwrap()
        .ends_with("role/Admin"));
}

#[test]
fn navigation_rules() {
    let s = setup("");
    let attempt = s.ctl.begin_login("corp", None).unwrap();
    assert!(matches!(
        s.ctl.check_navigation("corp", "https://idp.example/next"),
        Navigation::Allow
    ));
    assert!(matches!(
        s.ctl
            .check_navigation("corp", "https://signin.aws.amazon.com/saml"),
        Navigation::Refuse
    ));
    assert!(matches!(
        s.ctl.check_navigation("corp", &sentinel("not-the-nonce")),
        Navigation::Refuse
    ));
    assert!(matches!(
        s.ctl.check_navigation("corp", &sentinel(&attempt.nonce)),
        Navigation::Captured(..)
    ));
    // The attempt is over: the same sentinel is not accepted twice.
    assert!(matches!(
        s.ctl.check_navigation("corp", &sentinel(&attempt.nonce)),
        Navigation::Refuse
    ));
}

#[test]
fn closing_the_window_cancels_and_keeps_the_session() {
    let s = setup("");
    s.ctl.begin_login("corp", None).unwrap();
    s.ctl.end_attempt("corp", false);
    assert_eq!(
        s.events.phases(),
        vec![Phase::WaitingForIdp, Phase::Cancelled]
    );
    assert_eq!(
        s.ctl.status(Some("corp")).unwrap().state,
        crate::session::SessionState::LoggedOut
    );
    assert!(!s.docker.exists());
}

#[tokio::test]
async fn a_broken_assertion_is_reported_and_the_old_session_stays() {
    let s = setup("role = \"123456789012/Developer\"\n");
    capture(&s, None).await.unwrap();
    let before = std::fs::read_to_string(&s.docker).unwrap();
    let attempt = s.ctl.begin_login("corp", None).unwrap();
    let url = format!(
        "https://saml.dockpass.invalid/capture/{}?response=bm90IHNhbWw%3D",
        attempt.nonce
    );
    let Navigation::Captured(c, role) = s.ctl.check_navigation("corp", &url) else {
        panic!("not captured")
    };
    let e = s.ctl.captured("corp", c, role).await.unwrap_err();
    assert_eq!(e.code, Code::SamlInvalid);
    assert_eq!(std::fs::read_to_string(&s.docker).unwrap(), before);
    assert_eq!(*s.events.phases().last().unwrap(), Phase::Failed);
    assert_eq!(
        s.ctl.status(Some("corp")).unwrap().state,
        crate::session::SessionState::Error
    );
}

#[test]
fn config_save_validates_and_announces() {
    let s = setup("");
    let mut profiles = s.ctl.config_get().profiles;
    profiles[0].region = "eu-west-1".into();
    let view = s.ctl.config_save(profiles.clone()).unwrap();
    assert_eq!(view.profiles[0].region, "eu-west-1");
    assert!(s.events.names().contains(&"config-changed"));
    profiles[0].region = "nowhere".into();
    assert_eq!(s.ctl.config_save(profiles).unwrap_err().code, Code::Config);
    assert_eq!(s.ctl.config_get().profiles[0].region, "eu-west-1");
}

#[tokio::test]
async fn token_refresh_uses_the_session_and_keeps_it_when_it_fails() {
    let s = setup("role = \"123456789012/Developer\"\n");
    capture(&s, None).await.unwrap();
    let ctx = s.ctl.context();
    let profile = ctx.profile(Some("corp")).unwrap().clone();

    s.clock.advance(std::time::Duration::from_secs(30 * 60));
    let report = crate::session::refresh_tokens(&ctx, &FakeAws, &profile)
        .await
        .unwrap();
    assert_eq!(report.registries.len(), 1);
    let state = ctx.state.load().unwrap();
    let reg = &state.profiles["corp"].session.as_ref().unwrap().registries[0];
    assert_eq!(reg.issued_at, Some(datetime!(2099-06-01 12:30 UTC)));

    // Past the STS session's end there is nothing to pay for tokens with: sign in again.
    s.clock.advance(std::time::Duration::from_secs(60 * 60));
    let before = std::fs::read_to_string(&s.docker).unwrap();
    let e = crate::session::refresh_tokens(&ctx, &FakeAws, &profile)
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::NotLoggedIn);
    assert!(e.message.contains("sign in again"), "{}", e.message);
    assert_eq!(std::fs::read_to_string(&s.docker).unwrap(), before);
    let p = &ctx.state.load().unwrap().profiles["corp"];
    assert!(p.session.is_some(), "the last good session stays");
    assert_eq!(p.last_error.as_ref().unwrap().code, Code::NotLoggedIn);
}
