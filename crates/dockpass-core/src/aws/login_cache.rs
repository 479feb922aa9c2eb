//! The cache `aws login` (AWS CLI 2.32+) leaves for the SDKs: `~/.aws/login/cache/KEY.json`
//! (`$AWS_LOGIN_CACHE_DIRECTORY` instead when set), KEY the SHA-256 (hex) of the
//! `login_session` ARN. The SDK's login provider reads and renews it; Dockpass only looks at
//! when its keys end, for `doctor`.

use crate::Result;
use serde_json::Value;
use std::path::PathBuf;
use time::OffsetDateTime;

/// The file of `login_session`.
pub fn path(login_session: &str) -> Option<PathBuf> {
    use sha2::Digest;
    let dir = match std::env::var_os("AWS_LOGIN_CACHE_DIRECTORY").filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => crate::base::paths::user_home()
            .ok()?
            .join(".aws")
            .join("login")
            .join("cache"),
    };
    let digest = sha2::Sha256::digest(login_session.trim().as_bytes());
    let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Some(dir.join(format!("{name}.json")))
}

/// When the cached keys of `login_session` end: `Ok(None)` without a cache file (no `aws
/// login` yet), an error for a file the SDK could not use either.
pub fn keys_expire_at(login_session: &str) -> Result<Option<OffsetDateTime>> {
    let Some(path) = path(login_session) else {
        return Ok(None);
    };
    let Some(text) = crate::base::fsutil::read_to_string_capped(&path, 64 * 1024)? else {
        return Ok(None);
    };
    let expires = serde_json::from_str::<Value>(&text).ok().and_then(|v| {
        let s = v
            .get("accessToken")?
            .get("expiresAt")?
            .as_str()?
            .to_string();
        OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339).ok()
    });
    expires.map(Some).ok_or_else(|| {
        crate::err(
            crate::Code::NotLoggedIn,
            format!("{} is not an `aws login` cache file", path.display()),
        )
    })
}
