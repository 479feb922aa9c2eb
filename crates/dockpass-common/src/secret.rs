//! A redacting, zeroizing wrapper for secrets (session tokens, secret keys, ECR passwords,
//! SAML assertions). Debug and Display print `[redacted]`; the bytes are wiped on drop.
//! Reading the value needs an explicit `expose()`, which makes every use easy to audit.
//!
//! It does not implement `Serialize`: a struct that derives it cannot write a secret by
//! accident. The few places that must (the keychain entry) name [`exposed`] on the field.

use std::fmt;
use zeroize::Zeroizing;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    pub fn new(s: impl Into<String>) -> Self {
        SecretString(Zeroizing::new(s.into()))
    }

    /// The secret itself. Call only where it must leave the process (AWS call, docker, keychain).
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// The inner `Zeroizing` wipes the bytes when the value drops.
impl zeroize::ZeroizeOnDrop for SecretString {}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        SecretString::new(s)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<'de> serde::Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <String as serde::Deserialize>::deserialize(d).map(SecretString::new)
    }
}

/// The opt-in serialization of a secret: `#[serde(with = "dockpass_common::secret::exposed")]`
/// on a field that must be written out in clear (the keychain entry, docker's own formats).
pub mod exposed {
    use super::SecretString;

    pub fn serialize<S: serde::Serializer>(v: &SecretString, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.expose())
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        serde::Deserialize::deserialize(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let s = SecretString::new("AKIAsupersecret");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(s.expose(), "AKIAsupersecret");
    }

    #[test]
    fn serialized_only_where_a_field_asks() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Entry {
            #[serde(with = "exposed")]
            key: SecretString,
        }
        let json = serde_json::to_string(&Entry {
            key: SecretString::new("s3cr3t"),
        })
        .unwrap();
        assert_eq!(json, r#"{"key":"s3cr3t"}"#);
        let back: Entry = serde_json::from_str(&json).unwrap();
        assert_eq!(back.key.expose(), "s3cr3t");
    }

    #[test]
    fn wiped_on_drop() {
        fn wipes<T: zeroize::ZeroizeOnDrop>() {}
        wipes::<SecretString>();
        wipes::<Zeroizing<String>>();
    }
}
