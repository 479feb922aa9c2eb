//! Which registries a profile publishes for a role: its own, its chained roles', ECR Public
//! under both its names.

use crate::config::{ChainSpec, Profile, RegistrySpec};
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
    for t in chain_targets(&profile.chain, &profile.region) {
        add(t);
    }
    out
}

/// The registries of chained roles (default: each role's account in `region`), reached through
/// them.
fn chain_targets(chain: &[ChainSpec], region: &str) -> Vec<Target> {
    let mut out = Vec::new();
    for c in chain {
        let Ok((_, account, _, _)) = role::parse_role_arn(&c.role_arn) else {
            continue; // validated with the config; never here
        };
        let default = [default_spec()];
        let specs = if c.registry.is_empty() {
            &default[..]
        } else {
            &c.registry[..]
        };
        for r in specs {
            out.push(Target {
                registry: spec_registry(r, &account, region),
                aliases: spec_aliases(r),
                via: Some(c.role_arn.clone()),
            });
        }
    }
    out
}

fn default_spec() -> RegistrySpec {
    RegistrySpec {
        account: None,
        region: None,
        aliases: vec![],
        public: false,
        role: None,
    }
}

/// A chained role to assume at sign-in, and the role it is assumed from (`None`: the
/// session's own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainPlan {
    pub role_arn: String,
    pub from: Option<String>,
}

/// What a SAML profile's `roles` add for a sign-in whose session role is `session_role` and
/// whose other roles are `others` (ARNs, as the assertion offers them): the entry of the
/// session's role adds its registries and chains to the session's; every other role reaches
/// its entry's registries (default: its account in the profile's region) and its chains'. Hosts
/// already in `existing` are left out. Returns the targets and every chained role to assume
/// (the profile's own first).
pub fn with_sign_in_roles(
    profile: &Profile,
    session_role: Option<&crate::role::Role>,
    others: &[crate::role::Role],
    existing: &[Target],
) -> (Vec<Target>, Vec<ChainPlan>) {
    let mut targets: Vec<Target> = Vec::new();
    let mut chains: Vec<ChainPlan> = profile
        .chain
        .iter()
        .map(|c| ChainPlan {
            role_arn: c.role_arn.clone(),
            from: None,
        })
        .collect();
    let mut add = |t: Target| {
        let host = t.registry.host();
        if !existing
            .iter()
            .chain(targets.iter())
            .any(|o| o.registry.host() == host)
        {
            targets.push(t);
        }
    };
    let entry_of = |r: &crate::role::Role| {
        profile
            .roles
            .iter()
            .map(|e| &e.0)
            .find(|e| role::select(std::slice::from_ref(r), &e.role).is_ok())
    };
    if let Some((session_role, e)) = session_role.and_then(|r| Some((r, entry_of(r)?))) {
        for r in &e.registry {
            add(Target {
                registry: spec_registry(r, &session_role.account, &profile.region),
                aliases: spec_aliases(r),
                via: None,
            });
        }
        for t in chain_targets(&e.chain, &profile.region) {
            add(t);
        }
        chains.extend(e.chain.iter().map(|c| ChainPlan {
            role_arn: c.role_arn.clone(),
            from: None,
        }));
    }
    for other in others {
        let Some(e) = entry_of(other) else { continue };
        let default = [default_spec()];
        let specs = if e.registry.is_empty() {
            &default[..]
        } else {
            &e.registry[..]
        };
        for r in specs {
            add(Target {
                registry: spec_registry(r, &other.account, &profile.region),
                aliases: spec_aliases(r),
                via: Some(other.role_arn.clone()),
            });
        }
        for t in chain_targets(&e.chain, &profile.region) {
            add(t);
        }
        chains.extend(e.chain.iter().map(|c| ChainPlan {
            role_arn: c.role_arn.clone(),
            from: Some(other.role_arn.clone()),
        }));
    }
    let mut seen = Vec::new();
    chains.retain(|c| {
        let new = !seen.contains(&c.role_arn);
        seen.push(c.role_arn.clone());
        new
    });
    (targets, chains)
}
