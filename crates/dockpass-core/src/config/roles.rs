//! A SAML profile's `roles`: more roles of the same assertion, signed in to at once (AWS takes
//! one assertion for several AssumeRoleWithSAML calls while it is valid), each with its own
//! registries and chained roles. An entry is a role selector (`"ACCOUNT/NAME"` or a role ARN),
//! or a table with `role`, `registry` and `chain`.

use super::{ChainSpec, RegistrySpec};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// One more role of the sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct SignInRole {
    /// `ACCOUNT/NAME` or the role's ARN.
    pub role: String,
    /// Default: the role's account in the profile's region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registry: Vec<RegistrySpec>,
    /// Roles assumed from this one (AssumeRole), with the registries they reach.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<ChainSpec>,
}

/// An entry as the file writes it: a bare selector while it has no registries or chains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleEntry(pub SignInRole);

/// The TypeScript shape of an entry (the wire form of [`RoleEntry`]).
#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(untagged)]
pub enum SignInRoleEntry {
    Selector(String),
    Table(SignInRole),
}

impl Serialize for RoleEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = &self.0;
        if r.registry.is_empty() && r.chain.is_empty() {
            s.serialize_str(&r.role)
        } else {
            r.serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for RoleEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RoleEntry, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RoleEntry;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a role (\"ACCOUNT/NAME\" or its ARN), or a table with role, registry and chain")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RoleEntry, E> {
                Ok(RoleEntry(SignInRole {
                    role: v.to_string(),
                    registry: vec![],
                    chain: vec![],
                }))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RoleEntry, A::Error> {
                SignInRole::deserialize(de::value::MapAccessDeserializer::new(map)).map(RoleEntry)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize)]
    struct P {
        roles: Vec<RoleEntry>,
    }

    #[test]
    fn selectors_or_tables_and_back_the_same_way() {
        let p: P = toml::from_str(
            "roles = [\"111111111111/Dev\", { role = \"arn:aws:iam::222222222222:role/Ci\", registry = [{ region = \"eu-west-1\" }] }]",
        )
        .unwrap();
        assert_eq!(p.roles[0].0.role, "111111111111/Dev");
        assert_eq!(
            p.roles[1].0.registry[0].region.as_deref(),
            Some("eu-west-1")
        );
        let back = toml::to_string(&p).unwrap();
        let again: P = toml::from_str(&back).unwrap();
        assert_eq!(again.roles, p.roles);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["roles"][0], "111111111111/Dev");
        assert_eq!(
            json["roles"][1]["role"],
            "arn:aws:iam::222222222222:role/Ci"
        );

        let e = toml::from_str::<P>("roles = [{ role = \"1/x\", regions = [] }]").unwrap_err();
        assert!(e.to_string().contains("regions"), "{e}");
        assert!(toml::from_str::<P>("roles = [5]").is_err());
    }
}
