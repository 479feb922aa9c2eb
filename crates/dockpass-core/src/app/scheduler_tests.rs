//! The scheduler in virtual time: a manual clock, a fake AWS, real files.

use super::*;
use crate::app::controller::Controller;
use crate::app::testkit::*;
use crate::base::clock::Clock;
use crate::platform::notify::{Notice, RecordingNotifier};
use crate::session::SessionState;
use std::sync::atomic::Ordering;

const MIN: Duration = Duration::from_secs(60);

/// Lets the scheduler task run until it has nothing left to do right now.
async fn settle() {
    for _ in 0..200 {
        tokio::task::yield_now().await;
    }
}

struct Running {
    s: Setup,
    notes: Arc<RecordingNotifier>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn running(
    extra: &str,
    renewer: Option<Arc<dyn Renewer>>,
    tweak: impl FnOnce(&mut FakeAws),
) -> Running {
    let s = setup_with(extra, tweak);
    capture(&s, None).await.unwrap();
    let notes = Arc::new(RecordingNotifier::new());
    s.ctl.set_hooks(Hooks {
        renewer,
        notifier: Some(notes.clone()),
        profiles: None,
    });
    let task = tokio::spawn(run(s.ctl.clone()));
    settle().await;
    Running { s, notes, task }
}

fn status(r: &Running) -> crate::session::Status {
    r.s.ctl.status(Some("corp")).unwrap()
}

fn issued(r: &Running) -> Option<time::OffsetDateTime> {
    r.s.ctl.context().state.load().unwrap().profiles["corp"]
        .session
        .as_ref()
        .unwrap()
        .registries[0]
        .issued_at
}

const ROLE: &str = "role = \"123456789012/Developer\"\n";

#[tokio::test]
async fn tokens_are_refreshed_at_half_life_while_the_session_lives() {
    // STS 8 h, tokens 2 h: refresh after 1 h, again after 2 h; no wake-ups in between.
    let r = running(ROLE, None, |a| {
        a.sts_life = 8 * 60 * MIN;
        a.token_ttl = 2 * 60 * MIN;
    })
    .await;
    let calls = r.s.aws.ecr_calls.load(Ordering::SeqCst);
    r.s.clock.advance(59 * MIN);
    settle().await;
    assert_eq!(
        r.s.aws.ecr_calls.load(Ordering::SeqCst),
        calls,
        "nothing before half-life"
    );
    r.s.clock.advance(MIN);
    settle().await;
    assert_eq!(r.s.aws.ecr_calls.load(Ordering::SeqCst), calls + 1);
    assert_eq!(
        issued(&r),
        Some(time::macros::datetime!(2099-06-01 13:00 UTC))
    );
    r.s.clock.advance(60 * MIN);
    settle().await;
    assert_eq!(r.s.aws.ecr_calls.load(Ordering::SeqCst), calls + 2);
    assert_eq!(status(&r).state, SessionState::Active);
    assert!(
        r.notes.shown().is_empty(),
        "no notification while things work"
    );
}

#[tokio::test]
async fn an_outage_turns_error_backs_off_notifies_once_and_recovers() {
    let r = running(ROLE, None, |a| {
        a.sts_life = 8 * 60 * MIN;
        a.token_ttl = 2 * 60 * MIN;
    })
    .await;
    r.s.aws.ecr_down.store(true, Ordering::SeqCst);
    let calls = r.s.aws.ecr_calls.load(Ordering::SeqCst);
    r.s.clock.advance(60 * MIN);
    settle().await;
    assert_eq!(r.s.aws.ecr_calls.load(Ordering::SeqCst), calls + 1);
    let st = status(&r);
    assert_eq!(st.state, SessionState::Error);
    assert!(st.error.unwrap().message.contains("test outage"));
    // Backoff: not again at once, but within the first retry delay (≤ 36 s).
    settle().await;
    assert_eq!(r.s.aws.ecr_calls.load(Ordering::SeqCst), calls + 1);
    for _ in 0..4 {
        r.s.clock.advance(10 * MIN);
        settle().await;
    }
    let failures = r.s.aws.ecr_calls.load(Ordering::SeqCst) - calls;
    assert!((3..=5).contains(&failures), "{failures} attempts");
    let failing: Vec<_> = r
        .notes
        .shown()
        .into_iter()
        .filter(|n| matches!(n, Notice::RefreshFailing { .. }))
        .collect();
    assert_eq!(failing.len(), 1, "one notice per event, not one per retry");
    // The last good credentials stay in the docker config.
    assert!(docker_hosts(&r.s).contains(&"123456789012.dkr.ecr.us-east-1.amazonaws.com".into()));

    r.s.aws.ecr_down.store(false, Ordering::SeqCst);
    r.s.clock.advance(11 * MIN);
    settle().await;
    assert_eq!(status(&r).state, SessionState::Active);
    assert!(r.notes.current("corp").is_none(), "the notice is withdrawn");
}

#[tokio::test]
async fn without_a_renewer_the_user_is_told_before_and_at_the_end() {
    // STS 1 h, tokens 11 h: renew at 50 min (refresh_before 10 m) is the first work.
    let r = running(ROLE, None, |_| {}).await;
    r.s.clock.advance(50 * MIN);
    settle().await;
    assert_eq!(
        r.notes.current("corp"),
        Some(Notice::Expiring {
            profile: "corp".into(),
            minutes: 10,
            in_browser: false
        })
    );
    assert_eq!(status(&r).state, SessionState::Expiring);
    r.s.clock.advance(10 * MIN);
    settle().await;
    assert_eq!(
        r.notes.current("corp"),
        Some(Notice::Expired {
            profile: "corp".into(),
            in_browser: false
        })
    );
    assert_eq!(status(&r).state, SessionState::Expired);
    assert!(
        r.s.ctl.fresh.next_work(&r.s.ctl.context()).is_none(),
        "nothing more until a sign-in"
    );
}

/// A renewer that "signs in silently" by handing the controller a fresh capture.
struct SilentIdp(
    std::sync::Mutex<Option<Arc<Controller<FakeProvider>>>>,
    Arc<AtomicUsize>,
);

impl Renewer for SilentIdp {
    fn renew(&self, profile: &str, role_arn: Option<String>) -> bool {
        let ctl = self.0.lock().unwrap().clone().unwrap();
        self.1.fetch_add(1, Ordering::SeqCst);
        let profile = profile.to_string();
        tokio::spawn(async move {
            let a = ctl.begin_login(&profile, role_arn).unwrap();
            let fresh = okta_at(ctl.context().clock.now());
            if let crate::app::controller::Navigation::Captured(c, role) =
                ctl.check_navigation(&profile, &sentinel_for(&a.nonce, &fresh), IDP_PAGE)
            {
                ctl.captured(&profile, c, role).await.unwrap();
            }
        });
        true
    }
}

use std::sync::atomic::AtomicUsize;

#[tokio::test]
async fn a_silent_renewal_keeps_the_session_without_a_notice() {
    let calls = Arc::new(AtomicUsize::new(0));
    let idp = Arc::new(SilentIdp(std::sync::Mutex::new(None), calls.clone()));
    let r = running(ROLE, Some(idp.clone()), |_| {}).await;
    *idp.0.lock().unwrap() = Some(r.s.ctl.clone());
    let first_end = status(&r).expires_at.unwrap();
    r.s.clock.advance(50 * MIN);
    settle().await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let st = status(&r);
    assert!(st.expires_at.unwrap() > first_end, "renewed");
    assert_eq!(
        st.role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/Developer")
    );
    assert!(r.notes.shown().is_empty());
}

#[tokio::test]
async fn one_silent_renewal_renews_every_role_of_the_sign_in() {
    let calls = Arc::new(AtomicUsize::new(0));
    let idp = Arc::new(SilentIdp(std::sync::Mutex::new(None), calls.clone()));
    let roles = "roles = [\"123456789012/Developer\", \"345678901234/Developer\"]\n";
    let r = running(roles, Some(idp.clone()), |_| {}).await;
    *idp.0.lock().unwrap() = Some(r.s.ctl.clone());
    assert_eq!(r.s.aws.saml_calls.load(Ordering::SeqCst), 2);
    let first_end = status(&r).expires_at.unwrap();
    r.s.clock.advance(50 * MIN);
    settle().await;
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "one renewal for both roles"
    );
    assert_eq!(
        r.s.aws.saml_calls.load(Ordering::SeqCst),
        4,
        "both roles, one assertion"
    );
    let st = status(&r);
    assert!(st.expires_at.unwrap() > first_end, "renewed");
    let other = st.chain.iter().find(|c| c.sign_in).unwrap();
    assert_eq!(other.role_arn, "arn:aws:iam::345678901234:role/Developer");
    assert!(
        other.expires_at > first_end,
        "the other role is renewed too"
    );
    assert!(r.notes.shown().is_empty());
}

#[tokio::test]
async fn a_session_shorter_than_refresh_before_is_not_renewed_at_once() {
    // STS 1 h (the fake's default), refresh_before 2 h: without the half-life floor every
    // (renewed) session is due for renewal the moment it starts, a renewal loop.
    let s = setup(&format!("{ROLE}refresh_before = \"2h\"\n"));
    capture(&s, None).await.unwrap();
    let (at, _, work) = s.ctl.fresh.next_work(&s.ctl.context()).unwrap();
    assert_eq!(work, Work::Renew);
    assert_eq!(
        at,
        s.clock.now() + 30 * MIN,
        "half the session's life, not at once"
    );
}

#[tokio::test]
async fn a_three_hour_jump_runs_overdue_work_once() {
    let r = running(ROLE, None, |a| {
        a.sts_life = 8 * 60 * MIN;
        a.token_ttl = 2 * 60 * MIN;
    })
    .await;
    let calls = r.s.aws.ecr_calls.load(Ordering::SeqCst);
    r.s.clock.advance(3 * 60 * MIN);
    settle().await;
    // One refresh for the overdue deadline, then the next one is an hour away.
    assert_eq!(r.s.aws.ecr_calls.load(Ordering::SeqCst), calls + 1);
    let (at, _, work) = r.s.ctl.fresh.next_work(&r.s.ctl.context()).unwrap();
    assert_eq!(work, Work::Tokens);
    assert_eq!(at, r.s.clock.now() + 60 * MIN);
}

#[tokio::test]
async fn nothing_is_due_without_sessions() {
    let s = setup(ROLE);
    assert!(s.ctl.fresh.next_work(&s.ctl.context()).is_none());
}

/// A renewer that starts but never completes (the IdP wants the user).
struct StuckIdp;

impl Renewer for StuckIdp {
    fn renew(&self, _profile: &str, _role_arn: Option<String>) -> bool {
        true
    }
}

#[tokio::test]
async fn a_stuck_renewal_is_reported_before_the_session_ends() {
    // STS 1 h, refresh_before 1 m: renewal at 59 m; the 90 s check would come after the end,
    // so it comes at three quarters of the minute left instead.
    let r = running(
        &format!("{ROLE}refresh_before = \"1m\"\n"),
        Some(Arc::new(StuckIdp)),
        |_| {},
    )
    .await;
    r.s.clock.advance(59 * MIN);
    settle().await;
    assert!(
        r.notes.current("corp").is_none(),
        "not yet: the renewal runs"
    );
    r.s.clock.advance(Duration::from_secs(45));
    settle().await;
    assert_eq!(
        r.notes.current("corp"),
        Some(Notice::Expiring {
            profile: "corp".into(),
            minutes: 1,
            in_browser: false
        })
    );
}

const CHAIN: &str = "role = \"123456789012/Developer\"\n\n[[profile.chain]]\nrole_arn = \"arn:aws:iam::210987654321:role/EcrReader\"\nregistry = [{ region = \"eu-west-1\" }]\n";

fn chain_issued(r: &Running) -> time::OffsetDateTime {
    r.s.ctl.context().state.load().unwrap().profiles["corp"]
        .session
        .as_ref()
        .unwrap()
        .chain[0]
        .issued_at
}

#[tokio::test]
async fn a_chained_role_is_renewed_every_half_hour_without_touching_the_tokens() {
    // STS 8 h, tokens 12 h, chained role 1 h: the chain is assumed again at its half-life,
    // again and again, while the tokens (and the docker config) stay as they are.
    let r = running(CHAIN, None, |a| {
        a.sts_life = 8 * 60 * MIN;
        a.token_ttl = 12 * 60 * MIN;
    })
    .await;
    let st = status(&r);
    assert_eq!(st.chain.len(), 1);
    assert_eq!(
        st.registries
            .iter()
            .map(|r| r.host.as_str())
            .collect::<Vec<_>>(),
        [
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "210987654321.dkr.ecr.eu-west-1.amazonaws.com"
        ]
    );
    let (sts0, ecr0) = (
        r.s.aws.sts_calls.load(Ordering::SeqCst),
        r.s.aws.ecr_calls.load(Ordering::SeqCst),
    );
    assert_eq!(sts0, 1, "one AssumeRole at sign-in");
    let docker_before = std::fs::read_to_string(&r.s.docker).unwrap();
    r.s.clock.advance(29 * MIN);
    settle().await;
    assert_eq!(r.s.aws.sts_calls.load(Ordering::SeqCst), sts0);
    r.s.clock.advance(MIN);
    settle().await;
    assert_eq!(r.s.aws.sts_calls.load(Ordering::SeqCst), sts0 + 1);
    assert_eq!(
        chain_issued(&r),
        time::macros::datetime!(2099-06-01 12:30 UTC)
    );
    r.s.clock.advance(30 * MIN);
    settle().await;
    assert_eq!(r.s.aws.sts_calls.load(Ordering::SeqCst), sts0 + 2);
    assert_eq!(
        r.s.aws.ecr_calls.load(Ordering::SeqCst),
        ecr0,
        "tokens not due"
    );
    assert_eq!(std::fs::read_to_string(&r.s.docker).unwrap(), docker_before);
    // The chained role's registry uses the chained credentials' token.
    let secrets = r.s.ctl.context().secrets().load("corp").unwrap().unwrap();
    assert_eq!(
        secrets.chained[0].credentials.access_key_id,
        "test-chain-210987654321"
    );
    assert_eq!(
        secrets
            .credentials_for(Some("arn:aws:iam::210987654321:role/EcrReader"))
            .unwrap()
            .expires_at,
        time::macros::datetime!(2099-06-01 14:00 UTC)
    );
}

#[tokio::test]
async fn an_aws_profile_session_is_renewed_silently_without_a_window() {
    let s = setup_with("", |a| a.sts_life = 60 * MIN);
    // Swap the SAML profile for an aws_profile one.
    let ctx = s.ctl.context();
    let mut p = ctx.config.profiles[0].clone();
    p.idp_url = None;
    p.aws_profile = Some("ecr".into());
    s.ctl.config_save(vec![p]).unwrap();
    s.ctl.sign_in_directly("corp", false).await.unwrap();
    let st = s.ctl.status(Some("corp")).unwrap();
    assert_eq!(st.state, SessionState::Active);
    assert_eq!(
        st.role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/FromProfile")
    );
    let notes = Arc::new(RecordingNotifier::new());
    s.ctl.set_hooks(Hooks {
        renewer: None,
        notifier: Some(notes.clone()),
        profiles: None,
    });
    let task = tokio::spawn(run(s.ctl.clone()));
    settle().await;
    let first = s.ctl.status(Some("corp")).unwrap().expires_at.unwrap();
    // refresh_before 10 m: renewal 10 minutes before the end, with no window and no notice.
    s.clock.advance(51 * MIN);
    settle().await;
    let st = s.ctl.status(Some("corp")).unwrap();
    assert!(st.expires_at.unwrap() > first, "renewed");
    assert!(notes.shown().is_empty(), "{:?}", notes.shown());
    assert!(
        !s.events
            .phases()
            .contains(&crate::app::controller::Phase::Failed),
        "no failure"
    );
    task.abort();
}

/// An IAM Identity Center profile signed in from a cached token (as `aws sso login` or an
/// earlier sign-in left it): the role's credentials last an hour, the access token 40 minutes.
fn identity_center_signed_in(s: &Setup) {
    let ctx = s.ctl.context();
    let mut p = ctx.config.profiles[0].clone();
    p.idp_url = None;
    p.sso_start_url = Some("https://d-1234567890.awsapps.com/start".into());
    p.sso_region = Some("us-east-1".into());
    s.ctl.config_save(vec![p]).unwrap();
    let now = s.clock.now();
    crate::aws::sso_cache::write(
        &ctx.sso_cache().unwrap(),
        "https://d-1234567890.awsapps.com/start",
        &crate::aws::sso_cache::CachedToken {
            start_url: "https://d-1234567890.awsapps.com/start".into(),
            region: "us-east-1".into(),
            access_token: crate::SecretString::new("cached"),
            expires_at: now + 40 * MIN,
            client_id: Some("client".into()),
            client_secret: Some(crate::SecretString::new("client-secret")),
            registration_expires_at: Some(now + 90 * 24 * 60 * MIN),
            refresh_token: Some(crate::SecretString::new("refresh")),
        },
    )
    .unwrap();
}

#[tokio::test]
async fn an_identity_center_session_is_renewed_with_its_refresh_token() {
    let s = setup_with("", |a| a.sts_life = 60 * MIN);
    identity_center_signed_in(&s);
    s.ctl.sign_in_directly("corp", false).await.unwrap();
    let st = s.ctl.status(Some("corp")).unwrap();
    assert_eq!(st.state, SessionState::Active);
    assert_eq!(
        s.aws.sso_sign_ins.load(Ordering::SeqCst),
        0,
        "the cache, no browser"
    );
    assert_eq!(s.aws.sso_refreshes.load(Ordering::SeqCst), 0);
    let notes = Arc::new(RecordingNotifier::new());
    s.ctl.set_hooks(Hooks {
        renewer: None,
        notifier: Some(notes.clone()),
        profiles: None,
    });
    let task = tokio::spawn(run(s.ctl.clone()));
    settle().await;
    let first = st.expires_at.unwrap();
    // At 50 minutes the access token (40 minutes) has expired: the renewal 10 minutes before
    // the role's end renews it with the refresh token, silently, then the role's keys.
    s.clock.advance(51 * MIN);
    settle().await;
    let st = s.ctl.status(Some("corp")).unwrap();
    assert!(st.expires_at.unwrap() > first, "renewed");
    assert_eq!(s.aws.sso_refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(
        s.aws.sso_sign_ins.load(Ordering::SeqCst),
        0,
        "never a browser"
    );
    assert_eq!(s.aws.sso_role_calls.load(Ordering::SeqCst), 2);
    assert!(notes.shown().is_empty(), "{:?}", notes.shown());

    // The Identity Center session ends (revoked): the next renewal fails without opening
    // anything, and the user is told while there is time to act.
    s.aws.sso_revoked.store(true, Ordering::SeqCst);
    s.clock.advance(51 * MIN);
    settle().await;
    assert_eq!(
        s.aws.sso_sign_ins.load(Ordering::SeqCst),
        0,
        "never a browser"
    );
    let shown = notes.shown();
    assert!(
        shown.iter().any(|n| matches!(
            n,
            Notice::Expiring {
                in_browser: false,
                ..
            }
        )),
        "{shown:?}"
    );
    task.abort();
}
