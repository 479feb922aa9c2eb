//! The rules a profile must follow, field by field (docs/ARCHITECTURE.md, "Config").
//!
//! One set of rules for every reader: loading the config file reports the first problem with
//! its line; the settings editor and the setup ask [`check_profile`] and show every problem
//! under its field, so the UI never copies a rule.

use super::{ChainSpec, Profile, RegistrySpec};
use crate::registry::{is_account, is_region, PUBLIC_REGION};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// AWS's shortest AssumeRoleWithSAML session.
pub const MIN_SESSION: Duration = Duration::from_secs(900);
/// The shortest lead time before expiry that leaves a refresh room to work.
pub const MIN_REFRESH_BEFORE: Duration = Duration::from_secs(60);

/// One problem: the field's path as serde names it (`region`, `registry[0].account`,
/// `accounts[2]`) and one line saying what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

/// Every problem of a profile for the settings editor: field (see [`ProfileCheck::errors`]) to
/// message, the first problem of a field only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ProfileCheck {
    /// Keyed by the form's field: the serde path without a list item's index
    /// (`accounts`, `registry[0].aliases`), so a list typed in one box shows its problem there.
    pub errors: BTreeMap<String, String>,
}

impl ProfileCheck {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Checks a profile as the UI sends it (JSON of [`Profile`]) against the names of the saved
/// profiles; `original` is the name it was saved under (editing), so it does not clash with
/// itself. A value that does not even deserialize (a duration of "8 hours", a number where a
/// string belongs) is reported at its field, and the rest is still checked.
pub fn check_profile<'a>(
    value: &serde_json::Value,
    saved_names: impl IntoIterator<Item = &'a str>,
    original: Option<&str>,
) -> ProfileCheck {
    let other_names: Vec<&str> = saved_names
        .into_iter()
        .filter(|n| Some(*n) != original)
        .collect();
    let mut out = ProfileCheck::default();
    let mut add = |field: &str, message: String| {
        out.errors.entry(form_field(field)).or_insert(message);
    };
    let mut value = value.clone();
    let mut seen = std::collections::BTreeSet::new();
    // Each failed field is reported and taken out, so the next pass finds the next one.
    for _ in 0..32 {
        match serde_path_to_error::deserialize::<_, Profile>(&value) {
            Ok(p) => {
                for pr in problems(&p, other_names.iter().copied()) {
                    add(&pr.field, pr.message);
                }
                break;
            }
            Err(e) => {
                let field = e.path().to_string();
                let message = e.into_inner().to_string();
                let again = !seen.insert(field.clone());
                if field.is_empty() || field == "." || !remove_path(&mut value, &field, again) {
                    add(if field == "." { "" } else { &field }, message);
                    break;
                }
                add(&field, message);
            }
        }
    }
    out
}

/// The form field of a serde path: a list of strings is one text box.
fn form_field(path: &str) -> String {
    match path.strip_suffix(']').and_then(|p| p.rsplit_once('[')) {
        Some((list, index)) if index.bytes().all(|b| b.is_ascii_digit()) => list.to_string(),
        _ => path.to_string(),
    }
}

/// Removes `a.b[1].c` from a JSON value; false when the path is not there. A list item is
/// blanked to `{}` (so later items keep their indexes, and their problems their fields) unless
/// `drop_items`, for an item that fails even blank.
fn remove_path(value: &mut serde_json::Value, path: &str, drop_items: bool) -> bool {
    let mut steps: Vec<Result<&str, usize>> = Vec::new();
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            steps.push(Ok(key));
        }
        for idx in rest.split('[') {
            if let Some(n) = idx.strip_suffix(']').and_then(|n| n.parse().ok()) {
                steps.push(Err(n));
            }
        }
    }
    let Some((last, parents)) = steps.split_last() else {
        return false;
    };
    let mut cur = value;
    for step in parents {
        let next = match step {
            Ok(k) => cur.get_mut(*k),
            Err(i) => cur.get_mut(*i),
        };
        let Some(next) = next else { return false };
        cur = next;
    }
    match (last, cur) {
        (Ok(k), serde_json::Value::Object(m)) => m.remove(*k).is_some(),
        (Err(i), serde_json::Value::Array(a)) if *i < a.len() => {
            if drop_items || !a[*i].is_object() {
                a.remove(*i);
            } else {
                a[*i] = serde_json::Value::Object(Default::default());
            }
            true
        }
        _ => false,
    }
}

/// Every problem of one profile, in the order of its fields; `other_names` are the names the
/// profile must not repeat.
pub fn problems<'a>(p: &Profile, other_names: impl IntoIterator<Item = &'a str>) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut add = |field: String, message: String| out.push(Problem { field, message });

    if p.name.is_empty() {
        add("name".into(), "missing: give the profile a name".into());
    } else if !is_profile_name(&p.name) {
        add(
            "name".into(),
            format!(
                "{:?} is not a valid profile name; use letters, digits, '.', '_' and '-'",
                p.name
            ),
        );
    } else if other_names.into_iter().any(|n| n == p.name) {
        add(
            "name".into(),
            format!(
                "profile {:?} is defined twice; names must be unique",
                p.name
            ),
        );
    }
    source_problems(p, &mut add);
    if p.loopback_port == Some(0) {
        add(
            "loopback_port".into(),
            "0 is not a port; use the port of the loopback ACS URL you added at your IdP (1-65535)"
                .into(),
        );
    }
    for (j, t) in p.targets.iter().enumerate() {
        if p.targets[..j].contains(t) {
            add(
                format!("targets[{j}]"),
                "named twice; list each of \"docker\" and \"containers\" once".into(),
            );
        }
    }
    for (j, o) in p.idp_origins.iter().enumerate() {
        if let Err(why) = super::check_origin(o) {
            add(format!("idp_origins[{j}]"), why);
        }
    }
    for (j, a) in p.accounts.iter().enumerate() {
        if !is_account(&a.id) {
            add(
                format!("accounts[{j}]"),
                format!("{:?} is not a 12-digit AWS account id", a.id),
            );
        } else if let Some(why) = a.name.as_deref().and_then(super::accounts::name_problem) {
            add(format!("accounts[{j}]"), format!("{}: {why}", a.id));
        }
    }
    if p.region.is_empty() {
        add(
            "region".into(),
            "missing: set an AWS region such as us-east-1".into(),
        );
    } else if !is_region(&p.region) {
        add(
            "region".into(),
            format!("{:?} is not an AWS region such as us-east-1", p.region),
        );
    }
    if let Some(role) = p.role.as_deref() {
        if let Some(why) = role_selector_problem(role) {
            add("role".into(), why);
        }
    }
    if let Some(d) = p.session_duration {
        if d.0 < MIN_SESSION {
            add(
                "session_duration".into(),
                format!("{d} is shorter than the AWS minimum of 15m"),
            );
        }
    }
    if let Some(d) = p.refresh_before {
        if d.0 < MIN_REFRESH_BEFORE {
            add(
                "refresh_before".into(),
                format!("{d} is too short; use at least 1m"),
            );
        }
    }
    if let Some(e) = &p.sts_endpoint {
        if let Err(why) = super::check_url(e) {
            add("sts_endpoint".into(), why);
        }
    }
    for (j, r) in p.registry.iter().enumerate() {
        for (field, why) in registry_problems(r) {
            add(format!("registry[{j}].{field}"), why);
        }
        if let Some(role) = &r.role {
            let why = if p.source() != super::Source::IdentityCenter {
                Some("only an IAM Identity Center profile picks a role per account; remove role")
            } else if r.account.is_none() {
                Some("name the registry's account too; the session's own account uses the profile's role")
            } else if role.trim().is_empty() || role.contains(['/', ':']) {
                Some("the role's name as the access portal shows it, such as Developer")
            } else {
                None
            };
            if let Some(why) = why {
                add(format!("registry[{j}].role"), why.into());
            }
        }
    }
    for (j, c) in p.chain.iter().enumerate() {
        chain_problems(c, &format!("chain[{j}]"), &mut add);
    }
    for (j, e) in p.roles.iter().enumerate() {
        let r = &e.0;
        let at = format!("roles[{j}]");
        if p.source() != super::Source::Idp {
            add(
                format!("{at}.role"),
                "only a SAML profile (idp_url) signs in to several roles at once; remove roles"
                    .into(),
            );
        } else if let Some(why) = sign_in_role_problem(&r.role) {
            add(format!("{at}.role"), why);
        } else if p.roles[..j].iter().any(|o| same_role(&o.0.role, &r.role)) {
            add(
                format!("{at}.role"),
                format!("{} is named twice; list each role once", r.role),
            );
        }
        for (k, reg) in r.registry.iter().enumerate() {
            let mut problems = registry_problems(reg);
            if reg.role.is_some() {
                problems.push((
                    "role",
                    "a role's registries use that role; remove role".into(),
                ));
            }
            for (field, why) in problems {
                add(format!("{at}.registry[{k}].{field}"), why);
            }
        }
        for (k, c) in r.chain.iter().enumerate() {
            chain_problems(c, &format!("{at}.chain[{k}]"), &mut add);
        }
    }
    out
}

/// A role of `roles` names its account: `ACCOUNT/NAME` or the role's ARN.
fn sign_in_role_problem(role: &str) -> Option<String> {
    if role.starts_with("arn:") {
        return crate::role::parse_role_arn(role).err().map(|e| e.message);
    }
    match role.split_once('/') {
        Some((account, name)) if is_account(account) && !name.is_empty() && !name.chars().any(char::is_whitespace) => None,
        _ => Some(format!(
            "{role:?}: name the role with its account, as ACCOUNT/NAME (123456789012/Deployer) or its ARN"
        )),
    }
}

/// Whether two selectors of `roles` name the same role (`ACCOUNT/NAME` or an ARN).
fn same_role(a: &str, b: &str) -> bool {
    let key = |s: &str| match crate::role::parse_role_arn(s) {
        Ok((_, account, _, name)) => format!("{account}/{name}"),
        Err(_) => s.to_string(),
    };
    key(a) == key(b)
}

fn chain_problems(c: &ChainSpec, at: &str, add: &mut impl FnMut(String, String)) {
    if let Err(e) = crate::role::parse_role_arn(&c.role_arn) {
        add(format!("{at}.role_arn"), e.message);
    }
    for (k, r) in c.registry.iter().enumerate() {
        let mut problems = registry_problems(r);
        if r.role.is_some() {
            problems.push((
                "role",
                "a chained role's registries use that role; remove role".into(),
            ));
        }
        if r.account.is_some() && !r.public {
            problems.insert(
                0,
                (
                    "account",
                    "a chained registry is in the chained role's account; remove account".into(),
                ),
            );
        }
        for (field, why) in problems {
            add(format!("{at}.registry[{k}].{field}"), why);
        }
    }
}

/// A profile name: letters, digits, `.`, `_` and `-` (it names files and appears in commands).
pub fn is_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// The preselected role: an ARN (checked as one), `ACCOUNT/NAME` or a bare name, no spaces.
fn role_selector_problem(role: &str) -> Option<String> {
    if role.starts_with("arn:") {
        return crate::role::parse_role_arn(role).err().map(|e| e.message);
    }
    (role.is_empty() || role.chars().any(char::is_whitespace)).then(|| {
        format!("role {role:?} is not a role ARN, ACCOUNT/NAME or a role name (no spaces)")
    })
}

/// Problems of one registry, by its field (`account`, `region`, `aliases[N]`).
fn registry_problems(r: &RegistrySpec) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    match &r.account {
        Some(_) if r.public => out.push((
            "account",
            "ECR Public (public = true) has no account; remove account".into(),
        )),
        Some(a) if !is_account(a) => out.push((
            "account",
            format!("account {a:?} is not a 12-digit AWS account id"),
        )),
        _ => {}
    }
    match r.region.as_deref() {
        Some(reg) if !is_region(reg) => out.push((
            "region",
            format!("region {reg:?} is not an AWS region such as us-east-1"),
        )),
        Some(reg) if r.public && reg != PUBLIC_REGION => out.push((
            "region",
            format!(
                "ECR Public (public = true) issues tokens in {PUBLIC_REGION} only; remove region"
            ),
        )),
        _ => {}
    }
    if let Some(a) = r.aliases.iter().find(|a| alias_problem(a)) {
        out.push((
            "aliases",
            format!(
                "alias {a:?} must be a registry host name such as registry.example.com or 127.0.0.1:5000 (no scheme, no path)"
            ),
        ));
    }
    out
}

fn alias_problem(a: &str) -> bool {
    a.is_empty() || a.contains("://") || a.contains('/') || a.chars().any(char::is_whitespace)
}

/// Exactly one source: an IdP (`idp_url`), an AWS profile, or IAM Identity Center; and the
/// fields that only one of them reads are not set for another.
fn source_problems(p: &Profile, add: &mut impl FnMut(String, String)) {
    let sso = p.sso_start_url.is_some() || p.sso_region.is_some() || p.sso_session.is_some();
    let set = [p.idp_url.is_some(), p.aws_profile.is_some(), sso];
    match set.iter().filter(|s| **s).count() {
        0 => add(
            "idp_url".into(),
            "missing: set idp_url (your IdP's AWS app URL), sso_start_url (your AWS access portal) or aws_profile".into(),
        ),
        1 => {}
        _ => {
            let field = if p.aws_profile.is_some() { "aws_profile" } else { "sso_start_url" };
            add(
                field.into(),
                "set one of idp_url, sso_start_url (or sso_session) and aws_profile, not several".into(),
            );
            return;
        }
    }
    if let Some(u) = &p.idp_url {
        if u.trim().is_empty() {
            add(
                "idp_url".into(),
                "missing: enter your identity provider's AWS app URL".into(),
            );
        } else if let Err(why) = super::check_url(u) {
            add("idp_url".into(), why);
        }
    }
    if p.aws_profile
        .as_deref()
        .is_some_and(|a| a.trim().is_empty())
    {
        add(
            "aws_profile".into(),
            "missing: name a profile of your AWS config".into(),
        );
    }
    if sso {
        sso_problems(p, add);
    }
    if p.idp_url.is_none() {
        if !p.idp_origins.is_empty() {
            add(
                "idp_origins".into(),
                "only a profile with idp_url signs in at an IdP; remove idp_origins".into(),
            );
        }
        if !p.login.is_default() {
            add(
                "login".into(),
                "only a profile with idp_url signs in at an IdP; remove login".into(),
            );
        }
    }
}

/// IAM Identity Center: a portal URL with its region, or a session of the AWS config.
fn sso_problems(p: &Profile, add: &mut impl FnMut(String, String)) {
    if let Some(name) = &p.sso_session {
        if name.trim().is_empty() || name.contains(['[', ']', '\n']) {
            add(
                "sso_session".into(),
                "name an [sso-session NAME] of your AWS config (~/.aws/config)".into(),
            );
        }
        if p.sso_start_url.is_some() || p.sso_region.is_some() {
            add(
                "sso_start_url".into(),
                "sso_session gives the start URL and region; remove sso_start_url and sso_region"
                    .into(),
            );
        }
        return;
    }
    let portal = match p.sso_start_url.as_deref() {
        None => {
            add(
                "sso_start_url".into(),
                "missing: paste your AWS access portal URL (https://d-1234567890.awsapps.com/start), or name an sso_session".into(),
            );
            None
        }
        Some(u) => match crate::portal::parse(u) {
            Ok(portal) => Some(portal),
            Err(why) => {
                add("sso_start_url".into(), why);
                None
            }
        },
    };
    match p.sso_region.as_deref() {
        None => add(
            "sso_region".into(),
            "missing: set the region of your IAM Identity Center, such as us-east-1".into(),
        ),
        Some(r) if !is_region(r) => add(
            "sso_region".into(),
            format!("{r:?} is not an AWS region such as us-east-1"),
        ),
        Some(r) => {
            if let Some(why) =
                portal.and_then(|portal| crate::portal::check_region(&portal, r).err())
            {
                add("sso_region".into(), why);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(v: serde_json::Value) -> BTreeMap<String, String> {
        check_profile(&v, ["taken", "corp"], Some("corp")).errors
    }

    #[test]
    fn a_good_profile_has_no_problems() {
        let v = json!({
            "name": "corp", "idp_url": "https://corp.okta.com/home/amazon_aws/0oa1/272",
            "region": "eu-west-1", "role": "123456789012/Dev", "session_duration": "8h",
            "accounts": ["123456789012"], "idp_origins": ["https://login.corp.example"],
            "targets": ["docker", "containers"],
            "registry": [{ "account": "123456789012", "aliases": ["registry.corp.example"] }, { "public": true }],
            "chain": [{ "role_arn": "arn:aws:iam::210987654321:role/EcrReader", "registry": [{ "region": "us-east-1" }] }],
        });
        assert_eq!(check(v), BTreeMap::new());
    }

    #[test]
    fn every_problem_at_its_field_at_once() {
        let e = check(json!({
            "name": "taken", "idp_url": "http://corp.example/sso", "region": "Frankfurt",
            "session_duration": "eight hours", "refresh_before": "10s", "role": "Dev Ops",
            "accounts": ["123456789012", "123"], "idp_origins": ["https://x.example/path"],
            "sts_endpoint": "ftp://x", "targets": ["containers", "containers"],
            "registry": [{ "account": "12", "region": "eu-west-1", "aliases": ["https://r.example"] },
                         { "public": true, "account": "123456789012", "region": "eu-west-1" }],
            "chain": [{ "role_arn": "arn:aws:iam::1:role/X", "registry": [{ "account": "123456789012" }] }],
        }));
        let keys: Vec<&str> = e.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "accounts",
                "chain[0].registry[0].account",
                "chain[0].role_arn",
                "idp_origins",
                "idp_url",
                "name",
                "refresh_before",
                "region",
                "registry[0].account",
                "registry[0].aliases",
                "registry[1].account",
                "registry[1].region",
                "role",
                "session_duration",
                "sts_endpoint",
                "targets",
            ]
        );
        assert!(e["targets"].contains("named twice"), "{}", e["targets"]);
        assert!(e["accounts"].contains("\"123\""), "{}", e["accounts"]);
        assert!(e["name"].contains("defined twice"), "{}", e["name"]);
        assert!(e["idp_url"].contains("clear text"), "{}", e["idp_url"]);
        assert!(
            e["session_duration"].contains("eight hours"),
            "{}",
            e["session_duration"]
        );
        assert!(e["registry[1].region"].contains("us-east-1 only"));
        assert!(e.values().all(|m| !m.contains('\n')));
    }

    #[test]
    fn several_roles_name_their_accounts_once_and_need_a_saml_profile() {
        let base =
            json!({ "name": "a", "idp_url": "https://idp.example/sso", "region": "us-east-1" });
        let with = |roles: serde_json::Value| {
            let mut v = base.clone();
            v["roles"] = roles;
            check(v)
        };
        assert!(with(
            json!(["111111111111/Dev", { "role": "arn:aws:iam::222222222222:role/Ci",
            "registry": [{ "region": "eu-west-1" }],
            "chain": [{ "role_arn": "arn:aws:iam::333333333333:role/R" }] }])
        )
        .is_empty());
        let e = with(
            json!(["Dev", "111111111111/Dev", "arn:aws:iam::111111111111:role/Dev",
            { "role": "222222222222/Ci", "registry": [{ "region": "mars-1", "role": "X" }],
              "chain": [{ "role_arn": "arn:x" }] }]),
        );
        assert!(e["roles[0].role"].contains("ACCOUNT/NAME"), "{e:?}");
        assert!(e["roles[2].role"].contains("named twice"), "{e:?}");
        assert!(e.contains_key("roles[3].registry[0].region"), "{e:?}");
        assert!(e.contains_key("roles[3].chain[0].role_arn"), "{e:?}");
        let sso = json!({ "name": "a", "region": "eu-west-1", "sso_start_url": "https://acme.awsapps.com/start",
            "sso_region": "eu-west-1", "roles": ["111111111111/Dev"] });
        assert!(check(sso)["roles[0].role"].contains("only a SAML profile"));
    }

    #[test]
    fn identity_center_profiles() {
        let ok = json!({ "name": "a", "region": "eu-west-1",
            "sso_start_url": "https://acme.awsapps.com/start", "sso_region": "eu-west-1",
            "role": "111111111111/Developer" });
        assert!(check(ok).is_empty());
        assert!(
            check(json!({ "name": "a", "region": "eu-west-1", "sso_session": "acme" })).is_empty()
        );
        let e = check(
            json!({ "name": "a", "region": "eu-west-1", "sso_start_url": "https://acme.awsapps.com/start" }),
        );
        assert!(e["sso_region"].starts_with("missing"), "{e:?}");
        let e = check(json!({ "name": "a", "region": "eu-west-1", "sso_region": "eu-west-1" }));
        assert!(e["sso_start_url"].contains("access portal URL"), "{e:?}");
        let e = check(json!({ "name": "a", "region": "eu-west-1",
            "sso_start_url": "https://corp.okta.com/app/aws", "sso_region": "eu-west-1" }));
        assert!(
            e["sso_start_url"].contains("not an AWS access portal"),
            "{e:?}"
        );
        let e = check(json!({ "name": "a", "region": "eu-west-1",
            "sso_start_url": "https://start.home.awsapps.cn/directory/d-1", "sso_region": "eu-west-1" }));
        assert!(e["sso_region"].contains("cn-north-1"), "{e:?}");
        let e = check(
            json!({ "name": "a", "region": "eu-west-1", "sso_session": "acme",
            "sso_region": "eu-west-1" }),
        );
        assert!(
            e["sso_start_url"].contains("remove sso_start_url and sso_region"),
            "{e:?}"
        );
        let e = check(
            json!({ "name": "a", "region": "eu-west-1", "sso_session": "acme",
            "idp_url": "https://idp.example/aws" }),
        );
        assert!(e["sso_start_url"].contains("not several"), "{e:?}");
        let e = check(
            json!({ "name": "a", "region": "eu-west-1", "sso_session": "acme",
            "login": "browser" }),
        );
        assert!(e["login"].contains("remove login"), "{e:?}");
    }

    #[test]
    fn required_fields_say_missing() {
        let e = check(json!({ "name": "", "region": "" }));
        assert!(e["name"].starts_with("missing"), "{}", e["name"]);
        assert!(e["region"].starts_with("missing"), "{}", e["region"]);
        assert!(e["idp_url"].contains("aws_profile"), "{}", e["idp_url"]);
        let e = check(json!({ "name": "a", "region": "us-east-1", "idp_url": "" }));
        assert!(e["idp_url"].starts_with("missing"), "{:?}", e);
        let e = check(json!({ "name": "a", "region": "us-east-1", "aws_profile": " " }));
        assert!(e["aws_profile"].starts_with("missing"), "{:?}", e);
        let e = check(
            json!({ "name": "a", "region": "us-east-1", "aws_profile": "x", "idp_origins": ["https://a.example"] }),
        );
        assert!(
            e["idp_origins"].contains("only a profile with idp_url"),
            "{e:?}"
        );
    }

    #[test]
    fn ecr_public_and_http_on_this_machine() {
        let e = check(
            json!({ "name": "a", "region": "us-east-1", "idp_url": "http://127.0.0.1:7000/sso",
            "registry": [{ "public": true, "region": "us-east-1" }] }),
        );
        assert_eq!(e, BTreeMap::new());
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_reported_too() {
        let e = check(
            json!({ "name": "a", "region": "us-east-1", "idp_url": "https://x.example",
            "regin": "x", "credential_process": "yes" }),
        );
        assert!(e.contains_key("regin"), "{e:?}");
        assert!(e.contains_key("credential_process"), "{e:?}");
        let e = check(
            json!({ "name": "a", "region": "us-east-1", "idp_url": "https://x.example",
            "chain": [{}, { "role_arn": "x" }] }),
        );
        assert!(e["chain"].contains("role_arn"), "{e:?}");
        let e = check(json!("not an object"));
        assert_eq!(e.len(), 1, "{e:?}");
    }

    #[test]
    fn form_fields_and_paths() {
        assert_eq!(form_field("accounts[3]"), "accounts");
        assert_eq!(form_field("registry[0].aliases[1]"), "registry[0].aliases");
        assert_eq!(form_field("registry[0].region"), "registry[0].region");
        let mut v = json!({ "a": [{ "b": 1 }, { "b": 2, "c": 3 }], "s": ["x", "y"] });
        assert!(remove_path(&mut v, "a[1].c", false));
        assert!(!remove_path(&mut v, "a[5].c", false));
        assert!(remove_path(&mut v, "a[0]", false));
        assert!(remove_path(&mut v, "s[0]", false));
        assert_eq!(v, json!({ "a": [{}, { "b": 2 }], "s": ["y"] }));
        assert!(remove_path(&mut v, "a[0]", true));
        assert_eq!(v, json!({ "a": [{ "b": 2 }], "s": ["y"] }));
    }
}
