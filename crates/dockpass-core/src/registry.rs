//! ECR registry host names: built and parsed for every partition, FIPS and dual-stack.
//!
//! The docker config is keyed by host, and the credential helper gets only a host, so both
//! directions must be exact. Unknown hosts parse to `None` (quickly, without any network).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The public ECR gallery registry (ECR Public, tokens from us-east-1).
pub const PUBLIC_HOST: &str = "public.ecr.aws";
/// ECR Public's dual-stack (IPv4 and IPv6) host for docker clients: the same registry, the
/// same token, so an ECR Public registry is published under both names.
pub const PUBLIC_DUAL_STACK_HOST: &str = "ecr-public.aws.com";
/// The only region that issues ECR Public tokens.
pub const PUBLIC_REGION: &str = "us-east-1";

/// Endpoint flavour of a private registry host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    #[default]
    Standard,
    Fips,
    DualStack,
    DualStackFips,
    /// ECR Public (`public.ecr.aws`): one host for everyone, tokens from us-east-1.
    Public,
}

/// A private ECR registry: an account in a region.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EcrRegistry {
    pub account: String,
    pub region: String,
    #[serde(default)]
    pub variant: Variant,
}

impl EcrRegistry {
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Self {
        EcrRegistry {
            account: account.into(),
            region: region.into(),
            variant: Variant::Standard,
        }
    }

    /// ECR Public, signed in as `account` (tokens always come from us-east-1).
    pub fn public(account: impl Into<String>) -> Self {
        EcrRegistry {
            account: account.into(),
            region: PUBLIC_REGION.into(),
            variant: Variant::Public,
        }
    }

    pub fn is_public(&self) -> bool {
        self.variant == Variant::Public
    }

    /// The host docker uses, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com`.
    pub fn host(&self) -> String {
        let (std_suffix, dual_suffix) = dns_suffixes(&self.region);
        let (label, suffix) = match self.variant {
            Variant::Standard => ("dkr.ecr", std_suffix),
            Variant::Fips => ("dkr.ecr-fips", std_suffix),
            Variant::DualStack => ("dkr-ecr", dual_suffix),
            Variant::DualStackFips => ("dkr-ecr-fips", dual_suffix),
            Variant::Public => return PUBLIC_HOST.to_string(),
        };
        format!("{}.{label}.{}.{suffix}", self.account, self.region)
    }

    /// `https://` + host, as ECR reports `proxyEndpoint`.
    pub fn url(&self) -> String {
        format!("https://{}", self.host())
    }

    pub fn partition(&self) -> &'static str {
        partition_of(&self.region)
    }
}

impl fmt::Display for EcrRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.host())
    }
}

/// A registry host Dockpass understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    Private(EcrRegistry),
    Public,
}

/// A 12-digit AWS account id.
pub fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// An AWS region name such as `us-east-1`, `cn-north-1`, `us-gov-west-1`, `us-isob-east-1`.
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// The AWS partition of a region: `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`,
/// `aws-eusc` (the European Sovereign Cloud), ...
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// A region to call in a partition when the profile's region belongs to another one.
pub fn default_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        "aws-iso" => "us-iso-east-1",
        "aws-iso-b" => "us-isob-east-1",
        "aws-iso-e" => "eu-isoe-west-1",
        "aws-iso-f" => "us-isof-south-1",
        "aws-eusc" => "eusc-de-east-1",
        _ => "us-east-1",
    }
}

/// (standard suffix, dual-stack suffix) of a region's partition.
pub(crate) fn dns_suffixes(region: &str) -> (&'static str, &'static str) {
    match partition_of(region) {
        "aws-cn" => ("amazonaws.com.cn", "on.amazonwebservices.com.cn"),
        // The European Sovereign Cloud; its dual-stack registry name follows China's pattern
        // (`api.amazonwebservices.eu` for its APIs, `on.` for registries).
        "aws-eusc" => ("amazonaws.eu", "on.amazonwebservices.eu"),
        "aws-iso" => ("c2s.ic.gov", "c2s.ic.gov"),
        "aws-iso-b" => ("sc2s.sgov.gov", "sc2s.sgov.gov"),
        "aws-iso-e" => ("cloud.adc-e.uk", "cloud.adc-e.uk"),
        "aws-iso-f" => ("csp.hci.ic.gov", "csp.hci.ic.gov"),
        _ => ("amazonaws.com", "on.aws"),
    }
}

/// Parses a registry reference as docker passes it: a host, with or without scheme, port
/// or path (`https://123.dkr.ecr.us-east-1.amazonaws.com/v2/`). Recognises what the AWS
/// credential helper does: both ECR Public names, every partition's standard and FIPS
/// hosts, and the dual-stack ones also in the `dkr.ecr` spelling some tools write.
pub fn parse_host(input: &str) -> Option<Host> {
    let s = input.trim();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    let host = s.split('/').next()?.to_ascii_lowercase();
    let host = host.strip_suffix(":443").unwrap_or(&host);
    if host == PUBLIC_HOST || host == PUBLIC_DUAL_STACK_HOST {
        return Some(Host::Public);
    }
    let (account, rest) = host.split_once('.')?;
    if !is_account(account) {
        return None;
    }
    // (label, FIPS, dual-stack label)
    let (fips, dash, rest) = [
        ("dkr.ecr-fips.", true, false),
        ("dkr-ecr-fips.", true, true),
        ("dkr.ecr.", false, false),
        ("dkr-ecr.", false, true),
    ]
    .iter()
    .find_map(|(p, fips, dash)| rest.strip_prefix(p).map(|r| (*fips, *dash, r)))?;
    let (region, suffix) = rest.split_once('.')?;
    if !is_region(region) {
        return None;
    }
    // Only the suffixes of the region's own partition: a `dkr-ecr` host is dual-stack, and
    // so is a `dkr.ecr` host under the dual-stack suffix.
    let (standard, dual) = dns_suffixes(region);
    if suffix != dual && (dash || suffix != standard) {
        return None;
    }
    let dual_stack = dash || suffix != standard;
    let variant = match (dual_stack, fips) {
        (false, false) => Variant::Standard,
        (false, true) => Variant::Fips,
        (true, false) => Variant::DualStack,
        (true, true) => Variant::DualStackFips,
    };
    Some(Host::Private(EcrRegistry {
        account: account.to_string(),
        region: region.to_string(),
        variant,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private(a: &str, r: &str, v: Variant) -> Host {
        Host::Private(EcrRegistry {
            account: a.into(),
            region: r.into(),
            variant: v,
        })
    }

    #[test]
    fn builds_hosts_for_every_partition_and_variant() {
        let mut r = EcrRegistry::new("123456789012", "us-east-1");
        assert_eq!(r.host(), "123456789012.dkr.ecr.us-east-1.amazonaws.com");
        r.variant = Variant::Fips;
        assert_eq!(
            r.host(),
            "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com"
        );
        r.variant = Variant::DualStack;
        assert_eq!(r.host(), "123456789012.dkr-ecr.us-east-1.on.aws");
        r.variant = Variant::DualStackFips;
        assert_eq!(r.host(), "123456789012.dkr-ecr-fips.us-east-1.on.aws");
        assert_eq!(
            EcrRegistry::new("123456789012", "cn-north-1").host(),
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            EcrRegistry::new("123456789012", "us-gov-west-1").host(),
            "123456789012.dkr.ecr.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(
            EcrRegistry::new("123456789012", "us-iso-east-1").host(),
            "123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov"
        );
        assert_eq!(
            EcrRegistry::new("123456789012", "us-isob-east-1").host(),
            "123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov"
        );
        assert_eq!(
            EcrRegistry::new("123456789012", "eusc-de-east-1").host(),
            "123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu"
        );
        let mut cn = EcrRegistry::new("123456789012", "cn-north-1");
        cn.variant = Variant::DualStack;
        assert_eq!(
            cn.host(),
            "123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn"
        );
    }

    #[test]
    fn recognises_what_the_aws_credential_helper_does() {
        // Host names of the amazon-ecr-credential-helper's own tests and AWS's docs.
        assert_eq!(parse_host("ecr-public.aws.com"), Some(Host::Public));
        assert_eq!(
            parse_host("https://ecr-public.aws.com/v2/"),
            Some(Host::Public)
        );
        for (host, region, v) in [
            (
                "123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu",
                "eusc-de-east-1",
                Variant::Standard,
            ),
            (
                "210987654321.dkr.ecr.cn-north-1.on.amazonwebservices.com.cn",
                "cn-north-1",
                Variant::DualStack,
            ),
            (
                "210987654321.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn",
                "cn-north-1",
                Variant::DualStack,
            ),
            (
                "123456789012.dkr-ecr.us-west-2.on.aws",
                "us-west-2",
                Variant::DualStack,
            ),
            (
                "123456789012.dkr-ecr-fips.us-gov-west-1.on.aws",
                "us-gov-west-1",
                Variant::DualStackFips,
            ),
            (
                "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
                "us-gov-west-1",
                Variant::Fips,
            ),
        ] {
            let acct = host.split('.').next().unwrap();
            assert_eq!(parse_host(host), Some(private(acct, region, v)), "{host}");
        }
        for bad in [
            "123456789012.dkr.ecr.eusc-de-east-1.amazonaws.com",
            "123456789012.dkr.ecr.us-east-1.amazonaws.eu",
            "210987654321.dkr.ecr.cn-north-1.on.aws.com.cn",
            "ecr-public.aws.com.evil.example",
        ] {
            assert_eq!(parse_host(bad), None, "{bad}");
        }
    }

    #[test]
    fn parses_what_it_builds_and_what_docker_sends() {
        for (a, r) in [
            ("123456789012", "us-east-1"),
            ("210987654321", "cn-northwest-1"),
            ("111111111111", "us-gov-east-1"),
            ("111111111111", "us-iso-east-1"),
            ("111111111111", "us-isob-east-1"),
            ("111111111111", "eusc-de-east-1"),
        ] {
            for v in [
                Variant::Standard,
                Variant::Fips,
                Variant::DualStack,
                Variant::DualStackFips,
            ] {
                let reg = EcrRegistry {
                    account: a.into(),
                    region: r.into(),
                    variant: v,
                };
                assert_eq!(parse_host(&reg.host()), Some(private(a, r, v)), "{reg}");
                assert_eq!(parse_host(&reg.url()), Some(private(a, r, v)));
            }
        }
        assert_eq!(
            parse_host("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2/"),
            Some(private("123456789012", "eu-west-1", Variant::Standard))
        );
        assert_eq!(
            parse_host("123456789012.DKR.ECR.eu-west-1.amazonaws.com:443"),
            Some(private("123456789012", "eu-west-1", Variant::Standard))
        );
        assert_eq!(parse_host("public.ecr.aws"), Some(Host::Public));
        assert_eq!(parse_host("https://public.ecr.aws/v2/"), Some(Host::Public));
        assert_eq!(EcrRegistry::public("123456789012").host(), PUBLIC_HOST);
        assert_eq!(EcrRegistry::public("123456789012").region, "us-east-1");
    }

    #[test]
    fn rejects_lookalikes() {
        for h in [
            "docker.io",
            "index.docker.io/v1/",
            "127.0.0.1:5000",
            "12345.dkr.ecr.us-east-1.amazonaws.com",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.cn",
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com",
            "123456789012.dkr.ecr.nowhere.amazonaws.com",
            "",
        ] {
            assert_eq!(parse_host(h), None, "{h}");
        }
    }

    #[test]
    fn partitions() {
        assert_eq!(partition_of("eu-west-1"), "aws");
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of("us-isob-east-1"), "aws-iso-b");
        assert_eq!(partition_of("eusc-de-east-1"), "aws-eusc");
        assert_eq!(default_region("aws-cn"), "cn-north-1");
    }

    #[test]
    fn regions_and_accounts() {
        for r in [
            "us-east-1",
            "cn-north-1",
            "us-gov-west-1",
            "us-isob-east-1",
            "eu-central-2",
        ] {
            assert!(is_region(r), "{r}");
        }
        for r in ["us-east", "US-EAST-1", "useast1", "us--1"] {
            assert!(!is_region(r), "{r}");
        }
        assert!(is_account("123456789012"));
        assert!(!is_account("12345678901a"));
    }
}
