//! Saving profiles from the settings editor into the user's config file, keeping what the
//! user wrote by hand (comments, key order, formatting) wherever the value did not change.

use crate::config::{Config, Profile};
use crate::{err, Code, Result};
use std::path::Path;
use toml_edit::{DocumentMut, Item, Table};

/// Validates `profiles`, merges them into the file at `path` and writes it atomically.
/// Returns the config as it now is. Nothing is written when validation fails.
pub fn save_profiles(path: &Path, profiles: &[Profile]) -> Result<Config> {
    let fresh = render(profiles)?;
    // Validate exactly what will be parsed next time.
    Config::parse(&fresh.to_string(), path)?;
    let existing = match std::fs::read_to_string(path) {
        Ok(t) => t.parse::<DocumentMut>().ok(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(err(
                Code::Config,
                format!(
                    "cannot read {}: {}",
                    path.display(),
                    crate::error::describe_io(&e)
                ),
            ))
        }
    };
    let doc = match existing {
        Some(doc) => merge(doc, &fresh),
        None => fresh,
    };
    let text = doc.to_string();
    let config = Config::parse(&text, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::base::fsutil::create_dir_all(dir, 0o700)?;
    }
    crate::base::fsutil::atomic_write(path, text.as_bytes(), 0o600)
        .map_err(|e| err(Code::Config, e.message))?;
    Ok(config)
}

fn render(profiles: &[Profile]) -> Result<DocumentMut> {
    #[derive(serde::Serialize)]
    struct File<'a> {
        profile: &'a [Profile],
    }
    let text = toml::to_string_pretty(&File { profile: profiles })
        .map_err(|e| err(Code::Internal, format!("cannot serialize config: {e}")))?;
    text.parse::<DocumentMut>()
        .map_err(|e| err(Code::Internal, format!("cannot re-read config: {e}")))
}

/// Profiles matched by name keep their table (and its comments); changed keys get the new
/// value with the old key's decoration; keys no longer set go; new profiles are appended.
fn merge(mut doc: DocumentMut, fresh: &DocumentMut) -> DocumentMut {
    let empty = toml_edit::ArrayOfTables::new();
    let new_tables = fresh
        .get("profile")
        .and_then(Item::as_array_of_tables)
        .unwrap_or(&empty);
    let old_tables: Vec<Table> = doc
        .get("profile")
        .and_then(Item::as_array_of_tables)
        .map(|a| a.iter().cloned().collect())
        .unwrap_or_default();
    let mut out = toml_edit::ArrayOfTables::new();
    for new in new_tables.iter() {
        let name = new.get("name").and_then(Item::as_str);
        let old = old_tables
            .iter()
            .find(|t| t.get("name").and_then(Item::as_str) == name);
        out.push(match old {
            Some(old) => merge_table(old.clone(), new),
            None => new.clone(),
        });
    }
    doc.insert("profile", Item::ArrayOfTables(out));
    doc
}

fn merge_table(mut old: Table, new: &Table) -> Table {
    let stale: Vec<String> = old
        .iter()
        .filter(|(k, _)| !new.contains_key(k))
        .map(|(k, _)| k.to_string())
        .collect();
    for k in stale {
        old.remove(&k);
    }
    for (k, v) in new.iter() {
        let same = old.get(k).is_some_and(|o| normalized(o) == normalized(v));
        if !same {
            match (old.get_mut(k), v) {
                (Some(Item::Value(ov)), Item::Value(nv)) => {
                    let decor = ov.decor().clone();
                    *ov = nv.clone();
                    *ov.decor_mut() = decor;
                }
                _ => {
                    old.insert(k, v.clone());
                }
            }
        }
    }
    old
}

/// An item's value without formatting, for comparing.
fn normalized(item: &Item) -> String {
    let mut doc = DocumentMut::new();
    doc.insert("v", item.clone());
    let text = doc.to_string();
    text.parse::<toml::Value>()
        .map(|v| v.to_string())
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HAND_WRITTEN: &str = r#"# My Dockpass setup
[[profile]]
# the work one
name = "corp"
idp_url = "https://corp.example.okta.com/home/amazon_aws/0oa1/272"   # from Okta
region = "us-east-1"
session_duration = "8h"

[[profile]]
name = "old"
idp_url = "https://old.example/"
region = "eu-west-1"
"#;

    #[test]
    fn keeps_comments_and_changes_only_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, HAND_WRITTEN).unwrap();
        let mut profiles = Config::parse(HAND_WRITTEN, &path).unwrap().profiles;
        profiles[0].region = "eu-central-1".into();
        profiles.remove(1);
        profiles.push(
            Config::parse(
                "[[profile]]\nname=\"new\"\nidp_url=\"https://new.example/\"\nregion=\"us-west-2\"\n",
                &path,
            )
            .unwrap()
            .profiles
            .remove(0),
        );
        let c = save_profiles(&path, &profiles).unwrap();
        assert_eq!(c.profiles.len(), 2);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("# My Dockpass setup"), "{text}");
        assert!(text.contains("# the work one"), "{text}");
        assert!(text.contains("# from Okta"), "{text}");
        assert!(text.contains("region = \"eu-central-1\""), "{text}");
        assert!(!text.contains("old.example"), "{text}");
        assert!(text.contains("new.example"), "{text}");
        assert!(
            !text.contains("docker ="),
            "defaults stay out of the file: {text}"
        );
        assert_eq!(Config::load_from(&path).unwrap().profiles, profiles);
    }

    #[test]
    fn invalid_profiles_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, HAND_WRITTEN).unwrap();
        let mut profiles = Config::parse(HAND_WRITTEN, &path).unwrap().profiles;
        profiles[1].name = "corp".into();
        let e = save_profiles(&path, &profiles).unwrap_err();
        assert_eq!(e.code, Code::Config);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), HAND_WRITTEN);
    }

    #[test]
    fn creates_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        let profiles = Config::parse(
            "[[profile]]\nname=\"a\"\nidp_url=\"https://a.example/\"\nregion=\"us-east-1\"\n",
            &path,
        )
        .unwrap()
        .profiles;
        save_profiles(&path, &profiles).unwrap();
        assert_eq!(Config::load_from(&path).unwrap().profiles, profiles);
    }
}
