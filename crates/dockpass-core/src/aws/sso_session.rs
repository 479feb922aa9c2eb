//! `[sso-session NAME]` sections of the AWS shared config (`$AWS_CONFIG_FILE`, else
//! `~/.aws/config`): a profile with `sso_session = "NAME"` takes the start URL and region from
//! there, so the AWS CLI and Dockpass name one sign-in the same way and share its cache file.
//! Dockpass only reads this file.

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
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".aws").join("config"))
        .ok_or_else(|| err(Code::Io, "HOME is not set; set it to your home folder"))
}

/// The start URL and region of session `name`, from the AWS config.
pub fn read(name: &str) -> Result<Instance> {
    let path = config_path()?;
    let text = crate::base::fsutil::read_to_string_capped(&path, MAX_FILE)?.ok_or_else(|| {
        err(
            Code::Config,
            format!(
                "sso_session {name:?}: there is no AWS config at {}; add [sso-session {name}] there (aws configure sso) or set sso_start_url and sso_region instead",
                path.display()
            ),
        )
    })?;
    parse(&text, name).map_err(|why| {
        err(
            Code::Config,
            format!("sso_session {name:?} in {}: {why}", path.display()),
        )
    })
}

/// Reads `[sso-session NAME]` from the text of an AWS config (INI: `#` and `;` comments,
/// `key = value`, section names trimmed).
fn parse(text: &str, name: &str) -> std::result::Result<Instance, String> {
    let mut inside = false;
    let mut found = false;
    let (mut start_url, mut region) = (None, None);
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            let mut words = section.split_whitespace();
            inside = words.next() == Some("sso-session") && words.next() == Some(name);
            found |= inside;
            continue;
        }
        if !inside {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let v = v.trim().to_string();
            match k.trim() {
                "sso_start_url" => start_url = Some(v),
                "sso_region" => region = Some(v),
                _ => {}
            }
        }
    }
    if !found {
        return Err(format!(
            "no [sso-session {name}] section; add it (aws configure sso) or fix sso_session"
        ));
    }
    match (start_url, region) {
        (Some(start_url), Some(region)) if !start_url.is_empty() && !region.is_empty() => {
            Ok(Instance { start_url, region })
        }
        _ => Err("the section needs sso_start_url and sso_region".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_named_session_only() {
        let text = "[default]\nregion = eu-west-1\n\n# a comment\n[sso-session other]\nsso_start_url = https://other.awsapps.com/start\nsso_region = us-east-1\n\n[sso-session  acme ]\nsso_start_url = https://acme.awsapps.com/start\n; another\nsso_region=eu-central-1\nsso_registration_scopes = sso:account:access\n[profile dev]\nsso_session = acme\nsso_region = us-west-2\n";
        let i = parse(text, "acme").unwrap();
        assert_eq!(i.start_url, "https://acme.awsapps.com/start");
        assert_eq!(i.region, "eu-central-1");
        assert!(parse(text, "missing")
            .unwrap_err()
            .contains("no [sso-session missing]"));
        assert!(parse("[sso-session x]\nsso_region = us-east-1\n", "x")
            .unwrap_err()
            .contains("sso_start_url and sso_region"));
    }
}
