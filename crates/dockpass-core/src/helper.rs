//! The docker credential helper protocol (`docker-credential-dockpass`), answered from the
//! session Dockpass keeps: the state file says which profile owns a host, the keychain holds
//! the token. A hit makes no AWS call.

use crate::session::Context;
use crate::{Result, SecretString};

/// The helper protocol's "not found" message; docker matches on it.
pub const NOT_FOUND: &str = "credentials not found in native keychain";

/// Normalizes what docker sends (`https://host/v2/`, `host`) to a host name.
pub fn host_of(server_url: &str) -> String {
    let s = server_url.trim();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    s.split('/').next().unwrap_or("").to_ascii_lowercase()
}

/// The username and password for `server_url`, if a live session of any profile has one.
pub fn get(ctx: &Context, server_url: &str) -> Result<Option<(String, SecretString)>> {
    let host = host_of(server_url);
    if host.is_empty() {
        return Ok(None);
    }
    let state = ctx.state.load()?;
    let now = ctx.clock.now();
    for (name, p) in &state.profiles {
        let Some(s) = &p.session else { continue };
        let Some(reg) = s.registries.iter().find(|r| {
            r.host.eq_ignore_ascii_case(&host)
                || r.aliases.iter().any(|a| a.eq_ignore_ascii_case(&host))
        }) else {
            continue;
        };
        if now >= reg.expires_at {
            continue;
        }
        let Some(secrets) = ctx.secrets().load(name)? else {
            continue;
        };
        if let Some(t) = secrets
            .tokens
            .iter()
            .find(|t| t.registry.host() == reg.host)
        {
            return Ok(Some((t.username.clone(), t.password.clone())));
        }
    }
    // Unknown hosts are answered at once, without any network call.
    Ok(None)
}

/// Every host with a live token, and its username.
pub fn list(ctx: &Context) -> Result<Vec<(String, String)>> {
    let state = ctx.state.load()?;
    let now = ctx.clock.now();
    let mut out = Vec::new();
    for p in state.profiles.values() {
        let Some(s) = &p.session else { continue };
        for r in s.registries.iter().filter(|r| now < r.expires_at) {
            for h in std::iter::once(&r.host).chain(r.aliases.iter()) {
                out.push((h.clone(), "AWS".to_string()));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_server_urls() {
        assert_eq!(
            host_of("https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/"),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        );
        assert_eq!(host_of("127.0.0.1:5000"), "127.0.0.1:5000");
        assert_eq!(host_of(""), "");
    }
}
