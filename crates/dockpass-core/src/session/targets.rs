//! Which registries a profile publishes for a role: its own, its chained roles', ECR Public
//! under both its names.

use crate::config::{Profile, RegistrySpec};
use crate::registry::EcrRegistry;
use crate::role;

/// A registry to publish: the ECR registry, its extra host names, and the chained role
/// whose credentials reach it (`None`: the session's own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub registry: EcrRegistry,
    pub aliases: Vec<String>,
    pub via: Option<String>,
}

fn spec_registry(r: &RegistrySpec, account: &str, profile_region: &str) -> EcrRegistry {
    if r.public {
        EcrRegistry::public(account)
    } else {
        EcrRegistry::new(
            r.account.as_deref().unwrap_or(account),
            r.region.as_deref().unwrap_or(profile_region),
        )
    }
}

/// The extra host names of a registry: the configured aliases, and ECR Public's dual-stack
/// name, which docker clients use as `public.ecr.aws`.
fn spec_aliases(r: &RegistrySpec) -> Vec<String> {
    let mut out = r.aliases.clone();
    let dual = crate::registry::PUBLIC_DUAL_STACK_HOST;
    if r.public && !out.iter().any(|a| a.eq_ignore_ascii_case(dual)) {
        out.push(dual.to_string());
    }
    out
}

/// The registries of a profile for a role: every `[[profile.registry]]` (or the role's
/// account in the profile's region when none is configured), then every registry of every
/// `[[profile.chain]]` role (default: its account in the profile's region). A host that
/// appears twice is published once, through the first entry.
pub fn targets(profile: &Profile, role_account: &str) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    let mut add = |t: Target| {
        if !out.iter().any(|o| o.registry.host() == t.registry.host()) {
            out.push(t);
        }
    };
    if profile.registry.is_empty() {
        add(Target {
            registry: EcrRegistry::new(role_account, &profile.region),
            aliases: vec![],
            via: None,
        });
    }
    for r in &profile.registry {
        add(Target {
            registry: spec_registry(r, role_account, &profile.region),
            aliases: spec_aliases(r),
            via: None,
        });
    }
    for c in &profile.chain {
        let Ok((_, account, _, _)) = role::parse_role_arn(&c.role_arn) else {
            continue; // validated with the config; never here
        };
        let default = [RegistrySpec {
            account: None,
            region: None,
            aliases: vec![],
            public: false,
            role: None,
        }];
        let specs = if c.registry.is_empty() {
            &default[..]
        } else {
            &c.registry[..]
        };
        for r in specs {
            add(Target {
                registry: spec_registry(r, &account, &profile.region),
                aliases: spec_aliases(r),
                via: Some(c.role_arn.clone()),
            });
        }
    }
    out
}
