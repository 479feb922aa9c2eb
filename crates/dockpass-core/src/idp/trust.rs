//! Trust on first use for a profile's IdP issuer and AWS accounts.
//!
//! AWS accepts any assertion signed by an IdP that some account trusts, so an assertion that
//! reaches Dockpass (through the login window, a file, an XSS on the IdP) could carry a role
//! in an attacker's account. The profile remembers the issuer it signed in with and the
//! accounts it used; an assertion from another issuer, or a role in an account the profile
//! has never used and does not list (`accounts = [...]`), waits for the user's confirmation
//! before anything is asked of AWS or written to docker.

use crate::config::Profile;
use crate::role::Role;
use crate::{err, Code, Error};
use serde::{Deserialize, Serialize};

/// What a profile has signed in with before (kept in the state file, not secret).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    /// The issuer of the assertions this profile signed in with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The accounts of the roles it signed in to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
}

impl Known {
    pub fn is_empty(&self) -> bool {
        self.issuer.is_none() && self.accounts.is_empty()
    }
}

/// What the user is asked to confirm: the new next to what the profile knew.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export, rename = "TrustQuestion")]
pub struct Question {
    pub profile: String,
    /// The role the sign-in would use, and its name (for the UI, which parses no ARNs).
    pub role_arn: String,
    pub role_name: String,
    /// The assertion's issuer, and the one the profile knew when they differ.
    pub issuer: Option<String>,
    pub known_issuer: Option<String>,
    pub new_issuer: bool,
    /// The role's account, and the accounts the profile knew when it is not among them.
    pub account: String,
    pub known_accounts: Vec<String>,
    pub new_account: bool,
}

impl Question {
    /// The question as the CLI's one-line error.
    pub fn to_error(&self) -> Error {
        let mut what = Vec::new();
        if self.new_issuer {
            what.push(format!(
                "comes from issuer {}, not {} as before",
                self.issuer.as_deref().unwrap_or("(none)"),
                self.known_issuer.as_deref().unwrap_or("(none)")
            ));
        }
        if self.new_account {
            what.push(format!(
                "is for account {}, which profile {} has not used (it knows {})",
                self.account,
                self.profile,
                self.known_accounts.join(", ")
            ));
        }
        let or_list = match self.new_account {
            true => " (or list the account in `accounts`)",
            false => "",
        };
        err(
            Code::Untrusted,
            format!(
                "the SAML response {}; make sure it came from your IdP, then sign in again with --trust-new-account{or_list}",
                what.join(" and ")
            ),
        )
    }
}

impl Known {
    /// The accounts a profile may use without asking: those it used and those it lists.
    pub fn accounts_with(&self, listed: &[String]) -> Vec<String> {
        let mut out = listed.to_vec();
        for a in &self.accounts {
            if !out.contains(a) {
                out.push(a.clone());
            }
        }
        out
    }

    /// The question to ask before signing in to `profile` as `role` with an assertion from
    /// `issuer`, if any. The first sign-in of a profile that lists no accounts is trusted.
    pub fn question(
        &self,
        profile: &Profile,
        issuer: Option<&str>,
        role: &Role,
    ) -> Option<Question> {
        let known_issuer = self.issuer.clone();
        let new_issuer = known_issuer.as_deref().is_some_and(|k| Some(k) != issuer);
        let known_accounts = self.accounts_with(&profile.listed_accounts());
        let new_account = !known_accounts.is_empty() && !known_accounts.contains(&role.account);
        (new_issuer || new_account).then(|| Question {
            profile: profile.name.clone(),
            role_arn: role.role_arn.clone(),
            role_name: role.name.clone(),
            issuer: issuer.map(str::to_string),
            known_issuer,
            new_issuer,
            account: role.account.clone(),
            known_accounts,
            new_account,
        })
    }

    /// Remembers a successful sign-in's issuer and account.
    pub fn remember(&mut self, issuer: Option<&str>, account: &str) {
        if !self.accounts.iter().any(|a| a == account) {
            self.accounts.push(account.to_string());
        }
        if let Some(i) = issuer {
            self.issuer = Some(i.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(extra: &str) -> Profile {
        let text = format!(
            "[[profile]]\nname = \"corp\"\nidp_url = \"https://idp.example/aws\"\nregion = \"us-east-1\"\n{extra}"
        );
        let c = crate::config::Config::parse(&text, std::path::Path::new("c.toml")).unwrap();
        c.profiles[0].clone()
    }

    fn role(account: &str) -> Role {
        Role::from_attribute_value(&format!(
            "arn:aws:iam::{account}:role/Dev,arn:aws:iam::{account}:saml-provider/Idp"
        ))
        .unwrap()
    }

    #[test]
    fn the_first_sign_in_is_trusted_then_remembered() {
        let p = profile("");
        let mut k = Known::default();
        assert_eq!(k.question(&p, Some("urn:idp"), &role("111111111111")), None);
        k.remember(Some("urn:idp"), "111111111111");
        assert_eq!(k.question(&p, Some("urn:idp"), &role("111111111111")), None);

        let q = k
            .question(&p, Some("urn:evil"), &role("111111111111"))
            .unwrap();
        assert!(q.new_issuer && !q.new_account);
        assert_eq!(q.known_issuer.as_deref(), Some("urn:idp"));
        let q = k
            .question(&p, Some("urn:idp"), &role("999999999999"))
            .unwrap();
        assert!(!q.new_issuer && q.new_account);
        assert_eq!(q.known_accounts, vec!["111111111111"]);
        let e = q.to_error();
        assert_eq!(e.code, Code::Untrusted);
        assert!(e.message.contains("999999999999") && e.message.contains("--trust-new-account"));
        // An assertion without an issuer is a new issuer once one is known.
        assert!(k.question(&p, None, &role("111111111111")).is_some());
    }

    #[test]
    fn listed_accounts_are_known_and_bound_the_first_sign_in() {
        let p = profile("accounts = [\"222222222222\"]");
        let k = Known::default();
        assert_eq!(k.question(&p, Some("urn:idp"), &role("222222222222")), None);
        assert!(k
            .question(&p, Some("urn:idp"), &role("333333333333"))
            .is_some());
    }
}
