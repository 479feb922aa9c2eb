//! Can this machine reach the IdP, STS and ECR of each profile? A DNS lookup and a TCP
//! connection per endpoint (through `HTTPS_PROXY` when one is set and applies), all at once,
//! each bounded. Endpoints are chosen by the same rules as the AWS calls: the profile's
//! `sts_endpoint`, else `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL_ECR` / `AWS_ENDPOINT_URL`,
//! else the region's public endpoint.

use super::{Check, Setup};
use crate::config::{Config, Profile};
use crate::registry::dns_suffixes;
use crate::session::state::State;
use std::time::{Duration, Instant};
use tokio::net::{lookup_host, TcpStream};

/// One endpoint to try.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Probe {
    id: &'static str,
    what: String,
    url: String,
}

pub(super) async fn checks(setup: &Setup, config: &Config, state: &State) -> Vec<Check> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut probes: Vec<Probe> = Vec::new();
    for p in config
        .profiles
        .iter()
        .filter(|p| setup.profile.as_deref().is_none_or(|n| n == p.name))
    {
        for probe in probes_for(p, state, &env) {
            if !probes
                .iter()
                .any(|q| q.id == probe.id && q.url == probe.url)
            {
                probes.push(probe);
            }
        }
    }
    if probes.is_empty() {
        return vec![Check::info(
            "endpoint-sts",
            "no profile, so no endpoint to check",
        )];
    }
    let proxy = env("HTTPS_PROXY").or_else(|| env("https_proxy"));
    let no_proxy = env("NO_PROXY")
        .or_else(|| env("no_proxy"))
        .unwrap_or_default();
    let timeout = setup.timeout;
    let tasks = probes.into_iter().map(|probe| {
        let proxy = proxy.clone().filter(|_| !bypasses(&probe.url, &no_proxy));
        async move { reach(probe, proxy, timeout).await }
    });
    futures::future::join_all(tasks).await
}

fn probes_for(p: &Profile, state: &State, env: &dyn Fn(&str) -> Option<String>) -> Vec<Probe> {
    let mut out = Vec::new();
    if let Some(url) = &p.idp_url {
        out.push(Probe {
            id: "endpoint-idp",
            what: format!("the IdP of profile {}", p.name),
            url: url.clone(),
        });
    }
    let sts = p
        .sts_endpoint
        .clone()
        .or_else(|| env("AWS_ENDPOINT_URL_STS"))
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .unwrap_or_else(|| format!("https://sts.{}.{}", p.region, dns_suffixes(&p.region).0));
    out.push(Probe {
        id: "endpoint-sts",
        what: format!("STS for profile {}", p.name),
        url: sts,
    });
    let account = state
        .profiles
        .get(&p.name)
        .and_then(|s| s.session.as_ref())
        .map(|s| s.account.clone())
        .unwrap_or_default();
    let mut regions: Vec<(String, bool)> = crate::session::targets(p, &account)
        .iter()
        .map(|t| (t.registry.region.clone(), t.registry.is_public()))
        .collect();
    regions.sort();
    regions.dedup();
    for (region, public) in regions {
        let url = if public {
            env("AWS_ENDPOINT_URL_ECR_PUBLIC")
                .or_else(|| env("AWS_ENDPOINT_URL"))
                .unwrap_or_else(|| format!("https://api.ecr-public.{region}.amazonaws.com"))
        } else {
            env("AWS_ENDPOINT_URL_ECR")
                .or_else(|| env("AWS_ENDPOINT_URL"))
                .unwrap_or_else(|| format!("https://api.ecr.{region}.{}", dns_suffixes(&region).0))
        };
        out.push(Probe {
            id: "endpoint-ecr",
            what: format!("ECR{} in {region}", if public { " Public" } else { "" }),
            url,
        });
    }
    out
}

/// `(host, port)` of an http(s) URL; IPv6 literals keep their brackets off.
fn host_port(url: &str) -> Option<(String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let default = match scheme.to_ascii_lowercase().as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None => default,
        };
        return Some((host.to_string(), port));
    }
    match authority.rsplit_once(':') {
        Some((h, p)) => Some((h.to_string(), p.parse().ok()?)),
        None => Some((authority.to_string(), default)),
    }
    .filter(|(h, _)| !h.is_empty())
}

/// `NO_PROXY` as curl reads it: `*`, or host suffixes separated by commas.
fn bypasses(url: &str, no_proxy: &str) -> bool {
    let Some((host, _)) = host_port(url) else {
        return false;
    };
    no_proxy
        .split(',')
        .map(|e| e.trim().trim_start_matches('.'))
        .filter(|e| !e.is_empty())
        .any(|e| e == "*" || host == e || host.ends_with(&format!(".{e}")))
}

async fn reach(probe: Probe, proxy: Option<String>, timeout: Duration) -> Check {
    let Some((host, port)) = host_port(&probe.url) else {
        return Check::error(
            probe.id,
            format!("{} has no usable URL: {:?}", probe.what, probe.url),
            "correct the URL in the config (or the AWS_ENDPOINT_URL_* variable)",
        );
    };
    let (via, target) = match proxy.as_deref().map(|p| (p, host_port(p))) {
        Some((p, Some(hp))) => (format!(" through the proxy {p}"), hp),
        Some((p, None)) => {
            return Check::error(
                probe.id,
                format!("HTTPS_PROXY is not a URL Dockpass understands: {p:?}"),
                "set HTTPS_PROXY to http://HOST:PORT",
            )
        }
        None => (String::new(), (host.clone(), port)),
    };
    let started = Instant::now();
    let addrs =
        match tokio::time::timeout(timeout, lookup_host((target.0.as_str(), target.1))).await {
            Ok(Ok(a)) => a.collect::<Vec<_>>(),
            Ok(Err(_)) | Err(_) => {
                return Check::error(
                    probe.id,
                    format!("{}: cannot resolve {}{via}", probe.what, target.0),
                    fix_for(probe.id, !via.is_empty()),
                )
            }
        };
    let mut last = String::from("no address");
    for addr in addrs {
        let left = timeout.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, TcpStream::connect(addr)).await {
            Ok(Ok(_)) => {
                return Check::ok(
                    probe.id,
                    format!(
                        "{}: {host}:{port} reachable{via} ({} ms)",
                        probe.what,
                        started.elapsed().as_millis()
                    ),
                )
            }
            Ok(Err(e)) => last = crate::error::describe_io(&e),
            Err(_) => {
                last = format!("no answer within {} s", timeout.as_secs());
                break;
            }
        }
    }
    Check::error(
        probe.id,
        format!(
            "{}: cannot connect to {}:{}{via}: {last}",
            probe.what, target.0, target.1
        ),
        fix_for(probe.id, !via.is_empty()),
    )
}

/// What to check when an endpoint cannot be reached: the setting that names it.
fn fix_for(id: &str, proxied: bool) -> &'static str {
    match (proxied, id) {
        (true, _) => "check that the proxy runs and lets you through, or correct HTTPS_PROXY / NO_PROXY",
        (false, "endpoint-idp") => "check idp_url in the config, your network, VPN, DNS and firewall; behind a proxy set HTTPS_PROXY",
        (false, "endpoint-sts") => "check sts_endpoint (or AWS_ENDPOINT_URL_STS), your network, VPN, DNS and firewall; behind a proxy set HTTPS_PROXY",
        (false, _) => "check AWS_ENDPOINT_URL_ECR if you set it, your network, VPN, DNS and firewall; behind a proxy set HTTPS_PROXY",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_of_urls() {
        assert_eq!(
            host_port("https://a.example/x?y"),
            Some(("a.example".into(), 443))
        );
        assert_eq!(
            host_port("http://127.0.0.1:5000"),
            Some(("127.0.0.1".into(), 5000))
        );
        assert_eq!(
            host_port("https://u:p@h.example:8443/"),
            Some(("h.example".into(), 8443))
        );
        assert_eq!(host_port("https://[::1]:9/"), Some(("::1".into(), 9)));
        assert_eq!(host_port("ftp://h/"), None);
        assert_eq!(host_port("https:///x"), None);
    }

    #[test]
    fn no_proxy_matches_suffixes() {
        assert!(bypasses(
            "https://sts.us-east-1.amazonaws.com",
            ".amazonaws.com"
        ));
        assert!(bypasses("https://idp.corp", "example.org, idp.corp"));
        assert!(bypasses("https://x", "*"));
        assert!(!bypasses("https://evilamazonaws.com", "amazonaws.com"));
    }
}
