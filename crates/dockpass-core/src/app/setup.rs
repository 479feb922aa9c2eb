//! The first-run setup's registry proposals: after the first sign-in, every account the
//! assertion offers a role in is a registry the user probably wants (in the profile's region).
//! Adding them writes plain `[[profile.registry]]` tables, so the file stays hand-editable.

use crate::config::{Profile, RegistrySpec};
use crate::role::Role;
use serde::{Deserialize, Serialize};

/// One account of the assertion, as a registry the profile could have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RegistryProposal {
    pub account: String,
    pub region: String,
    /// The role names offered in that account (for the user to recognise it).
    pub roles: Vec<String>,
    /// The profile already reaches a registry of this account (listed, or the default of the
    /// role in use); `region` is then that registry's.
    pub configured: bool,
}

/// A registry the user chose to add.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewRegistry {
    pub account: String,
    pub region: String,
}

/// The registry host of a proposal as the user edits its region, or why there is none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RegistryHost {
    pub host: Option<String>,
    pub problem: Option<String>,
}

/// The ECR host of each account and region (the partition's DNS suffix included), or what is
/// wrong with the pair; the setup shows these instead of building host names itself.
pub fn hosts(list: &[NewRegistry]) -> Vec<RegistryHost> {
    list.iter()
        .map(|r| {
            let problem = if !crate::registry::is_account(&r.account) {
                Some(format!("{:?} is not a 12-digit AWS account id", r.account))
            } else if r.region.trim().is_empty() {
                Some("Enter an AWS region such as us-east-1".to_string())
            } else if !crate::registry::is_region(r.region.trim()) {
                Some(format!(
                    "{:?} is not an AWS region such as us-east-1",
                    r.region.trim()
                ))
            } else {
                None
            };
            RegistryHost {
                host: problem
                    .is_none()
                    .then(|| crate::registry::EcrRegistry::new(&r.account, r.region.trim()).host()),
                problem,
            }
        })
        .collect()
}

/// The accounts of `roles` in the order they first appear, each in the profile's region.
/// `session_account` is the account of the role in use (it decides the default registry).
pub fn proposals(
    profile: &Profile,
    roles: &[Role],
    session_account: Option<&str>,
) -> Vec<RegistryProposal> {
    let reached: Vec<(String, String)> =
        crate::session::targets(profile, session_account.unwrap_or(""))
            .into_iter()
            .filter(|t| !t.registry.is_public())
            .map(|t| (t.registry.account, t.registry.region))
            .collect();
    let mut out: Vec<RegistryProposal> = Vec::new();
    for r in roles {
        match out.iter_mut().find(|p| p.account == r.account) {
            Some(p) => {
                if !p.roles.contains(&r.name) {
                    p.roles.push(r.name.clone());
                }
            }
            None => {
                // An account the profile already reaches is shown with its registry's region.
                let have = reached
                    .iter()
                    .find(|(a, reg)| *a == r.account && *reg == profile.region)
                    .or_else(|| reached.iter().find(|(a, _)| *a == r.account));
                out.push(RegistryProposal {
                    account: r.account.clone(),
                    region: have.map_or(&profile.region, |(_, reg)| reg).clone(),
                    roles: vec![r.name.clone()],
                    configured: have.is_some(),
                })
            }
        }
    }
    out
}

/// `profile` with `add` appended to its registries. A profile without a registry list reaches
/// its role's account by default; that registry is written out first so adding others keeps
/// it. Registries already there are not repeated.
pub fn with_registries(
    profile: &Profile,
    session_account: Option<&str>,
    add: &[NewRegistry],
) -> Profile {
    let mut p = profile.clone();
    if p.registry.is_empty() && !add.is_empty() {
        if let Some(account) = session_account {
            p.registry
                .push(spec(account, &profile.region, &profile.region));
        }
    }
    for n in add {
        let new = spec(&n.account, &n.region, &profile.region);
        let same = |r: &RegistrySpec| {
            !r.public
                && r.account.as_deref().or(session_account) == Some(n.account.as_str())
                && r.region.as_deref().unwrap_or(&profile.region) == n.region
        };
        if !p.registry.iter().any(same) {
            p.registry.push(new);
        }
    }
    p
}

/// A registry table as a person would write it: the region only when it differs.
fn spec(account: &str, region: &str, profile_region: &str) -> RegistrySpec {
    RegistrySpec {
        role: None,
        account: Some(account.to_string()),
        region: (region != profile_region).then(|| region.to_string()),
        aliases: vec![],
        public: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(account: &str, name: &str) -> Role {
        Role::from_attribute_value(&format!(
            "arn:aws:iam::{account}:role/{name},arn:aws:iam::{account}:saml-provider/idp"
        ))
        .unwrap()
    }

    fn profile() -> Profile {
        crate::config::Config::parse(
            "[[profile]]\nname = \"corp\"\nidp_url = \"https://idp.example/sso\"\nregion = \"eu-west-1\"\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap()
        .profiles
        .remove(0)
    }

    #[test]
    fn hosts_in_every_partition_or_what_is_wrong() {
        let r = |account: &str, region: &str| NewRegistry {
            account: account.into(),
            region: region.into(),
        };
        let got = hosts(&[
            r("123456789012", "eu-west-1"),
            r("123456789012", " cn-north-1 "),
            r("123456789012", "eu-isoe-west-1"),
            r("123456789012", "Frankfurt"),
            r("123456789012", ""),
            r("1234", "eu-west-1"),
        ]);
        assert_eq!(
            got[0].host.as_deref(),
            Some("123456789012.dkr.ecr.eu-west-1.amazonaws.com")
        );
        assert_eq!(
            got[1].host.as_deref(),
            Some("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")
        );
        // the hosts docker will be given parse back to the same registry
        for h in got.iter().take(3) {
            let host = h.host.as_deref().unwrap();
            assert!(crate::registry::parse_host(host).is_some(), "{host}");
        }
        assert!(got[3].problem.as_deref().unwrap().contains("Frankfurt"));
        assert!(got[4].problem.as_deref().unwrap().contains("us-east-1"));
        assert!(got[5].problem.as_deref().unwrap().contains("12-digit"));
        assert!(got[3..].iter().all(|h| h.host.is_none()));
    }

    #[test]
    fn one_proposal_per_account_with_its_roles() {
        let roles = [
            role("111111111111", "Dev"),
            role("222222222222", "Reader"),
            role("111111111111", "Admin"),
        ];
        let got = proposals(&profile(), &roles, Some("111111111111"));
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].account, "111111111111");
        assert_eq!(got[0].roles, ["Dev", "Admin"]);
        assert!(got[0].configured, "the default registry of the role in use");
        assert_eq!(got[1].region, "eu-west-1");
        assert!(!got[1].configured);
    }

    #[test]
    fn adding_keeps_the_default_registry_and_skips_repeats() {
        let add = [
            NewRegistry {
                account: "222222222222".into(),
                region: "eu-west-1".into(),
            },
            NewRegistry {
                account: "222222222222".into(),
                region: "us-east-1".into(),
            },
            NewRegistry {
                account: "111111111111".into(),
                region: "eu-west-1".into(),
            },
        ];
        let p = with_registries(&profile(), Some("111111111111"), &add);
        let got: Vec<(Option<&str>, Option<&str>)> = p
            .registry
            .iter()
            .map(|r| (r.account.as_deref(), r.region.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (Some("111111111111"), None),
                (Some("222222222222"), None),
                (Some("222222222222"), Some("us-east-1")),
            ]
        );
        let text = crate::config::Config {
            path: "c.toml".into(),
            profiles: vec![p],
        }
        .to_toml()
        .unwrap();
        assert!(text.contains("[[profile.registry]]"), "{text}");
        let proposals_after = proposals(
            &crate::config::Config::parse(&text, std::path::Path::new("c.toml"))
                .unwrap()
                .profiles[0],
            &[role("222222222222", "Reader")],
            Some("111111111111"),
        );
        assert!(proposals_after[0].configured);
    }
}
