//! The name shown for an AWS account: the profile's own (`[profile.accounts]`), else the one
//! learned at sign-in (the account alias from IAM, IAM Identity Center's account name), else
//! none (the number is shown).

use super::state::ProfileState;
use crate::config::Profile;
use std::collections::BTreeMap;

/// The name of account `id`, if any.
pub fn name(profile: &Profile, state: Option<&ProfileState>, id: &str) -> Option<String> {
    profile
        .accounts
        .name(id)
        .map(str::to_string)
        .or_else(|| state.and_then(|s| s.account_names.get(id).cloned()))
}

/// The names of those of `ids` that have one.
pub fn names<'a>(
    profile: &Profile,
    state: Option<&ProfileState>,
    ids: impl IntoIterator<Item = &'a str>,
) -> BTreeMap<String, String> {
    ids.into_iter()
        .filter_map(|id| Some((id.to_string(), name(profile, state, id)?)))
        .collect()
}

/// How an account is shown in one line: `prod (111111111111)`, or the number alone.
pub fn label(id: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{n} ({id})"),
        None => id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_names_first_then_what_the_sign_in_learned() {
        let text = "[[profile]]\nname = \"a\"\nidp_url = \"https://idp.example/sso\"\nregion = \"us-east-1\"\n[profile.accounts]\n\"111111111111\" = \"prod\"\n";
        let c = crate::config::Config::parse(text, std::path::Path::new("c.toml")).unwrap();
        let p = &c.profiles[0];
        let mut s = ProfileState::default();
        s.account_names
            .insert("111111111111".into(), "acme-prod".into());
        s.account_names
            .insert("222222222222".into(), "acme-dev".into());
        assert_eq!(name(p, Some(&s), "111111111111").as_deref(), Some("prod"));
        assert_eq!(
            name(p, Some(&s), "222222222222").as_deref(),
            Some("acme-dev")
        );
        assert_eq!(name(p, None, "222222222222"), None);
        assert_eq!(label("111111111111", Some("prod")), "prod (111111111111)");
        assert_eq!(label("111111111111", None), "111111111111");
        assert_eq!(
            names(p, Some(&s), ["111111111111", "333333333333"]),
            BTreeMap::from([("111111111111".to_string(), "prod".to_string())])
        );
    }
}
