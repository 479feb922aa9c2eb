//! What Dockpass reads from the AWS shared config (`$AWS_CONFIG_FILE`, else `~/.aws/config`):
//! `[sso-session NAME]` sections, which give an Identity Center profile its start URL and region
//! (so the AWS CLI and Dockpass name one sign-in the same way and share its cache file), and a
//! profile's own settings (`login_session`, for `doctor`). Dockpass only reads this file.

use crate::aws::identity_center::Instance;
use crate::{err, Code, Result};
use std::path::PathBuf;

/// The AWS config is a few kilobytes; more is not one.
const MAX_FILE: u64 = 1024 * 1024;

/// Where the AWS CLI reads its config.
pub fn config_path() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("AWS_CONFIG_FILE").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    Ok(crate::base::paths::user_home()?.join(".aws").join("config"))
}

fn read_config() -> Result<Option<(PathBuf, String)>> {
    let path = config_path()?;
    Ok(crate::base::fsutil::read_to_string_capped(&path, MAX_FILE)?.map(|t| (path, t)))
}

/// The start URL and region of session `name`, from the AWS config.
pub fn sso_session(name: &str) -> Result<Instance> {
    let Some((path, text)) = read_config()? else {
        return Err(err(
            Code::Config,
            format!(
                "sso_session {name:?}: there is no AWS config at {}; add [sso-session {name}] there (aws configure sso) or set sso_start_url and sso_region instead",
                config_path()?.display()
            ),
        ));
    };
    let found = section(&text, "sso-session", name).ok_or_else(|| {
        format!("no [sso-session {name}] section; add it (aws configure sso) or fix sso_session")
    });
    let instance =
        found.and_then(
            |kv| match (value(&kv, "sso_start_url"), value(&kv, "sso_region")) {
                (Some(start_url), Some(region)) => Ok(Instance { start_url, region }),
                _ => Err("the section needs sso_start_url and sso_region".to_string()),
            },
        );
    instance.map_err(|why| {
        err(
            Code::Config,
            format!("sso_session {name:?} in {}: {why}", path.display()),
        )
    })
}

/// A setting of AWS profile `profile` (`[profile NAME]`, or `[default]`), if the config has it.
pub fn profile_setting(profile: &str, key: &str) -> Option<String> {
    let (_, text) = read_config().ok()??;
    let kv = match profile {
        "default" => section(&text, "default", "").or_else(|| section(&text, "profile", "default")),
        _ => section(&text, "profile", profile),
    }?;
    value(&kv, key)
}

fn value(kv: &[(String, String)], key: &str) -> Option<String> {
    kv.iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

/// The `key = value` lines of section `[KIND NAME]` (`[KIND]` when `name` is empty) of an AWS
/// config (INI: `#` and `;` comments, names trimmed); `None` when there is no such section.
fn section(text: &str, kind: &str, name: &str) -> Option<Vec<(String, String)>> {
    let mut inside = false;
    let mut found = None::<Vec<(String, String)>>;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            let mut words = header.split_whitespace();
            let (k, n) = (words.next(), words.next().unwrap_or(""));
            inside = k == Some(kind) && n == name && words.next().is_none();
            if inside && found.is_none() {
                found = Some(Vec::new());
            }
            continue;
        }
        if let (true, Some(kv), Some((k, v))) = (inside, found.as_mut(), line.split_once('=')) {
            kv.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_named_session_only() {
        let text = "[default]\nregion = eu-west-1\n\n# a comment\n[sso-session other]\nsso_start_url = https://other.awsapps.com/start\nsso_region = us-east-1\n\n[sso-session  acme ]\nsso_start_url = https://acme.awsapps.com/start\n; another\nsso_region=eu-central-1\nsso_registration_scopes = sso:account:access\n[profile dev]\nsso_session = acme\nsso_region = us-west-2\n";
        let kv = section(text, "sso-session", "acme").unwrap();
        assert_eq!(
            value(&kv, "sso_start_url").unwrap(),
            "https://acme.awsapps.com/start"
        );
        assert_eq!(value(&kv, "sso_region").unwrap(), "eu-central-1");
        assert!(section(text, "sso-session", "missing").is_none());
        let dev = section(text, "profile", "dev").unwrap();
        assert_eq!(value(&dev, "sso_session").unwrap(), "acme");
        let default = section(text, "default", "").unwrap();
        assert_eq!(value(&default, "region").unwrap(), "eu-west-1");
    }
}
