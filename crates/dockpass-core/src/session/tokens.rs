//! The one way tokens are fetched and published, at sign-in and at refresh: chained roles
//! assumed concurrently, each group of registries fetched as soon as its credentials are there
//! (one GetAuthorizationToken per region and credentials, `ecr::authorization_tokens`). They
//! are written out by `publish`.

use super::secrets::ChainedCredentials;
use super::targets::Target;
use crate::aws::ecr::{self, Ecr, EcrToken};
use crate::aws::sts::{self, Credentials, Sts};
use crate::registry::EcrRegistry;
use crate::{err, Code, Result};

/// The credentials a fetch starts from: the session's own, the chained roles to assume now,
/// and those assumed before that are still good.
pub(super) struct Sources<'a> {
    pub base: &'a Credentials,
    /// RoleSessionName for the chained roles.
    pub session_name: &'a str,
    /// Chained roles to assume (again) now.
    pub assume: Vec<String>,
    /// Chained roles' credentials from before, for registries whose role is not assumed now,
    /// and the credentials of the sign-in's other roles.
    pub held: &'a [ChainedCredentials],
    /// Chained roles assumed from another role of the sign-in than the session's: (chained
    /// role, the role it is assumed from, found in `held`).
    pub parents: Vec<(String, String)>,
}

/// What a fetch brought: the chained roles assumed now, and the tokens of the registries asked
/// for, in the order asked.
pub(super) struct Fetched {
    pub chained: Vec<ChainedCredentials>,
    pub tokens: Vec<EcrToken>,
}

/// Tokens for `registries`, concurrently: the session's own registries start at once; the
/// registries of a chained role start as soon as that role is assumed (or at once with the
/// held credentials when it is not due). Each group goes to ECR in as few calls as it allows.
pub(super) async fn fetch<A: Sts + Ecr>(
    aws: &A,
    from: &Sources<'_>,
    registries: &[Target],
) -> Result<Fetched> {
    let regs_of = |via: Option<&str>| -> Vec<EcrRegistry> {
        registries
            .iter()
            .filter(|t| t.via.as_deref() == via)
            .map(|t| t.registry.clone())
            .collect()
    };
    let mut vias: Vec<&str> = from.assume.iter().map(String::as_str).collect();
    for t in registries {
        if let Some(v) = t.via.as_deref() {
            if !vias.contains(&v) {
                vias.push(v);
            }
        }
    }
    let own = regs_of(None);
    let own_fut = async {
        match own.is_empty() {
            true => Ok(Vec::new()),
            false => ecr::authorization_tokens(aws, from.base, &own).await,
        }
    };
    let chain_futs = vias.iter().map(|arn| {
        let regs = regs_of(Some(arn));
        async move {
            let assumed = if from.assume.iter().any(|a| a == arn) {
                let parent = match from.parents.iter().find(|(c, _)| c == arn) {
                    None => from.base,
                    Some((_, p)) => from
                        .held
                        .iter()
                        .find(|h| h.role_arn == *p)
                        .map(|h| &h.credentials)
                        .ok_or_else(|| {
                            err(
                                Code::NotLoggedIn,
                                format!("no credentials for {p}, which {arn} is assumed from; sign in again"),
                            )
                        })?,
                };
                let c = sts::assume_chained(aws, parent, arn, from.session_name).await?;
                Some(ChainedCredentials {
                    role_arn: arn.to_string(),
                    credentials: c,
                })
            } else {
                None
            };
            let creds = match &assumed {
                Some(c) => c.credentials.clone(),
                None => from
                    .held
                    .iter()
                    .find(|c| c.role_arn == *arn)
                    .map(|c| c.credentials.clone())
                    .ok_or_else(|| {
                        err(
                            Code::NotLoggedIn,
                            format!("no credentials for the chained role {arn}; sign in again"),
                        )
                    })?,
            };
            let toks = match regs.is_empty() {
                true => Vec::new(),
                false => ecr::authorization_tokens(aws, &creds, &regs).await?,
            };
            Ok::<_, crate::Error>((assumed, toks))
        }
    });
    let (own_toks, chained) = futures::join!(own_fut, futures::future::join_all(chain_futs));
    let mut tokens = own_toks?;
    let mut assumed = Vec::new();
    for r in chained {
        let (c, t) = r?;
        assumed.extend(c);
        tokens.extend(t);
    }
    Ok(Fetched {
        chained: assumed,
        tokens: in_target_order(registries, tokens),
    })
}

pub(super) fn in_target_order(targets: &[Target], mut tokens: Vec<EcrToken>) -> Vec<EcrToken> {
    let mut out = Vec::with_capacity(targets.len());
    for t in targets {
        if let Some(i) = tokens.iter().position(|k| k.registry == t.registry) {
            out.push(tokens.swap_remove(i));
        }
    }
    out
}
