//! The config file (`config.toml`; docs/ARCHITECTURE.md, "Config"): profiles, registries, role chains.
//!
//! Parsing is strict (unknown keys are errors, so typos do not silently drop settings) and
//! every error names the file, the key and the line, because people edit this file by hand.

pub mod accounts;
pub mod check;
pub mod edit;
pub mod roles;

pub use accounts::{Account, Accounts};
pub use roles::{RoleEntry, SignInRole};

use crate::base::duration::HumanDuration;
pub use crate::registry::{is_account, is_region};
use crate::{err, Code, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Sessions never last longer than this: the AWS limit for AssumeRoleWithSAML.
pub const MAX_SESSION: Duration = Duration::from_secs(12 * 3600);
/// A config of many profiles is a few kilobytes; a bigger file is not a config.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// Default warning and refresh lead time before expiry.
pub const DEFAULT_REFRESH_BEFORE: Duration = Duration::from_secs(10 * 60);

/// How credentials reach docker (docs/ARCHITECTURE.md, "Docker semantics").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum DockerMode {
    /// Like `docker login`: `auths`, or the configured credsStore / credHelpers.
    #[default]
    Config,
    /// `credHelpers[HOST] = "dockpass"`; docker-credential-dockpass answers.
    Helper,
}

impl DockerMode {
    /// Whether this is the default, which the settings editor leaves out of the file.
    pub fn is_default(&self) -> bool {
        *self == DockerMode::default()
    }
}

/// Which tools' auth files get the tokens (docs/ARCHITECTURE.md, "Docker semantics").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum AuthTarget {
    /// docker's `config.json`, read by docker and every tool built on its config.
    Docker,
    /// The containers' `auth.json`, read first by podman, buildah, skopeo and CRI-O.
    Containers,
}

/// Where the user signs in at the IdP (docs/browser.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum LoginMode {
    /// Dockpass's own login window (an embedded web view).
    #[default]
    Window,
    /// The user's default browser; the Dockpass extension hands the response back.
    Browser,
    /// The user's browser posts the response to a loopback ACS URL the IdP's AWS app lists.
    Loopback,
}

impl LoginMode {
    pub fn is_default(&self) -> bool {
        *self == LoginMode::default()
    }
}

/// The loopback ACS URL's port when the profile names none (`http://127.0.0.1:8733/saml`).
pub const DEFAULT_LOOPBACK_PORT: u16 = 8733;

/// One ECR registry of a profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct RegistrySpec {
    /// 12-digit account; default: the role's account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Default: the profile's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// More host names that get the same credentials.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// ECR Public (`public.ecr.aws`, tokens from us-east-1) instead of a private registry.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public: bool,
    /// IAM Identity Center: the role (its name) to reach this registry's account with, when
    /// that is not the session's account. Default: the session's role name when the account
    /// has it, else the account's only role (docs/identity-center.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// A role assumed from the federated role (AssumeRole), with the registries it reaches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct ChainSpec {
    pub role_arn: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registry: Vec<RegistrySpec>,
}

/// One profile: an IdP (or AWS profile), a region and where the credentials go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_url: Option<String>,
    /// More origins (`https://host[:port]`) whose pages may hand over the SAML response, for
    /// IdPs that sign in through another site than `idp_url`'s.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub idp_origins: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_profile: Option<String>,
    /// IAM Identity Center: the AWS access portal URL (docs/identity-center.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_start_url: Option<String>,
    /// IAM Identity Center: the region of its instance (where the portal and sign-in are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_region: Option<String>,
    /// IAM Identity Center: an `[sso-session NAME]` of the AWS config giving the start URL and
    /// region, so that the AWS CLI and Dockpass share one sign-in under that name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_session: Option<String>,
    pub region: String,
    /// AWS accounts this profile may sign in to without asking (besides those it already
    /// used): a role in any other account waits for the user's confirmation. A list of ids, or
    /// a table of id = name, the name shown instead of the number.
    #[serde(default, skip_serializing_if = "Accounts::is_empty")]
    #[ts(type = "Array<string> | Record<string, string>")]
    pub accounts: Accounts,
    /// Serve the session's AWS credentials to `dockpass credentials` (the AWS CLI's
    /// `credential_process`); off, only docker's ECR tokens leave Dockpass.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub credential_process: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// More roles of the same sign-in, signed in to with the session's role (a SAML profile;
    /// docs/ARCHITECTURE.md, "Several roles from one sign-in"). Without `role`, the first is
    /// the session's role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Vec<roles::SignInRoleEntry>")]
    pub roles: Vec<RoleEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(as = "Option<String>")]
    pub session_duration: Option<HumanDuration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(as = "Option<String>")]
    pub refresh_before: Option<HumanDuration>,
    #[serde(default, skip_serializing_if = "DockerMode::is_default")]
    pub docker: DockerMode,
    /// The auth files the tokens go to. Empty: docker's config, plus the containers' auth file
    /// when podman, buildah or skopeo are in use here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<AuthTarget>,
    /// Where the user signs in: Dockpass's window, their own browser with the extension, or
    /// their browser posting to a loopback ACS URL.
    #[serde(default, skip_serializing_if = "LoginMode::is_default")]
    pub login: LoginMode,
    /// The port of the loopback ACS URL (`login = "loopback"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loopback_port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sts_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registry: Vec<RegistrySpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<ChainSpec>,
}

/// Where a profile's session comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A SAML IdP (`idp_url`): a login window or the user's browser.
    Idp,
    /// An AWS shared-config profile (`aws_profile`), resolved by the SDK.
    AwsProfile,
    /// IAM Identity Center (`sso_start_url` + `sso_region`, or `sso_session`).
    IdentityCenter,
}

impl Profile {
    /// Where the session comes from (the config check makes it exactly one).
    pub fn source(&self) -> Source {
        if self.aws_profile.is_some() {
            Source::AwsProfile
        } else if self.sso_start_url.is_some() || self.sso_session.is_some() {
            Source::IdentityCenter
        } else {
            Source::Idp
        }
    }

    /// Whether the user signs in at a SAML IdP (a window or their browser hands over an
    /// assertion); the other sources need no IdP page.
    pub fn signs_in_at_idp(&self) -> bool {
        self.source() == Source::Idp
    }

    /// The accounts the profile names: `accounts`, and those of its `roles` (a role named with
    /// its account is as explicit as the account listed).
    pub fn listed_accounts(&self) -> Vec<String> {
        let mut out = self.accounts.numbers();
        for e in &self.roles {
            let sel = e.0.role.as_str();
            let account = match crate::role::parse_role_arn(sel) {
                Ok((_, account, _, _)) => Some(account),
                Err(_) => sel.split_once('/').map(|(a, _)| a.to_string()),
            };
            if let Some(a) = account.filter(|a| !out.contains(a)) {
                out.push(a);
            }
        }
        out
    }

    /// The session's role when none is asked for: `role`, else the first of `roles`.
    pub fn default_role(&self) -> Option<&str> {
        self.role
            .as_deref()
            .or_else(|| self.roles.first().map(|e| e.0.role.as_str()))
    }

    /// The loopback ACS URL's port.
    pub fn loopback_port(&self) -> u16 {
        self.loopback_port.unwrap_or(DEFAULT_LOOPBACK_PORT)
    }

    /// How long before expiry to warn and refresh.
    pub fn refresh_before(&self) -> Duration {
        self.refresh_before
            .map(|d| d.0)
            .unwrap_or(DEFAULT_REFRESH_BEFORE)
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    profile: Vec<Profile>,
}

/// The parsed config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub path: PathBuf,
    pub profiles: Vec<Profile>,
}

impl Config {
    /// Loads the config from `paths::config_file()`.
    pub fn load() -> Result<Config> {
        Config::load_from(&crate::base::paths::config_file()?)
    }

    /// Loads and validates a config file; nothing runs on a config that does not parse.
    pub fn load_from(path: &Path) -> Result<Config> {
        let bytes = match crate::base::fsutil::read_capped(path, MAX_CONFIG_BYTES) {
            Ok(Some(b)) => b,
            Ok(None) => {
                return Err(err(
                    Code::Config,
                    format!(
                        "no config file at {}: create it with a [[profile]] (see the README), or set DOCKPASS_CONFIG",
                        path.display()
                    ),
                ))
            }
            Err(e) => return Err(err(Code::Config, format!("config file: {}", e.message))),
        };
        let text = String::from_utf8(bytes).map_err(|e| {
            err(
                Code::Config,
                format!(
                    "invalid config {}: not UTF-8 text (byte {}); save it as UTF-8",
                    path.display(),
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        Config::parse(&text, path)
    }

    /// Parses config text; `path` is used in messages only.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let de = toml::Deserializer::new(text);
        let file: File = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            let line = inner.span().map(|s| line_of(text, s.start));
            let mut msg = format!("invalid config {}", path.display());
            if let Some(l) = line {
                msg.push_str(&format!(", line {l}"));
            }
            if !key.is_empty() && key != "." {
                msg.push_str(&format!(", key `{key}`"));
            }
            msg.push_str(&format!(": {}", inner.message().trim()));
            err(Code::Config, msg)
        })?;
        let config = Config {
            path: path.to_path_buf(),
            profiles: file.profile,
        };
        config.validate(text)?;
        Ok(config)
    }

    /// The named profile, or the first one when no name is given.
    pub fn profile(&self, name: Option<&str>) -> Result<&Profile> {
        match name {
            None => self.profiles.first().ok_or_else(|| {
                err(
                    Code::Config,
                    format!(
                        "{} has no [[profile]]; add one (see the README)",
                        self.path.display()
                    ),
                )
            }),
            Some(n) => self.profiles.iter().find(|p| p.name == n).ok_or_else(|| {
                let names: Vec<&str> = self.profiles.iter().map(|p| p.name.as_str()).collect();
                err(
                    Code::ProfileNotFound,
                    format!(
                        "no profile named {n:?} in {}; profiles: {}",
                        self.path.display(),
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    ),
                )
            }),
        }
    }

    /// Serializes back to TOML (for the settings editor).
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(&File {
            profile: self.profiles.clone(),
        })
        .map_err(|e| err(Code::Internal, format!("cannot serialize config: {e}")))
    }

    /// The first problem of any profile (config::check), with the file, its line and the key.
    fn validate(&self, text: &str) -> Result<()> {
        for (i, p) in self.profiles.iter().enumerate() {
            let earlier = self.profiles[..i].iter().map(|q| q.name.as_str());
            if let Some(pr) = check::problems(p, earlier).into_iter().next() {
                let line = profile_line(text, i);
                return Err(err(
                    Code::Config,
                    format!(
                        "invalid config {}, line {line}, key `profile[{i}].{}`: {}",
                        self.path.display(),
                        pr.field,
                        pr.message
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// An http(s) URL Dockpass may open or call: `https://` anywhere, `http://` only on this
/// machine (a local IdP or endpoint), since anything else would carry sign-ins in clear text.
pub fn check_url(u: &str) -> std::result::Result<url::Url, String> {
    let parsed = url::Url::parse(u)
        .ok()
        .filter(|p| p.has_host() && !u.chars().any(char::is_whitespace));
    let Some(parsed) = parsed else {
        return Err(format!("{u:?} is not an http(s) URL"));
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        "http" => Err(format!(
            "{u:?} uses http://, which sends your sign-in in clear text; use https:// (http:// is only for 127.0.0.1 or localhost)"
        )),
        _ => Err(format!("{u:?} is not an http(s) URL")),
    }
}

/// Whether the URL's host is this machine: `localhost`, 127.0.0.0/8 or `::1`.
pub fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        None => false,
    }
}

/// The origin of a page, `scheme://host[:port]` as browsers write it (`location.origin`);
/// `None` for what has none (`about:blank`, `data:`).
pub fn origin_of(u: &str) -> Option<String> {
    let origin = url::Url::parse(u).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// An `idp_origins` entry: an origin alone (no path, query or user), by the URL rules above.
pub(crate) fn check_origin(o: &str) -> std::result::Result<(), String> {
    let parsed = check_url(o)?;
    let bare = parsed.path() == "/"
        && parsed.query().is_none()
        && parsed.fragment().is_none()
        && parsed.username().is_empty()
        && !o.trim_end_matches('/').ends_with('?');
    if bare {
        Ok(())
    } else {
        Err(format!(
            "{o:?} is not an origin; give scheme and host only, such as https://login.example.com"
        ))
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line of the i-th `[[profile]]` header, for errors found after parsing.
fn profile_line(text: &str, i: usize) -> usize {
    let mut seen = 0;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("[[profile]]") || t.replace(' ', "").starts_with("[[profile]]") {
            if seen == i {
                return n + 1;
            }
            seen += 1;
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("/tmp/dockpass.toml"))
    }

    const FULL: &str = r#"
[[profile]]
name = "corp"
idp_url = "https://corp.example.okta.com/home/amazon_aws/0oa1/272"
region = "us-east-1"
role = "arn:aws:iam::123456789012:role/Developer"
session_duration = "8h"
refresh_before = "10m"
docker = "config"
sts_endpoint = "https://vpce-1.sts.us-east-1.vpce.amazonaws.com"

[[profile.registry]]
account = "123456789012"
region = "eu-west-1"
aliases = ["registry.corp.example"]

[[profile.chain]]
role_arn = "arn:aws:iam::210987654321:role/EcrReader"
registry = [{ region = "us-east-1" }]

[[profile]]
name = "aws-profile"
aws_profile = "testSAML"
region = "eu-central-1"
docker = "helper"
"#;

    #[test]
    fn parses_the_design_example() {
        let c = parse(FULL).unwrap();
        assert_eq!(c.profiles.len(), 2);
        let p = c.profile(None).unwrap();
        assert_eq!(p.name, "corp");
        assert_eq!(p.session_duration.unwrap().secs(), 8 * 3600);
        assert_eq!(p.refresh_before(), Duration::from_secs(600));
        assert_eq!(p.registry[0].aliases, vec!["registry.corp.example"]);
        assert_eq!(p.chain[0].registry[0].region.as_deref(), Some("us-east-1"));
        let q = c.profile(Some("aws-profile")).unwrap();
        assert_eq!(q.docker, DockerMode::Helper);
        assert_eq!(q.refresh_before(), DEFAULT_REFRESH_BEFORE);
    }

    #[test]
    fn round_trips_through_toml() {
        let c = parse(FULL).unwrap();
        let again = parse(&c.to_toml().unwrap()).unwrap();
        assert_eq!(again.profiles, c.profiles);
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let e =
            parse("[[profile]]\nname = \"a\"\nidp_url = \"https://x\"\nregin = \"us-east-1\"\n")
                .unwrap_err();
        assert_eq!(e.code, Code::Config);
        assert!(e.message.contains("/tmp/dockpass.toml"), "{}", e.message);
        assert!(e.message.contains("regin"), "{}", e.message);
        assert!(e.message.contains("line 4"), "{}", e.message);
        assert!(!e.message.contains('\n'));
    }

    #[test]
    fn bad_value_names_key_and_line() {
        let e = parse(
            "[[profile]]\nname = \"a\"\nidp_url = \"https://x\"\nregion = \"us-east-1\"\nsession_duration = \"eight hours\"\n",
        )
        .unwrap_err();
        assert!(e.message.contains("line 5"), "{}", e.message);
        assert!(
            e.message.contains("profile[0].session_duration"),
            "{}",
            e.message
        );
    }

    #[test]
    fn syntax_error_names_line() {
        let e = parse("[[profile]]\nname = \"a\nregion = 1\n").unwrap_err();
        assert_eq!(e.code, Code::Config);
        assert!(e.message.contains("line 2"), "{}", e.message);
    }

    #[test]
    fn semantic_errors_name_profile_line_and_key() {
        let text = "[[profile]]\nname = \"a\"\nidp_url = \"https://x\"\nregion = \"us-east-1\"\n\n[[profile]]\nname = \"b\"\nidp_url = \"https://x\"\nregion = \"Frankfurt\"\n";
        let e = parse(text).unwrap_err();
        assert!(e.message.contains("line 6"), "{}", e.message);
        assert!(e.message.contains("profile[1].region"), "{}", e.message);
        let dup = "[[profile]]\nname = \"a\"\nidp_url = \"https://x\"\nregion = \"us-east-1\"\n[[profile]]\nname = \"a\"\nidp_url = \"https://x\"\nregion = \"us-east-1\"\n";
        assert!(parse(dup).unwrap_err().message.contains("defined twice"));
        let none = "[[profile]]\nname = \"a\"\nregion = \"us-east-1\"\n";
        assert!(parse(none).unwrap_err().message.contains("idp_url"));
        let acct = "[[profile]]\nname = \"a\"\nidp_url = \"https://x\"\nregion = \"us-east-1\"\n[[profile.registry]]\naccount = \"123\"\n";
        assert!(parse(acct).unwrap_err().message.contains("12-digit"));
    }

    #[test]
    fn oversized_binary_or_special_files_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'#'; MAX_CONFIG_BYTES as usize + 1]).unwrap();
        let e = Config::load_from(&big).unwrap_err();
        assert_eq!(e.code, Code::Config);
        assert!(e.message.contains("larger than"), "{}", e.message);
        let bin = dir.path().join("bin.toml");
        std::fs::write(&bin, b"[[profile]]\nname = \"\xff\"\n").unwrap();
        let e = Config::load_from(&bin).unwrap_err();
        assert!(e.message.contains("UTF-8"), "{}", e.message);
        let e = Config::load_from(dir.path()).unwrap_err();
        assert!(e.message.contains("folder"), "{}", e.message);
        assert!(!e.message.contains('\n'));
    }

    #[test]
    fn http_only_on_this_machine() {
        for ok in [
            "https://corp.okta.com/app/x",
            "http://127.0.0.1:3000/",
            "http://localhost:8080/sso",
            "http://[::1]:9/",
            "http://127.8.9.10/",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://corp.okta.com/app",
            "http://10.0.0.1/",
            "http://localhost.evil.example/",
            "ftp://x/",
            "https://",
            "corp.okta.com",
            "https://a b/",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        let e = parse("[[profile]]\nname = \"a\"\nidp_url = \"http://idp.example/sso\"\nregion = \"us-east-1\"\n")
            .unwrap_err();
        assert!(e.message.contains("clear text"), "{}", e.message);
        let e = parse("[[profile]]\nname = \"a\"\nidp_url = \"https://x\"\nregion = \"us-east-1\"\nsts_endpoint = \"http://sts.example\"\n")
            .unwrap_err();
        assert!(e.message.contains("sts_endpoint"), "{}", e.message);
    }

    #[test]
    fn idp_origins_and_accounts() {
        let ok = "[[profile]]\nname = \"a\"\nidp_url = \"https://sso.corp.example/aws\"\nregion = \"us-east-1\"\nidp_origins = [\"https://corp.okta.com\", \"http://127.0.0.1:3000/\"]\naccounts = [\"123456789012\"]\ncredential_process = true\n";
        let c = parse(ok).unwrap();
        let p = &c.profiles[0];
        assert_eq!(p.idp_origins.len(), 2);
        assert_eq!(p.accounts, Accounts::ids(["123456789012"]));
        assert!(p.credential_process);
        for bad in [
            "\"https://corp.okta.com/app\"",
            "\"http://corp.okta.com\"",
            "\"https://corp.okta.com/?x\"",
            "\"corp.okta.com\"",
        ] {
            let text = format!("[[profile]]\nname = \"a\"\nidp_url = \"https://x\"\nregion = \"us-east-1\"\nidp_origins = [{bad}]\n");
            let e = parse(&text).unwrap_err();
            assert!(e.message.contains("idp_origins[0]"), "{bad}: {}", e.message);
        }
        let e = parse("[[profile]]\nname = \"a\"\nidp_url = \"https://x\"\nregion = \"us-east-1\"\naccounts = [\"12\"]\n").unwrap_err();
        assert!(e.message.contains("accounts[0]"), "{}", e.message);
        assert_eq!(
            origin_of("https://Corp.Okta.com:443/app/x?y").as_deref(),
            Some("https://corp.okta.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:3000/sso").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(origin_of("about:blank"), None);
    }

    #[test]
    fn unknown_profile_lists_names() {
        let c = parse(FULL).unwrap();
        let e = c.profile(Some("nope")).unwrap_err();
        assert_eq!(e.code, Code::ProfileNotFound);
        assert!(e.message.contains("corp, aws-profile"));
    }
}
