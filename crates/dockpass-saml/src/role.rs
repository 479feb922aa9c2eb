//! AWS roles as a SAML assertion offers them, and how the user picks one.
//!
//! A SAML `Role` attribute value is a `role ARN,SAML provider ARN` pair (either order). The
//! selector the user types (`--role`, config `role`, `switch ROLE`) is a role ARN,
//! `ACCOUNT/NAME` or a bare `NAME` when that is unambiguous (docs/ARCHITECTURE.md, "Sign-in and trust").

use crate::error::{err, Code, Result};
use serde::{Deserialize, Serialize};

/// One role the assertion allows, with the SAML provider STS needs alongside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Role {
    /// `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`
    pub role_arn: String,
    /// `arn:PARTITION:iam::ACCOUNT:saml-provider/NAME` (STS's PrincipalArn)
    pub principal_arn: String,
    /// 12-digit account id of the role.
    pub account: String,
    /// Role name without its path.
    pub name: String,
    /// IAM path: `/` or `/team/` (always starts and ends with `/`).
    pub path: String,
    /// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, ...
    pub partition: String,
}

impl Role {
    /// From the two comma-separated parts of an AWS Role attribute value, in either order
    /// (role ARN and SAML provider ARN), whitespace tolerated.
    ///
    /// Errors carry `Code::SamlInvalid` and say what is wrong with the value; the SAML parser
    /// skips such values when other pairs are valid.
    pub fn from_attribute_value(v: &str) -> Result<Role> {
        let parts = split_pair(v);
        if parts.len() != 2 {
            let found = match parts.len() {
                1 => "one part".to_string(),
                n => format!("{n} parts"),
            };
            return Err(err(
                Code::SamlInvalid,
                format!("expected 'ROLE_ARN,SAML_PROVIDER_ARN', found {found}"),
            ));
        }
        let (a, b) = (parts[0], parts[1]);
        let (role_arn, provider_arn) = if is_provider_arn(a) { (b, a) } else { (a, b) };
        let r = parse_role_arn_parts(role_arn).map_err(|m| err(Code::SamlInvalid, m))?;
        let p = parse_provider_arn(provider_arn).map_err(|m| err(Code::SamlInvalid, m))?;
        // A provider in another partition can never be the role's trusted principal.
        if p.partition != r.partition {
            return Err(err(
                Code::SamlInvalid,
                format!(
                    "role and SAML provider are in different partitions ({} and {})",
                    r.partition, p.partition
                ),
            ));
        }
        Ok(Role {
            role_arn: role_arn.to_string(),
            principal_arn: provider_arn.to_string(),
            account: r.account.to_string(),
            name: r.name.to_string(),
            path: r.path,
            partition: r.partition.to_string(),
        })
    }

    /// "Name @ 123456789012" style short label for humans.
    pub fn label(&self) -> String {
        format!("{} @ {}", self.name, self.account)
    }

    /// "123456789012/Name": the short selector that always picks exactly this role
    /// (role names are unique per account, whatever their path).
    pub fn qualified_name(&self) -> String {
        format!("{}/{}", self.account, self.name)
    }
}

/// Also parse a bare role ARN (for chained roles and config `role`):
/// `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`.
///
/// Returns `(partition, account, path, name)` with `path` as IAM writes it (`/` or `/a/b/`).
/// Errors carry `Code::Usage`; callers that read config re-code them as they see fit.
pub fn parse_role_arn(arn: &str) -> Result<(String, String, String, String)> {
    let r = parse_role_arn_parts(arn.trim()).map_err(|m| err(Code::Usage, m))?;
    Ok((
        r.partition.to_string(),
        r.account.to_string(),
        r.path,
        r.name.to_string(),
    ))
}

/// Picks a role by selector: full role ARN, `ACCOUNT/NAME`, or bare `NAME` when unambiguous
/// (case-sensitive exact match first; then case-insensitive if unique). Also accepts
/// `ACCOUNT/PATH/NAME` and the `Name @ ACCOUNT` label the UI shows.
///
/// Roles sharing a role ARN (same role via two providers) count as one: the first is returned.
pub fn select<'a>(roles: &'a [Role], selector: &str) -> Result<&'a Role> {
    let sel = selector.trim();
    if sel.is_empty() {
        return Err(not_found(roles, sel));
    }
    let sel_kind = Selector::parse(sel);
    for ci in [false, true] {
        let hits = distinct(roles.iter().filter(|r| sel_kind.matches(r, ci)));
        match hits.len() {
            0 => continue,
            1 => return Ok(hits[0]),
            _ => {
                let list = hits
                    .iter()
                    .map(|r| r.qualified_name())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(err(
                    Code::RoleAmbiguous,
                    format!(
                        "role '{}' matches several roles ({list}): use ACCOUNT/NAME or the role ARN",
                        short(sel)
                    ),
                ));
            }
        }
    }
    Err(not_found(roles, sel))
}

/// Like [`select`], but a bare `NAME` (or `PATH/NAME`) picks only among the roles in the
/// `known` accounts when there are any: an assertion that also offers a role of that name in
/// a strange account cannot slip it in. ARNs and `ACCOUNT/NAME` name their account.
pub fn select_known<'a>(roles: &'a [Role], selector: &str, known: &[String]) -> Result<&'a Role> {
    let bare = matches!(
        Selector::parse(selector.trim()),
        Selector::Name(_) | Selector::PathName(_)
    );
    if !bare || known.is_empty() {
        return select(roles, selector);
    }
    let inside: Vec<Role> = roles
        .iter()
        .filter(|r| known.contains(&r.account))
        .cloned()
        .collect();
    match select(&inside, selector) {
        Ok(hit) => Ok(roles
            .iter()
            .find(|r| r.role_arn == hit.role_arn)
            .unwrap_or(&roles[0])),
        Err(e) if e.code == Code::RoleNotFound => match select(roles, selector) {
            Ok(elsewhere) => Err(err(
                Code::RoleNotFound,
                format!(
                    "role '{}' is only offered in account {}, which this profile has not used; name it {} to use it",
                    short(selector.trim()),
                    elsewhere.account,
                    elsewhere.qualified_name()
                ),
            )),
            Err(_) => Err(e),
        },
        Err(e) => Err(e),
    }
}

/// The forms a role selector takes.
enum Selector<'s> {
    Arn(&'s str),
    /// `ACCOUNT/NAME`, `ACCOUNT/PATH/NAME` or the label `NAME @ ACCOUNT`.
    InAccount {
        account: &'s str,
        rest: &'s str,
    },
    /// `PATH/NAME` in any account.
    PathName(&'s str),
    Name(&'s str),
}

impl<'s> Selector<'s> {
    fn parse(sel: &'s str) -> Self {
        if sel.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("arn:")) {
            Selector::Arn(sel)
        } else if let Some((name, account)) = sel.split_once(" @ ") {
            Selector::InAccount {
                account: account.trim(),
                rest: name.trim(),
            }
        } else if let Some((head, rest)) = sel.split_once('/') {
            if is_account(head) {
                Selector::InAccount {
                    account: head,
                    rest,
                }
            } else {
                Selector::PathName(sel)
            }
        } else {
            Selector::Name(sel)
        }
    }

    fn matches(&self, r: &Role, ci: bool) -> bool {
        match *self {
            Selector::Arn(a) => eq(&r.role_arn, a, ci),
            Selector::InAccount { account, rest } => {
                r.account == account && (eq(&r.name, rest, ci) || eq(&path_name(r), rest, ci))
            }
            Selector::PathName(p) => eq(&path_name(r), p, ci),
            Selector::Name(n) => eq(&r.name, n, ci),
        }
    }
}

/// How many roles a RoleNotFound message lists before it says "and N more".
const LIST_MAX: usize = 10;

fn not_found(roles: &[Role], sel: &str) -> crate::error::Error {
    let all = distinct(roles.iter());
    if all.is_empty() {
        return err(
            Code::RoleNotFound,
            format!(
                "role '{}' not found: the assertion offers no roles",
                short(sel)
            ),
        );
    }
    let mut list = all
        .iter()
        .take(LIST_MAX)
        .map(|r| r.qualified_name())
        .collect::<Vec<_>>()
        .join(", ");
    if all.len() > LIST_MAX {
        list.push_str(&format!(" and {} more", all.len() - LIST_MAX));
    }
    let what = if sel.is_empty() {
        "no role given".to_string()
    } else {
        format!("role '{}' not found", short(sel))
    };
    err(
        Code::RoleNotFound,
        format!("{what}; available roles: {list} (give one as ACCOUNT/NAME or its ARN)"),
    )
}

/// Keeps the first role of each role ARN, in order.
fn distinct<'a>(it: impl Iterator<Item = &'a Role>) -> Vec<&'a Role> {
    let mut out: Vec<&Role> = Vec::new();
    for r in it {
        if !out.iter().any(|o| o.role_arn == r.role_arn) {
            out.push(r);
        }
    }
    out
}

fn eq(a: &str, b: &str, case_insensitive: bool) -> bool {
    if case_insensitive {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// "team/Name" for path "/team/", "Name" for "/".
fn path_name(r: &Role) -> String {
    format!("{}{}", r.path.trim_start_matches('/'), r.name)
}

/// User input echoed in messages stays short and on one line.
fn short(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if s.chars().count() > 100 {
        format!("{}…", s.chars().take(100).collect::<String>())
    } else {
        s
    }
}

/// Splits at commas that start a new ARN, so a comma inside a role name (IAM allows it)
/// does not break the pair. Parts are trimmed; empty parts are kept so they are reported.
/// One trailing comma (`role,provider,`, which some IdPs send and AWS sign-in accepts) is
/// dropped first.
fn split_pair(v: &str) -> Vec<&str> {
    let v = v.trim();
    let v = v.strip_suffix(',').map(str::trim_end).unwrap_or(v);
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, _) in v.match_indices(',') {
        if v[i + 1..].trim_start().starts_with("arn:") || i + 1 == v.len() {
            parts.push(v[start..i].trim());
            start = i + 1;
        }
    }
    parts.push(v[start..].trim());
    parts
}

fn is_provider_arn(s: &str) -> bool {
    s.starts_with("arn:") && s.contains(":saml-provider/")
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`, ...: any `aws(-[a-z0-9]+)*`.
fn is_partition(s: &str) -> bool {
    s.starts_with("aws")
        && s.split('-').all(|seg| !seg.is_empty())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

struct RoleArn<'a> {
    partition: &'a str,
    account: &'a str,
    path: String,
    name: &'a str,
}

struct IamArn<'a> {
    partition: &'a str,
    account: &'a str,
    resource: &'a str,
}

/// Splits `arn:PARTITION:iam::ACCOUNT:RESOURCE` and checks everything but the resource.
fn parse_iam_arn<'a>(arn: &'a str, kind: &str) -> std::result::Result<IamArn<'a>, String> {
    let expected = format!("expected arn:aws:iam::ACCOUNT:{kind}/NAME");
    let f: Vec<&str> = arn.splitn(6, ':').collect();
    if f.len() != 6 || f[0] != "arn" {
        return Err(format!("'{}' is not an ARN ({expected})", short(arn)));
    }
    if !is_partition(f[1]) {
        return Err(format!(
            "'{}' has an unknown partition '{}' ({expected})",
            short(arn),
            short(f[1])
        ));
    }
    if f[2] != "iam" || !f[3].is_empty() {
        return Err(format!("'{}' is not an IAM ARN ({expected})", short(arn)));
    }
    if !is_account(f[4]) {
        return Err(format!(
            "'{}' does not hold a 12-digit account id ({expected})",
            short(arn)
        ));
    }
    Ok(IamArn {
        partition: f[1],
        account: f[4],
        resource: f[5],
    })
}

fn parse_role_arn_parts(arn: &str) -> std::result::Result<RoleArn<'_>, String> {
    let a = parse_iam_arn(arn, "role")?;
    let Some(rest) = a.resource.strip_prefix("role/") else {
        return Err(format!(
            "'{}' is not a role ARN (expected arn:aws:iam::ACCOUNT:role/NAME)",
            short(arn)
        ));
    };
    let (path, name) = match rest.rfind('/') {
        Some(i) => (format!("/{}", &rest[..=i]), &rest[i + 1..]),
        None => ("/".to_string(), rest),
    };
    // IAM: names are [\w+=,.@-]{1,64}; paths are printable ASCII, at most 512 characters.
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    if !name_ok {
        return Err(format!(
            "'{}' does not end in a valid role name (letters, digits and +=,.@_- only)",
            short(arn)
        ));
    }
    if path.len() > 512 || !path.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(format!("'{}' has an invalid role path", short(arn)));
    }
    Ok(RoleArn {
        partition: a.partition,
        account: a.account,
        path,
        name,
    })
}

fn parse_provider_arn(arn: &str) -> std::result::Result<IamArn<'_>, String> {
    let a = parse_iam_arn(arn, "saml-provider")?;
    let name = a.resource.strip_prefix("saml-provider/").unwrap_or("");
    // IAM: SAML provider names are [\w._-]{1,128}.
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !ok {
        return Err(format!(
            "'{}' is not a SAML provider ARN (expected arn:aws:iam::ACCOUNT:saml-provider/NAME)",
            short(arn)
        ));
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV: &str = "arn:aws:iam::123456789012:role/Developer";
    const PROV: &str = "arn:aws:iam::123456789012:saml-provider/Okta";

    fn role(account: &str, path_name: &str) -> Role {
        Role::from_attribute_value(&format!(
            "arn:aws:iam::{account}:role/{path_name},arn:aws:iam::{account}:saml-provider/IdP"
        ))
        .unwrap()
    }

    #[test]
    fn pair_in_either_order_with_whitespace() {
        let a = Role::from_attribute_value(&format!("{DEV},{PROV}")).unwrap();
        let b = Role::from_attribute_value(&format!("\n  {PROV} ,\n\t {DEV}  \n")).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a,
            Role {
                role_arn: DEV.into(),
                principal_arn: PROV.into(),
                account: "123456789012".into(),
                name: "Developer".into(),
                path: "/".into(),
                partition: "aws".into(),
            }
        );
        assert_eq!(a.label(), "Developer @ 123456789012");
        assert_eq!(a.qualified_name(), "123456789012/Developer");
    }

    #[test]
    fn role_paths_and_partitions() {
        for (part, acct, res, path, name) in [
            ("aws", "111122223333", "role/team/Dev", "/team/", "Dev"),
            ("aws", "111122223333", "role/a/b/c/Dev", "/a/b/c/", "Dev"),
            ("aws-cn", "111122223333", "role/CnRole", "/", "CnRole"),
            ("aws-us-gov", "111122223333", "role/Gov", "/", "Gov"),
            ("aws-iso", "111122223333", "role/x/Iso", "/x/", "Iso"),
            ("aws-iso-b", "111122223333", "role/IsoB", "/", "IsoB"),
            (
                "aws",
                "111122223333",
                "role/name+with=odd,chars.@_-",
                "/",
                "name+with=odd,chars.@_-",
            ),
        ] {
            let v = format!("arn:{part}:iam::{acct}:{res},arn:{part}:iam::{acct}:saml-provider/P");
            let r = Role::from_attribute_value(&v).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(
                (r.partition.as_str(), r.path.as_str(), r.name.as_str()),
                (part, path, name)
            );
            assert_eq!(r.account, acct);
            let (p, a, pa, n) = parse_role_arn(&r.role_arn).unwrap();
            assert_eq!(
                (p.as_str(), a.as_str(), pa.as_str(), n.as_str()),
                (part, acct, path, name)
            );
        }
    }

    #[test]
    fn a_bare_name_picks_only_in_known_accounts() {
        let mine = Role::from_attribute_value(&format!("{DEV},{PROV}")).unwrap();
        let theirs = Role::from_attribute_value(
            "arn:aws:iam::999999999999:role/Developer,arn:aws:iam::999999999999:saml-provider/Evil",
        )
        .unwrap();
        let both = [theirs.clone(), mine.clone()];
        let known = vec!["123456789012".to_string()];
        assert_eq!(select_known(&both, "Developer", &known).unwrap(), &mine);
        // Without known accounts the name is ambiguous, as before.
        assert_eq!(
            select_known(&both, "Developer", &[]).unwrap_err().code,
            Code::RoleAmbiguous
        );
        let only_theirs = [theirs.clone()];
        let e = select_known(&only_theirs, "Developer", &known).unwrap_err();
        assert_eq!(e.code, Code::RoleNotFound);
        assert!(
            e.message.contains("999999999999/Developer"),
            "{}",
            e.message
        );
        // Naming the account is explicit.
        assert_eq!(
            select_known(&only_theirs, "999999999999/Developer", &known).unwrap(),
            &theirs
        );
    }

    #[test]
    fn one_trailing_comma_is_accepted_as_aws_does() {
        for v in [
            format!("{DEV},{PROV},"),
            format!("{PROV},{DEV},"),
            format!("{DEV}, {PROV} , "),
        ] {
            let r = Role::from_attribute_value(&v).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(r.role_arn, DEV);
            assert_eq!(r.principal_arn, PROV);
        }
        assert!(Role::from_attribute_value(&format!("{DEV},{PROV},,")).is_err());
    }

    #[test]
    fn invalid_values_are_saml_invalid() {
        for v in [
            "",
            DEV,
            PROV,
            "a,b",
            "arn:aws:iam::123456789012:role/Dev,arn:aws:iam::123456789012:role/Ops",
            "arn:aws:iam::12345:role/Dev,arn:aws:iam::12345:saml-provider/P",
            "arn:aws:s3:::bucket,arn:aws:iam::123456789012:saml-provider/P",
            "arn:aws:iam::123456789012:user/Dev,arn:aws:iam::123456789012:saml-provider/P",
            "arn:aws:iam::123456789012:role/,arn:aws:iam::123456789012:saml-provider/P",
            "arn:aws:iam::123456789012:role/Dev,arn:aws:iam::123456789012:saml-provider/",
            "arn:azure:iam::123456789012:role/Dev,arn:azure:iam::123456789012:saml-provider/P",
            "arn:aws:iam::123456789012:role/Dev,arn:aws-cn:iam::123456789012:saml-provider/P",
            "arn:aws:iam::123456789012:role/Dev,arn:aws:iam::123456789012:saml-provider/P,extra",
            "arn:aws:iam::123456789012:role/Dev Team,arn:aws:iam::123456789012:saml-provider/P",
            "arn:aws:iam:us-east-1:123456789012:role/Dev,arn:aws:iam::123456789012:saml-provider/P",
        ] {
            let e = Role::from_attribute_value(v).expect_err(v);
            assert_eq!(e.code, Code::SamlInvalid, "{v}");
            assert!(!e.message.contains('\n'));
        }
    }

    #[test]
    fn parse_role_arn_rejects_non_roles() {
        for a in [
            "",
            "Developer",
            PROV,
            "arn:aws:iam::123456789012:role",
            "arn:aws:iam::1234567890123:role/X",
        ] {
            assert_eq!(parse_role_arn(a).unwrap_err().code, Code::Usage, "{a}");
        }
        assert_eq!(
            parse_role_arn(" arn:aws:iam::123456789012:role/ops/Admin ").unwrap(),
            (
                "aws".into(),
                "123456789012".into(),
                "/ops/".into(),
                "Admin".into()
            )
        );
    }

    fn sample() -> Vec<Role> {
        vec![
            role("111111111111", "Dev"),
            role("111111111111", "team/Admin"),
            role("222222222222", "Dev"),
            role("222222222222", "ReadOnly"),
            role("333333333333", "readonly"),
            role("333333333333", "Pusher"),
        ]
    }

    #[test]
    fn select_by_arn_account_name_and_name() {
        let roles = sample();
        let r = select(&roles, "arn:aws:iam::222222222222:role/Dev").unwrap();
        assert_eq!(r.account, "222222222222");
        assert_eq!(
            select(&roles, "111111111111/Dev").unwrap().account,
            "111111111111"
        );
        assert_eq!(select(&roles, "Pusher").unwrap().account, "333333333333");
        assert_eq!(select(&roles, "  Admin ").unwrap().path, "/team/");
        assert_eq!(
            select(&roles, "111111111111/team/Admin").unwrap().name,
            "Admin"
        );
        assert_eq!(select(&roles, "team/Admin").unwrap().name, "Admin");
        assert_eq!(
            select(&roles, "Pusher @ 333333333333").unwrap().name,
            "Pusher"
        );
        // exact case wins over the case-insensitive twin
        assert_eq!(select(&roles, "ReadOnly").unwrap().account, "222222222222");
        assert_eq!(select(&roles, "readonly").unwrap().account, "333333333333");
        // case-insensitive fallback when unique
        assert_eq!(select(&roles, "pusher").unwrap().name, "Pusher");
        assert_eq!(select(&roles, "111111111111/admin").unwrap().name, "Admin");
        assert_eq!(
            select(&roles, "ARN:AWS:IAM::333333333333:ROLE/PUSHER")
                .unwrap()
                .name,
            "Pusher"
        );
        assert_eq!(
            select(&roles, "arn:aws:iam::333333333333:role/PUSHER")
                .unwrap()
                .name,
            "Pusher"
        );
    }

    #[test]
    fn select_errors() {
        let roles = sample();
        let e = select(&roles, "Dev").unwrap_err();
        assert_eq!(e.code, Code::RoleAmbiguous);
        assert!(
            e.message.contains("111111111111/Dev") && e.message.contains("222222222222/Dev"),
            "{}",
            e.message
        );
        assert!(e.message.contains("ACCOUNT/NAME"), "{}", e.message);

        let e = select(&roles, "READONLY").unwrap_err();
        assert_eq!(e.code, Code::RoleAmbiguous, "{}", e.message);

        for s in [
            "Nope",
            "999999999999/Dev",
            "arn:aws:iam::111111111111:role/Nope",
            "",
            "   ",
        ] {
            let e = select(&roles, s).unwrap_err();
            assert_eq!(e.code, Code::RoleNotFound, "{s}");
            assert!(e.message.contains("111111111111/Dev"), "{}", e.message);
            assert!(e.message.contains("333333333333/Pusher"), "{}", e.message);
        }
        let e = select(&[], "Dev").unwrap_err();
        assert_eq!(e.code, Code::RoleNotFound);
        assert!(e.message.contains("no roles"));
    }

    #[test]
    fn not_found_list_is_shortened() {
        let roles: Vec<Role> = (0..25)
            .map(|i| role(&format!("{:012}", i), "Dev"))
            .collect();
        let e = select(&roles, "Ops").unwrap_err();
        assert!(e.message.contains("and 15 more"), "{}", e.message);
        assert!(e.message.len() < 400);
    }

    #[test]
    fn same_role_via_two_providers_is_not_ambiguous() {
        let a = role("111111111111", "Dev");
        let mut b = a.clone();
        b.principal_arn = "arn:aws:iam::111111111111:saml-provider/Other".into();
        let roles = vec![a.clone(), b];
        assert_eq!(select(&roles, "Dev").unwrap(), &a);
    }

    #[test]
    fn serde_round_trip() {
        let r = role("111111111111", "team/Dev");
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["path"], "/team/");
        assert_eq!(serde_json::from_value::<Role>(v).unwrap(), r);
    }
}
