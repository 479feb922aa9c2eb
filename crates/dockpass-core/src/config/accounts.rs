//! A profile's `accounts`: the AWS accounts it may sign in to without asking, each with an
//! optional name shown instead of its number. In the file either a list
//! (`accounts = ["111111111111"]`) or a table (`[profile.accounts]` with
//! `"111111111111" = "prod"`); naming an account in the config also trusts it.

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// One account of the profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: Option<String>,
}

/// The profile's accounts, in the file's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Accounts(pub Vec<Account>);

impl Accounts {
    /// Accounts without names (the list form).
    pub fn ids<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Accounts {
        Accounts(
            ids.into_iter()
                .map(|id| Account {
                    id: id.into(),
                    name: None,
                })
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Account> {
        self.0.iter()
    }

    /// The account numbers.
    pub fn numbers(&self) -> Vec<String> {
        self.0.iter().map(|a| a.id.clone()).collect()
    }

    /// The name the profile gives `id`, if any.
    pub fn name(&self, id: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|a| a.id == id)
            .and_then(|a| a.name.as_deref())
    }
}

/// Why a name cannot be an account's display name (one line), if it cannot.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("an account's name cannot be empty; leave the account out of the table, or list it in accounts = [...]")
    } else if name.chars().count() > 64 {
        Some("an account's name is at most 64 characters")
    } else if name.chars().any(|c| c.is_control() || c == ',' || c == '=') {
        Some("an account's name holds no control characters, ',' or '='")
    } else {
        None
    }
}

impl Serialize for Accounts {
    /// The list form while no account has a name; the table form once one has (an account
    /// without a name is then `""`, which the table form reads back as none).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        if self.0.iter().all(|a| a.name.is_none()) {
            let mut seq = s.serialize_seq(Some(self.0.len()))?;
            for a in &self.0 {
                seq.serialize_element(&a.id)?;
            }
            seq.end()
        } else {
            let mut map = s.serialize_map(Some(self.0.len()))?;
            for a in &self.0 {
                map.serialize_entry(&a.id, a.name.as_deref().unwrap_or(""))?;
            }
            map.end()
        }
    }
}

impl<'de> Deserialize<'de> for Accounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Accounts, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Accounts;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of 12-digit account ids, or a table of account id = name")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Accounts, A::Error> {
                let mut out = Vec::new();
                while let Some(id) = seq.next_element::<String>()? {
                    out.push(Account { id, name: None });
                }
                Ok(Accounts(out))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Accounts, A::Error> {
                let mut out: Vec<Account> = Vec::new();
                while let Some((id, name)) = map.next_entry::<String, String>()? {
                    if out.iter().any(|a| a.id == id) {
                        return Err(de::Error::custom(format!("account {id} is named twice")));
                    }
                    let name = (!name.is_empty()).then_some(name);
                    out.push(Account { id, name });
                }
                Ok(Accounts(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct P {
        accounts: Accounts,
    }

    #[test]
    fn a_list_or_a_table_and_back_the_same_way() {
        let list: P = toml::from_str("accounts = [\"111111111111\", \"222222222222\"]").unwrap();
        assert_eq!(
            list.accounts,
            Accounts::ids(["111111111111", "222222222222"])
        );
        assert_eq!(list.accounts.name("111111111111"), None);
        assert_eq!(
            toml::to_string(&list).unwrap().trim(),
            "accounts = [\"111111111111\", \"222222222222\"]"
        );

        let table: P =
            toml::from_str("[accounts]\n\"111111111111\" = \"prod\"\n\"222222222222\" = \"\"\n")
                .unwrap();
        assert_eq!(table.accounts.name("111111111111"), Some("prod"));
        assert_eq!(table.accounts.name("222222222222"), None);
        assert_eq!(table.accounts.numbers(), ["111111111111", "222222222222"]);
        let back: P = toml::from_str(&toml::to_string(&table).unwrap()).unwrap();
        assert_eq!(back, table);
        // JSON (the settings editor) takes both forms too.
        let json: P = serde_json::from_str(r#"{"accounts": {"111111111111": "prod"}}"#).unwrap();
        assert_eq!(json.accounts.name("111111111111"), Some("prod"));
        assert_eq!(
            serde_json::to_string(&json).unwrap(),
            r#"{"accounts":{"111111111111":"prod"}}"#
        );
    }

    #[test]
    fn names_are_one_short_line() {
        assert_eq!(name_problem("prod-eu (Frankfurt)"), None);
        for bad in [" ", "a,b", "a=b", "tab\there", &"x".repeat(65)] {
            assert!(name_problem(bad).is_some(), "{bad:?}");
        }
        assert!(toml::from_str::<P>("accounts = 5").is_err());
    }
}
