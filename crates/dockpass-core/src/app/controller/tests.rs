//! Controller flows with a fake AWS, a manual clock and real files in a temp dir.

use super::*;
use crate::app::testkit::*;
use time::macros::datetime;

#[tokio::test]
async fn several_roles_open_the_picker_and_the_pick_signs_in() {
    let s = setup("");
    assert_eq!(capture(&s, None).await.unwrap(), Next::PickRole);
    let picker = &s.events.pickers()[0];
    assert_eq!(picker.profile, "corp");
    assert_eq!(picker.roles.len(), 3);
    assert!(!s.docker.exists(), "nothing is written before the pick");
    // A main window that opens only now still gets the picker.
    assert_eq!(s.ctl.overview().unwrap().picker.unwrap().roles.len(), 3);

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
    assert!(s.ctl.overview().unwrap().picker.is_none());
}

#[tokio::test]
async fn account_names_come_from_the_profile_then_the_account_alias() {
    // The profile names one account (which also trusts it); IAM tells every account's alias.
    let s = setup_with(
        "[profile.accounts]\n\"345678901234\" = \"staging\"\n",
        |a| a.alias = Some("acme".into()),
    );
    assert_eq!(capture(&s, None).await.unwrap(), Next::PickRole);
    let picker = &s.events.pickers()[0];
    assert_eq!(
        picker.account_names,
        std::collections::BTreeMap::from([("345678901234".to_string(), "staging".to_string())])
    );
    let next = s
        .ctl
        .pick_role("corp", "arn:aws:iam::345678901234:role/Developer")
        .await
        .unwrap();
    assert_eq!(next, Next::Done);
    // The profile's name wins over the alias.
    let st = s.ctl.status(Some("corp")).unwrap();
    assert_eq!(st.account_name.as_deref(), Some("staging"));

    // Without a name in the profile, the alias (kept in the state for the tray and the picker).
    let s = setup_with("role = \"123456789012/Developer\"\n", |a| {
        a.alias = Some("acme-dev".into())
    });
    assert_eq!(capture(&s, None).await.unwrap(), Next::Done);
    let st = s.ctl.status(Some("corp")).unwrap();
    assert_eq!(st.account_name.as_deref(), Some("acme-dev"));
    let items = s.ctl.role_items("corp").unwrap();
    let dev = items
        .iter()
        .find(|i| i.role.account == "123456789012")
        .unwrap();
    assert_eq!(dev.account_name.as_deref(), Some("acme-dev"));
    assert!(dev.current || items.iter().any(|i| i.current));
    let names: std::collections::BTreeMap<String, String> = items
        .iter()
        .filter_map(|i| Some((i.role.account.clone(), i.account_name.clone()?)))
        .collect();
    assert_eq!(names["123456789012"], "acme-dev");
    s.ctl.show_switch_picker("corp").unwrap();
    assert_eq!(s.events.pickers().last().unwrap().account_names, names);
}

#[tokio::test]
async fn several_roles_from_one_sign_in_and_a_refresh_keeps_them_all() {
    use std::sync::atomic::Ordering::SeqCst;
    // Two roles in two accounts; the second reaches eu-west-1 and a role chained from it.
    let s = setup(concat!(
        "roles = [\"123456789012/Developer\", { role = \"345678901234/Developer\", ",
        "registry = [{ region = \"eu-west-1\" }], ",
        "chain = [{ role_arn = \"arn:aws:iam::456789012345:role/Reader\" }] }]\n",
    ));
    assert_eq!(
        capture(&s, None).await.unwrap(),
        Next::Done,
        "no picker: roles names them"
    );
    assert_eq!(
        s.aws.saml_calls.load(SeqCst),
        2,
        "one assertion, two AssumeRoleWithSAML"
    );
    assert_eq!(
        s.aws.sts_calls.load(SeqCst),
        1,
        "the chain, from the second role"
    );
    let mut hosts = docker_hosts(&s);
    hosts.sort();
    assert_eq!(
        hosts,
        vec![
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "345678901234.dkr.ecr.eu-west-1.amazonaws.com",
            "456789012345.dkr.ecr.us-east-1.amazonaws.com",
        ]
    );
    let st = s.ctl.status(Some("corp")).unwrap();
    assert_eq!(
        st.role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/Developer")
    );
    let other = st
        .chain
        .iter()
        .find(|c| c.account == "345678901234")
        .unwrap();
    assert!(other.sign_in && other.from.is_none(), "{other:?}");
    let chained = st
        .chain
        .iter()
        .find(|c| c.account == "456789012345")
        .unwrap();
    assert!(!chained.sign_in);
    assert_eq!(
        chained.from.as_deref(),
        Some("arn:aws:iam::345678901234:role/Developer")
    );
    let state = s.ctl.context().state.load().unwrap();
    let session = state.profiles["corp"].session.clone().unwrap();
    let via = |h: &str| {
        session
            .registries
            .iter()
            .find(|r| r.host == h)
            .unwrap()
            .via
            .clone()
    };
    assert_eq!(
        via("345678901234.dkr.ecr.eu-west-1.amazonaws.com").as_deref(),
        Some("arn:aws:iam::345678901234:role/Developer")
    );

    // A refresh renews every token and the chain (from the second role), never the roles.
    s.clock.advance(std::time::Duration::from_secs(40 * 60));
    s.ctl.refresh_now("corp").await;
    assert_eq!(s.aws.saml_calls.load(SeqCst), 2);
    assert_eq!(s.aws.sts_calls.load(SeqCst), 2);
    let st = s.ctl.status(Some("corp")).unwrap();
    assert_eq!(st.error, None);
    assert_eq!(st.registries.len(), 3);
}

#[tokio::test]
async fn a_preselected_role_signs_in_without_the_picker() {
    let s = setup("role = \"123456789012/Admin\"\n");
    assert_eq!(capture(&s, None).await.unwrap(), Next::Done);
    assert!(s.events.pickers().is_empty());
    let status = s.ctl.status(Some("corp")).unwrap();
    assert_eq!(
        status.role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/Admin")
    );
    // The UI shows the role by name and path as the backend splits them.
    assert_eq!(
        (status.role_name.as_deref(), status.role_path.as_deref()),
        (Some("Admin"), Some("/"))
    );
    assert_eq!(status.refresh_before_s, 600);
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
    // An account the profile has not used waits for the user's word, then signs in.
    assert_eq!(next, Next::ConfirmTrust);
    assert!(s.events.names().contains(&"trust-prompt"));
    assert!(!docker_hosts(&s).contains(&"345678901234.dkr.ecr.us-east-1.amazonaws.com".into()));
    assert_eq!(s.ctl.confirm_trust("corp").await.unwrap(), Next::Done);
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
        s.ctl
            .check_navigation("corp", "https://idp.example/next", IDP_PAGE),
        Navigation::Allow
    ));
    assert!(matches!(
        s.ctl
            .check_navigation("corp", "https://signin.aws.amazon.com/saml", IDP_PAGE),
        Navigation::Refuse(_)
    ));
    assert!(matches!(
        s.ctl
            .check_navigation("corp", &sentinel("not-the-nonce"), IDP_PAGE),
        Navigation::Refuse(_)
    ));
    // Bound to the window: another login window (profile) cannot hand in this attempt's capture.
    assert!(matches!(
        s.ctl
            .check_navigation("other", &sentinel(&attempt.nonce), IDP_PAGE),
        Navigation::Refuse(_)
    ));
    assert!(matches!(
        s.ctl
            .check_navigation("corp", &sentinel(&attempt.nonce), IDP_PAGE),
        Navigation::Captured(..)
    ));
    // The attempt is over: the same sentinel is not accepted twice.
    assert!(matches!(
        s.ctl
            .check_navigation("corp", &sentinel(&attempt.nonce), IDP_PAGE),
        Navigation::Refuse(_)
    ));
}

#[tokio::test]
async fn a_hand_over_from_a_page_not_of_the_idp_is_refused_and_said() {
    let s = setup("");
    let attempt = s.ctl.begin_login("corp", None).unwrap();
    let nav = s.ctl.check_navigation(
        "corp",
        &sentinel(&attempt.nonce),
        Some("https://evil.example/landing"),
    );
    let Navigation::Refuse(Some(why)) = nav else {
        panic!("not refused with a reason: {nav:?}")
    };
    assert!(why.contains("https://evil.example"), "{why}");
    assert!(s
        .ctl
        .overview()
        .unwrap()
        .activity
        .iter()
        .any(|a| a.kind == Kind::Error && a.message == why));
    assert_eq!(
        s.aws.saml_calls.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    assert!(!s.docker.exists());
    // A listed origin may hand over.
    let s = setup("idp_origins = [\"https://login.idp-upstream.example\"]\n");
    let attempt = s.ctl.begin_login("corp", None).unwrap();
    assert!(matches!(
        s.ctl.check_navigation(
            "corp",
            &sentinel(&attempt.nonce),
            Some("https://login.idp-upstream.example/post")
        ),
        Navigation::Captured(..)
    ));
}

#[tokio::test]
async fn an_assertion_for_another_service_is_not_used() {
    let s = setup("role = \"123456789012/Developer\"\n");
    let other = OKTA.replace(
        "Destination=\"https://signin.aws.amazon.com/saml\"",
        "Destination=\"https://app.example/acs\"",
    );
    let e = capture_xml(&s, None, &other).await.unwrap_err();
    assert_eq!(e.code, Code::SamlInvalid);
    assert!(
        e.message.contains("https://app.example/acs"),
        "{}",
        e.message
    );
    assert_eq!(
        s.aws.saml_calls.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[tokio::test]
async fn a_new_issuer_waits_for_the_user_and_nothing_changes_until_then() {
    use std::sync::atomic::Ordering::SeqCst;
    let s = setup("role = \"123456789012/Developer\"\n");
    assert_eq!(capture(&s, None).await.unwrap(), Next::Done);
    let before = std::fs::read_to_string(&s.docker).unwrap();
    let calls = s.aws.saml_calls.load(SeqCst);
    let evil = OKTA.replace(
        "http://www.okta.com/exk1a2b3c4d5E6F7g8h9",
        "https://idp.attacker.example/metadata",
    );

    assert_eq!(
        capture_xml(&s, None, &evil).await.unwrap(),
        Next::ConfirmTrust
    );
    let q = s.ctl.overview().unwrap().trust.unwrap();
    assert!(q.new_issuer && !q.new_account);
    assert_eq!(
        q.issuer.as_deref(),
        Some("https://idp.attacker.example/metadata")
    );
    assert_eq!(
        q.known_issuer.as_deref(),
        Some("http://www.okta.com/exk1a2b3c4d5E6F7g8h9")
    );
    assert_eq!(s.aws.saml_calls.load(SeqCst), calls, "STS is not asked");
    assert_eq!(std::fs::read_to_string(&s.docker).unwrap(), before);

    // Refused: nothing is used, and a role switch cannot reuse that assertion.
    s.ctl.reject_trust("corp");
    assert!(s.ctl.overview().unwrap().trust.is_none());
    assert_eq!(*s.events.phases().last().unwrap(), Phase::Cancelled);
    assert_eq!(
        s.ctl
            .pick_role("corp", "arn:aws:iam::123456789012:role/Admin")
            .await
            .unwrap(),
        Next::SignIn {
            role_arn: Some("arn:aws:iam::123456789012:role/Admin".into())
        }
    );
    assert_eq!(std::fs::read_to_string(&s.docker).unwrap(), before);
    assert!(s.ctl.confirm_trust("corp").await.is_err(), "nothing waits");

    // Confirmed: signed in, and the new issuer is the known one from then on.
    assert_eq!(
        capture_xml(&s, None, &evil).await.unwrap(),
        Next::ConfirmTrust
    );
    assert_eq!(s.ctl.confirm_trust("corp").await.unwrap(), Next::Done);
    assert_eq!(s.aws.saml_calls.load(SeqCst), calls + 1);
    assert_eq!(capture_xml(&s, None, &evil).await.unwrap(), Next::Done);
    assert_eq!(capture(&s, None).await.unwrap(), Next::ConfirmTrust);
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
        "https://saml.dockpass.invalid/capture/{}?action=https%3A%2F%2Fsignin.aws.amazon.com%2Fsaml&response=bm90IHNhbWw%3D",
        attempt.nonce
    );
    let Navigation::Captured(c, role) = s.ctl.check_navigation("corp", &url, IDP_PAGE) else {
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
async fn the_setups_proposals_become_registries_with_tokens_at_once() {
    let s = setup("role = \"123456789012/Developer\"\n");
    capture(&s, None).await.unwrap();
    let proposals = s.ctl.propose_registries("corp").unwrap();
    let seen: Vec<(&str, bool)> = proposals
        .iter()
        .map(|p| (p.account.as_str(), p.configured))
        .collect();
    assert_eq!(seen, [("123456789012", true), ("345678901234", false)]);
    assert_eq!(proposals[0].roles, ["Developer", "Admin"]);

    let add = vec![crate::app::setup::NewRegistry {
        account: "345678901234".into(),
        region: "eu-west-1".into(),
    }];
    let view = s.ctl.add_registries("corp", add).await.unwrap();
    assert_eq!(
        view.profiles[0].registry.len(),
        2,
        "the default registry is kept, written out"
    );
    // Both are in docker at once, without a new sign-in (one AssumeRoleWithSAML in all).
    assert_eq!(
        docker_hosts(&s),
        vec![
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "345678901234.dkr.ecr.eu-west-1.amazonaws.com"
        ]
    );
    let text = std::fs::read_to_string(&view.path).unwrap();
    assert!(
        text.contains("account = \"345678901234\"") && text.contains("region = \"eu-west-1\""),
        "{text}"
    );
    let st = s.ctl.status(Some("corp")).unwrap();
    assert_eq!(st.registries.len(), 2);
    let again = s.ctl.propose_registries("corp").unwrap();
    assert!(again.iter().all(|p| p.configured), "{again:?}");
    assert_eq!(again[1].region, "eu-west-1");
}

#[tokio::test]
async fn token_refresh_uses_the_session_and_keeps_it_when_it_fails() {
    let s = setup("role = \"123456789012/Developer\"\n");
    capture(&s, None).await.unwrap();
    let ctx = s.ctl.context();
    let profile = ctx.profile(Some("corp")).unwrap().clone();

    s.clock.advance(std::time::Duration::from_secs(30 * 60));
    let report = crate::session::refresh_tokens(&ctx, s.aws.as_ref(), &profile, true)
        .await
        .unwrap();
    assert_eq!(report.registries.len(), 1);
    let state = ctx.state.load().unwrap();
    let reg = &state.profiles["corp"].session.as_ref().unwrap().registries[0];
    assert_eq!(reg.issued_at, Some(datetime!(2099-06-01 12:30 UTC)));

    // Past the STS session's end there is nothing to pay for tokens with: sign in again.
    s.clock.advance(std::time::Duration::from_secs(60 * 60));
    let before = std::fs::read_to_string(&s.docker).unwrap();
    let e = crate::session::refresh_tokens(&ctx, s.aws.as_ref(), &profile, true)
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::NotLoggedIn);
    assert!(e.message.contains("sign in again"), "{}", e.message);
    assert_eq!(std::fs::read_to_string(&s.docker).unwrap(), before);
    let p = &ctx.state.load().unwrap().profiles["corp"];
    assert!(p.session.is_some(), "the last good session stays");
    assert_eq!(p.last_error.as_ref().unwrap().code, Code::NotLoggedIn);
}

#[tokio::test]
async fn the_repository_list_is_cached_for_the_session_and_refetched_on_request() {
    let s = setup("role = \"123456789012/Developer\"\n\n[[profile.chain]]\nrole_arn = \"arn:aws:iam::210987654321:role/EcrReader\"\n");
    capture(&s, None).await.unwrap();
    let first = s.ctl.repositories("corp", false).await.unwrap();
    assert_eq!(first.repositories.len(), 4, "{first:?}");
    // The chained registry is listed with the chained role's credentials.
    assert!(first
        .repositories
        .iter()
        .any(|r| r.account == "210987654321" && r.name.starts_with("test-chain-210987654321/")));
    s.clock.advance(std::time::Duration::from_secs(60));
    let cached = s.ctl.repositories("corp", false).await.unwrap();
    assert_eq!(cached.fetched_at, first.fetched_at);
    let fresh = s.ctl.repositories("corp", true).await.unwrap();
    assert!(fresh.fetched_at > first.fetched_at);
    // A new sign-in is a new session: not the old list.
    capture(&s, None).await.unwrap();
    let after = s.ctl.repositories("corp", false).await.unwrap();
    assert!(after.fetched_at > first.fetched_at);
    let images = s
        .ctl
        .images(
            "corp",
            "210987654321.dkr.ecr.us-east-1.amazonaws.com",
            "x/app",
        )
        .await
        .unwrap();
    assert_eq!(images[0].tags, ["latest"]);
    let e = s
        .ctl
        .images("corp", "elsewhere.example", "x")
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::Usage);
    s.ctl.logout("corp").unwrap();
    assert_eq!(
        s.ctl.repositories("corp", false).await.unwrap_err().code,
        Code::NotLoggedIn
    );
}

/// The loopback mode through the controller: the tray's Log in opens the IdP in the browser
/// (`$BROWSER`, here `true`), the IdP posts to the loopback ACS URL, the sign-in follows, and
/// the browser's page says how it went.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_posting_to_the_loopback_acs_signs_in() {
    use std::io::{Read, Write};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = setup(&format!(
        "role = \"123456789012/Admin\"\nlogin = \"loopback\"\nloopback_port = {port}\n"
    ));
    std::env::set_var("BROWSER", "true");
    assert!(s.ctl.uses_browser("corp"));
    let ctl = s.ctl.clone();
    let signing = tokio::spawn(async move { ctl.sign_in_in_browser("corp", None, false).await });
    let acs = format!("http://127.0.0.1:{port}/saml");
    let xml = OKTA.replace("https://signin.aws.amazon.com/saml", &acs);
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, xml);
    let form: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("SAMLResponse", &b64)
        .finish();
    let page = tokio::task::spawn_blocking(move || {
        let mut stream = None;
        for _ in 0..200 {
            if let Ok(c) = std::net::TcpStream::connect(("127.0.0.1", port)) {
                stream = Some(c);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let mut c = stream.expect("the loopback listener");
        write!(
            c,
            "POST /saml HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: https://idp.example\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        )
        .unwrap();
        let mut out = String::new();
        c.read_to_string(&mut out).unwrap();
        out
    })
    .await
    .unwrap();
    assert!(
        page.contains("Signed in to profile corp as Admin @ 123456789012"),
        "{page}"
    );
    assert_eq!(signing.await.unwrap().unwrap(), Next::Done);
    assert_eq!(
        docker_hosts(&s),
        vec!["123456789012.dkr.ecr.us-east-1.amazonaws.com"]
    );
    assert!(s.events.phases().contains(&Phase::WaitingForIdp));
    // Nothing listens once the sign-in is over (its task ends at its next turn).
    let mut gone = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(gone, "the loopback listener stopped");
}

/// A page asking for a security key gets the offer; the user's choice hands the window's
/// attempt (and its role) to the browser, so closing the window cancels nothing.
#[test]
fn the_window_offers_the_browser_and_hands_its_attempt_over() {
    let s = setup("");
    let attempt = s
        .ctl
        .begin_login("corp", Some("arn:aws:iam::123456789012:role/Admin".into()))
        .unwrap();
    let n = &attempt.nonce;
    let offer = format!("https://saml.dockpass.invalid/browser/{n}?why=webauthn");
    match s.ctl.check_navigation("corp", &offer, IDP_PAGE) {
        Navigation::OfferBrowser { script } => {
            assert!(script.contains(&format!("/continue/{n}?always=")))
        }
        other => panic!("{other:?}"),
    }
    // Another attempt's offer, or an unknown reason: refused, no offer.
    let other = "https://saml.dockpass.invalid/browser/0000?why=webauthn";
    assert!(matches!(
        s.ctl.check_navigation("corp", other, IDP_PAGE),
        Navigation::Refuse(_)
    ));
    let odd = format!("https://saml.dockpass.invalid/browser/{n}?why=bored");
    assert!(matches!(
        s.ctl.check_navigation("corp", &odd, IDP_PAGE),
        Navigation::Refuse(_)
    ));
    let go = format!("https://saml.dockpass.invalid/continue/{n}?always=1");
    assert!(matches!(
        s.ctl.check_navigation("corp", &go, IDP_PAGE),
        Navigation::ContinueInBrowser { always: true }
    ));
    assert_eq!(
        s.ctl.take_for_browser("corp").as_deref(),
        Some("arn:aws:iam::123456789012:role/Admin")
    );
    s.ctl.end_attempt("corp", false);
    assert!(!s.events.phases().contains(&Phase::Cancelled));
}

/// Cancel stops a sign-in that waits in the browser at once: its listener goes, the UI hears
/// "cancelled", and the session stays as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_sign_in_can_be_cancelled() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = setup(&format!("login = \"loopback\"\nloopback_port = {port}\n"));
    std::env::set_var("BROWSER", "true");
    assert!(!s.ctl.cancel_browser_sign_in("corp"), "nothing waits yet");
    let ctl = s.ctl.clone();
    let signing = tokio::spawn(async move { ctl.sign_in_in_browser("corp", None, false).await });
    // Waiting: the listener answers and the overview shows it.
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            && !s.ctl.overview().unwrap().progress.is_empty()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(s.ctl.overview().unwrap().progress.len(), 1);
    assert!(s.ctl.cancel_browser_sign_in("corp"));
    let e = signing.await.unwrap().unwrap_err();
    assert!(e.message.contains("cancelled"), "{}", e.message);
    assert!(s.events.phases().contains(&Phase::Cancelled));
    assert!(s.ctl.overview().unwrap().progress.is_empty());
    // The listener's task ends at its next turn.
    let mut gone = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(gone, "the loopback listener stopped");
    assert!(!s.docker.exists());
}

#[tokio::test]
async fn the_console_link_is_for_the_live_sessions_role_and_never_in_the_activity() {
    let s = setup("role = \"123456789012/Developer\"\n");
    let e = s.ctl.console_url("corp").await.unwrap_err();
    assert_eq!(e.code, crate::Code::NotLoggedIn, "no session, no console");
    assert_eq!(capture(&s, None).await.unwrap(), Next::Done);
    let url = s.ctl.console_url("corp").await.unwrap();
    let key = crate::session::live_session(
        &s.ctl.context(),
        s.ctl.context().profile(Some("corp")).unwrap(),
    )
    .unwrap()
    .1
    .credentials
    .access_key_id;
    assert!(url
        .expose()
        .contains(&format!("SigninToken=token-for-{key}")));
    assert!(url
        .expose()
        .contains("Destination=https%3A%2F%2Fus-east-1.console.aws.amazon.com"));
    let activity = format!("{:?}", s.ctl.overview().unwrap());
    assert!(
        !activity.contains("token-for-"),
        "the link stays out of what the UI shows"
    );
}
