//! The IAM Identity Center token cache that the AWS CLI and SDKs share:
//! `~/.aws/sso/cache/KEY.json`, where KEY is the SHA-1 (hex) of the `sso-session` name, or of
//! the start URL for a profile with `sso_start_url` and no session. One sign-in then serves
//! both: after Dockpass signs in, `aws --profile X` works without `aws sso login`, and a token
//! the CLI got is Dockpass's too.
//!
//! Reading accepts what the CLI and the SDKs write (extra keys, `expiresAt` with or without
//! fractional seconds). Writing keeps every key another tool put in the file, replaces the file
//! atomically with mode 0600, and never writes over a file that does not parse: the user's CLI
//! cache is not Dockpass's to damage.

use crate::{err, Code, Result, SecretString};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// A cache file is a few hundred bytes; anything much larger is not one.
const MAX_FILE: u64 = 64 * 1024;

/// One cached Identity Center sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedToken {
    pub start_url: String,
    pub region: String,
    pub access_token: SecretString,
    pub expires_at: OffsetDateTime,
    /// The client registration that can refresh it (absent in caches of older CLIs).
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    pub registration_expires_at: Option<OffsetDateTime>,
    pub refresh_token: Option<SecretString>,
}

impl CachedToken {
    /// Whether the access token still works at `now` (with a minute to spare for the calls
    /// made with it).
    pub fn is_fresh(&self, now: OffsetDateTime) -> bool {
        now + time::Duration::minutes(1) < self.expires_at
    }
}

/// `~/.aws/sso/cache`, where the AWS CLI keeps it.
pub fn cache_dir() -> Result<PathBuf> {
    Ok(crate::base::paths::user_home()?
        .join(".aws")
        .join("sso")
        .join("cache"))
}

/// The cache file's name for an `sso-session` name or a legacy start URL.
pub fn file_name(key: &str) -> String {
    use sha1::Digest;
    let digest = sha1::Sha1::digest(key.as_bytes());
    let mut name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    name.push_str(".json");
    name
}

fn parse_time(v: &Value) -> Option<OffsetDateTime> {
    let s = v.as_str()?;
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// The AWS CLI's spelling: UTC, whole seconds, `Z`.
fn format_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn read_object(path: &Path) -> Result<Option<Map<String, Value>>> {
    let Some(text) = crate::base::fsutil::read_to_string_capped(path, MAX_FILE)? else {
        return Ok(None);
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(m)) => Ok(Some(m)),
        _ => Err(err(
            Code::Io,
            format!(
                "{} is not an AWS SSO token cache file; sign in again (Dockpass leaves the file as it is)",
                path.display()
            ),
        )),
    }
}

/// The token cached under `key` in `dir`, if there is a usable one (`None`: no file, or one
/// without a token).
pub fn read(dir: &Path, key: &str) -> Result<Option<CachedToken>> {
    let path = dir.join(file_name(key));
    let Some(m) = read_object(&path)? else {
        return Ok(None);
    };
    let text = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(access), Some(expires)) =
        (text("accessToken"), m.get("expiresAt").and_then(parse_time))
    else {
        return Ok(None);
    };
    Ok(Some(CachedToken {
        start_url: text("startUrl").unwrap_or_default(),
        region: text("region").unwrap_or_default(),
        access_token: SecretString::new(access),
        expires_at: expires,
        client_id: text("clientId"),
        client_secret: text("clientSecret").map(SecretString::new),
        registration_expires_at: m.get("registrationExpiresAt").and_then(parse_time),
        refresh_token: text("refreshToken").map(SecretString::new),
    }))
}

/// Writes `token` under `key` in `dir`, keeping every other key of the file that is there.
pub fn write(dir: &Path, key: &str, token: &CachedToken) -> Result<()> {
    crate::base::fsutil::create_dir_all(dir, 0o700)?;
    let path = dir.join(file_name(key));
    let mut m = read_object(&path)?.unwrap_or_default();
    let mut set = |k: &str, v: Option<String>| match v {
        Some(v) => {
            m.insert(k.to_string(), Value::String(v));
        }
        None => {
            m.remove(k);
        }
    };
    set("startUrl", Some(token.start_url.clone()));
    set("region", Some(token.region.clone()));
    set("accessToken", Some(token.access_token.expose().to_string()));
    set("expiresAt", Some(format_time(token.expires_at)));
    set("clientId", token.client_id.clone());
    set(
        "clientSecret",
        token.client_secret.as_ref().map(|s| s.expose().to_string()),
    );
    set(
        "registrationExpiresAt",
        token.registration_expires_at.map(format_time),
    );
    set(
        "refreshToken",
        token.refresh_token.as_ref().map(|s| s.expose().to_string()),
    );
    let bytes = zeroize::Zeroizing::new(serde_json::to_vec(&Value::Object(m)).map_err(|e| {
        err(
            Code::Internal,
            format!("cannot encode the token cache: {e}"),
        )
    })?);
    crate::base::fsutil::atomic_write(&path, &bytes, 0o600)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn token() -> CachedToken {
        CachedToken {
            start_url: "https://d-1234567890.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            access_token: SecretString::new("access-secret"),
            expires_at: datetime!(2026-12-07 08:00:00 UTC),
            client_id: Some("client-1".into()),
            client_secret: Some(SecretString::new("client-secret")),
            registration_expires_at: Some(datetime!(2027-03-01 00:00:00 UTC)),
            refresh_token: Some(SecretString::new("refresh-secret")),
        }
    }

    #[test]
    fn file_names_follow_the_aws_clis_rule() {
        // botocore's SSOTokenLoader: sha1 of the session name, else of the start URL.
        assert_eq!(
            file_name("my-sso"),
            "0ad374308c5a4e22f723adf10145eafad7c4031c.json"
        );
        assert_eq!(
            file_name("https://d-1234567890.awsapps.com/start"),
            "7487b5b67d5fa1132cf33fa93ae51ef38cc37752.json"
        );
    }

    #[test]
    fn reads_what_the_aws_cli_writes_and_keeps_its_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(file_name("my-sso"));
        std::fs::write(
            &path,
            r#"{"startUrl": "https://d-1234567890.awsapps.com/start", "region": "eu-west-1",
                "accessToken": "cli-token", "expiresAt": "2026-12-07T08:00:00.123Z",
                "clientId": "c", "clientSecret": "s", "registrationExpiresAt": "2027-03-01T00:00:00Z",
                "refreshToken": "r", "somethingNew": {"kept": true}}"#,
        )
        .unwrap();
        let t = read(dir.path(), "my-sso").unwrap().unwrap();
        assert_eq!(t.access_token.expose(), "cli-token");
        assert_eq!(
            t.expires_at.unix_timestamp(),
            datetime!(2026-12-07 08:00:00 UTC).unix_timestamp()
        );
        assert!(t.is_fresh(datetime!(2026-12-07 07:58:00 UTC)));
        assert!(!t.is_fresh(datetime!(2026-12-07 07:59:30 UTC)));
        write(dir.path(), "my-sso", &token()).unwrap();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(v["somethingNew"]["kept"], true, "another tool's key stays");
        assert_eq!(v["accessToken"], "access-secret");
        assert_eq!(v["expiresAt"], "2026-12-07T08:00:00Z");
        assert_eq!(read(dir.path(), "my-sso").unwrap().unwrap(), token());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn a_file_that_is_not_a_cache_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(file_name("my-sso"));
        std::fs::write(&path, "not json").unwrap();
        let e = read(dir.path(), "my-sso").unwrap_err();
        assert!(
            e.message.contains("leaves the file as it is"),
            "{}",
            e.message
        );
        assert!(write(dir.path(), "my-sso", &token()).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "not json");
        assert!(
            read(dir.path(), "other").unwrap().is_none(),
            "no file: none"
        );
        std::fs::write(dir.path().join(file_name("half")), r#"{"startUrl": "u"}"#).unwrap();
        assert!(
            read(dir.path(), "half").unwrap().is_none(),
            "no token in it: none"
        );
    }

    #[test]
    fn debug_shows_no_token() {
        let d = format!("{:?}", token());
        assert!(
            !d.contains("access-secret")
                && !d.contains("refresh-secret")
                && !d.contains("client-secret")
        );
    }
}
