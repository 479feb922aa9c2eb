//! Signing in: the plan (role, trust) before anything is asked of AWS, then STS, chained
//! roles and ECR tokens (`tokens`), one docker config write, the keychain and the state.

use super::context::Context;
use super::secrets::{ChainedCredentials, SessionSecrets};
use super::state::{ChainInfo, RegistryInfo, SessionInfo};
use super::status::{chain_statuses, registry_statuses, ChainStatus, RegistryStatus};
use super::targets::{targets, Target};
use super::{publish, tokens};
use crate::aws::ecr::{Ecr, EcrToken};
use crate::aws::iam::Iam;
use crate::aws::profile_source::ProfileSource;
use crate::aws::sts::{self, Credentials, Sts};
use crate::config::{DockerMode, Profile};
use crate::idp::trust;
use crate::role::{self, Role};
use crate::saml::Assertion;
use crate::{err, Code, Result};
use serde::Serialize;
use time::OffsetDateTime;

/// Picks the role: the one asked for, else the profile's, else the last used when the
/// assertion still offers it, else the only one. Several and no hint is an error. A bare
/// role name picks only in the `known` accounts (see `role::select_known`).
pub fn choose_role<'a>(
    roles: &'a [Role],
    asked: Option<&str>,
    profile_role: Option<&str>,
    last: Option<&Role>,
    known: &[String],
) -> Result<&'a Role> {
    if roles.is_empty() {
        return Err(err(Code::SamlNoRoles, "the assertion offers no AWS role"));
    }
    if let Some(sel) = asked {
        return role::select_known(roles, sel, known);
    }
    if let Some(sel) = profile_role {
        return role::select_known(roles, sel, known).map_err(|e| {
            e.context(format!(
                "the profile's role {sel:?} is not usable; fix `role` in the config or pass --role"
            ))
        });
    }
    if let Some(last) = last {
        if let Some(r) = roles.iter().find(|r| r.role_arn == last.role_arn) {
            return Ok(r);
        }
    }
    if roles.len() == 1 {
        return Ok(&roles[0]);
    }
    let list: Vec<String> = roles
        .iter()
        .take(8)
        .map(|r| format!("{}/{}", r.account, r.name))
        .collect();
    Err(err(
        Code::RoleNotChosen,
        format!(
            "the assertion offers {} roles; pick one with --role ACCOUNT/NAME ({}{})",
            roles.len(),
            list.join(", "),
            if roles.len() > 8 { ", ..." } else { "" }
        ),
    ))
}

/// What a login did.
#[derive(Clone, Debug, Serialize)]
pub struct LoginReport {
    pub profile: String,
    pub role_arn: String,
    pub account: String,
    /// The account's name (IAM Identity Center's portal tells it), else null.
    pub account_name: Option<String>,
    #[serde(with = "crate::base::clock::serde_rfc3339")]
    pub expires_at: OffsetDateTime,
    pub registries: Vec<RegistryStatus>,
    /// Chained roles assumed, with their own expiry.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<ChainStatus>,
    /// The containers' auth file, when the tokens went there too (podman, buildah, skopeo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containers_auth: Option<std::path::PathBuf>,
    /// Where the secrets went: "keychain" or "memory".
    pub secrets: String,
    /// One-line warnings for the user (e.g. no keychain).
    pub warnings: Vec<String>,
}

impl LoginReport {
    /// For a sign-in that ends with its process (the CLI): why docker will find nothing, if
    /// it will not. In helper mode docker asks docker-credential-dockpass, which answers from
    /// the keychain or from the app or daemon that signed in; a session kept only in this
    /// process's memory reaches neither.
    pub fn unserved_in_helper_mode(&self, profile: &Profile) -> Option<String> {
        if profile.docker != DockerMode::Helper || self.secrets != "memory" {
            return None;
        }
        let daemon = if !profile.signs_in_at_idp() {
            ", run `dockpass daemon` (it signs in this profile itself and serves docker)"
        } else {
            ", sign in from the tray app (it serves docker while it runs)"
        };
        Some(format!(
            "docker will get \"credentials not found\" for {}: docker = \"helper\" reads the session from the keychain or from the running app or daemon, and this session is in neither (no keychain); set up a keychain (a Secret Service such as gnome-keyring){daemon}, or use docker = \"config\"",
            self.registries
                .iter()
                .map(|r| r.host.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// The base credentials of a session and who they are.
pub(super) struct Base {
    pub role_arn: String,
    pub account: String,
    pub credentials: Credentials,
    /// RoleSessionName for chained roles.
    pub session_name: String,
    /// SAML and Identity Center: the role picked (remembered for the next login), all the
    /// assertion or the portal offered, and the assertion's issuer (remembered, see trust.rs).
    pub role: Option<Role>,
    pub roles: Option<Vec<Role>>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    /// The account's name, where the sign-in tells it (the Identity Center portal does).
    pub account_name: Option<String>,
    /// Names of accounts the sign-in told (the Identity Center portal's accounts).
    pub account_names: Vec<(String, String)>,
    /// The roles the sign-in gave besides the session's, with their credentials: IAM Identity
    /// Center's roles of other accounts (one per account) whose registries the profile names,
    /// and a SAML profile's other `roles`.
    pub portal: Vec<ChainedCredentials>,
    /// A SAML profile's other `roles`, as the assertion offers them (their credentials are in
    /// `portal`).
    pub others: Vec<Role>,
}

/// How a sign-in with an assertion goes.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoginOptions<'a> {
    /// The role asked for (`--role`, a role switch); else chosen as `choose_role` says.
    pub role: Option<&'a str>,
    /// The user confirmed a new issuer or account (`--trust-new-account`, the app's dialog).
    pub trust_new: bool,
    /// The loopback ACS URLs of the profile (loopback mode): the assertion may be
    /// addressed to one of them as well as to AWS sign-in.
    pub acs: &'a [String],
}

/// Signs in with a captured assertion: role → trust → STS → chained roles and ECR tokens →
/// docker config → state.
pub async fn login<A: Sts + Ecr + Iam>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    assertion: &Assertion,
    opts: LoginOptions<'_>,
) -> Result<LoginReport> {
    let plan = plan_login(ctx, profile, assertion, opts)?;
    login_planned(ctx, aws, profile, assertion, plan).await
}

/// [`login`] with its plan worked out already (the app asked the user about it first): the
/// state file is read once per sign-in, and the role chosen once.
pub async fn login_planned<A: Sts + Ecr + Iam>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    assertion: &Assertion,
    plan: Plan,
) -> Result<LoginReport> {
    open_secrets_early(ctx);
    crate::base::deadline::bounded(
        "signing in",
        login_unbounded(ctx, aws, profile, assertion, plan),
    )
    .await
}

/// Opens the secret store on a blocking thread while STS and ECR answer: the keychain probe
/// is a D-Bus connection and a key exchange (about 10 ms) that would otherwise wait for
/// them. Whoever needs the store later waits for this one opening (`OnceLock`).
pub(super) fn open_secrets_early(ctx: &Context) {
    if ctx.secrets_opened() {
        return;
    }
    if let Ok(rt) = tokio::runtime::Handle::try_current() {
        let ctx = ctx.clone();
        drop(rt.spawn_blocking(move || {
            ctx.secrets();
        }));
    }
}

/// What a sign-in with an assertion would do, worked out before anything is asked of AWS.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The role it would use.
    pub role: Role,
    /// What the user must confirm first, if anything.
    pub question: Option<trust::Question>,
    /// The profile's session before it: a different role makes it a switch, and its docker
    /// entries that the new session will not overwrite go.
    pub previous: Option<SessionInfo>,
    /// [`LoginOptions::acs`].
    pub acs: Vec<String>,
    /// The profile's other `roles`, signed in to with the same assertion.
    pub others: Vec<Role>,
}

impl Plan {
    /// The role of the session before, if any.
    pub fn previous_role(&self) -> Option<&str> {
        self.previous.as_ref().map(|s| s.role_arn.as_str())
    }
}

/// The plan of a sign-in with `assertion` (role, trust), from the profile's state.
pub fn plan_login(
    ctx: &Context,
    profile: &Profile,
    assertion: &Assertion,
    opts: LoginOptions<'_>,
) -> Result<Plan> {
    let state = ctx.state.load()?;
    let pstate = state
        .profiles
        .get(&profile.name)
        .cloned()
        .unwrap_or_default();
    let known = pstate.known();
    let accounts = known.accounts_with(&profile.listed_accounts());
    let role = choose_role(
        &assertion.roles,
        opts.role,
        profile.default_role(),
        pstate.role.as_ref(),
        &accounts,
    )?
    .clone();
    let question = match opts.trust_new {
        true => None,
        false => known.question(profile, assertion.issuer.as_deref(), &role),
    };
    Ok(Plan {
        others: other_roles(profile, assertion, &role)?,
        role,
        question,
        previous: pstate.session,
        acs: opts.acs.to_vec(),
    })
}

/// The profile's other `roles` as the assertion offers them (the session's role left out).
/// One the assertion does not offer is an error: a sign-in gives all of them or none.
fn other_roles(profile: &Profile, assertion: &Assertion, session: &Role) -> Result<Vec<Role>> {
    let mut out: Vec<Role> = Vec::new();
    for e in &profile.roles {
        let r = role::select(&assertion.roles, &e.0.role).map_err(|_| {
            err(
                Code::RoleNotFound,
                format!(
                    "the assertion offers no role {} (the profile's roles); remove it from roles, or ask your IdP admin to assign it",
                    e.0.role
                ),
            )
        })?;
        if r.role_arn != session.role_arn && !out.iter().any(|o| o.role_arn == r.role_arn) {
            out.push(r.clone());
        }
    }
    Ok(out)
}

async fn login_unbounded<A: Sts + Ecr + Iam>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    assertion: &Assertion,
    plan: Plan,
) -> Result<LoginReport> {
    let now = ctx.clock.now();
    assertion.check_not_expired(now)?;
    assertion.check_addressed_to(&plan.acs)?;
    let Plan {
        role,
        question,
        previous,
        acs: _,
        others,
    } = plan;
    if let Some(q) = question {
        return Err(q.to_error());
    }
    // One assertion, several AssumeRoleWithSAML calls at once (AWS takes it while it is valid).
    let duration = profile.session_duration.map(|d| d.0);
    let own = sts::assume_role_with_saml(aws, &role, assertion, duration, now);
    let more = futures::future::join_all(others.iter().map(|r| async move {
        sts::assume_role_with_saml(aws, r, assertion, duration, now)
            .await
            .map(|credentials| ChainedCredentials {
                role_arn: r.role_arn.clone(),
                credentials,
            })
            .map_err(|e| e.context(format!("{} (the profile's roles)", r.role_arn)))
    }));
    let (credentials, more) = futures::join!(own, more);
    let credentials = credentials?;
    let portal = more.into_iter().collect::<Result<Vec<_>>>()?;
    let base = Base {
        role_arn: role.role_arn.clone(),
        account: role.account.clone(),
        credentials,
        session_name: sts::session_name(
            assertion
                .role_session_name
                .as_deref()
                .or(assertion.subject.as_deref()),
        ),
        role: Some(role),
        roles: Some(assertion.roles.clone()),
        issuer: assertion.issuer.clone(),
        subject: assertion.subject.clone(),
        account_name: None,
        account_names: vec![],
        portal,
        others,
    };
    establish(ctx, aws, profile, base, previous).await
}

/// Signs in with an AWS shared-config profile (`aws_profile`): its credentials through
/// aws-config's standard chain, then the same chained roles, tokens and docker config.
pub async fn login_aws_profile<A: Sts + Ecr + Iam + ProfileSource>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
) -> Result<LoginReport> {
    open_secrets_early(ctx);
    crate::base::deadline::bounded("signing in", login_aws_profile_unbounded(ctx, aws, profile))
        .await
}

async fn login_aws_profile_unbounded<A: Sts + Ecr + Iam + ProfileSource>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
) -> Result<LoginReport> {
    let Some(name) = profile.aws_profile.as_deref() else {
        return Err(err(
            Code::Usage,
            format!(
                "profile {} signs in at its IdP, not with an AWS profile",
                profile.name
            ),
        ));
    };
    let credentials = {
        let _waiting = crate::base::deadline::waiting(format!("AWS profile {name:?}"));
        aws.profile_credentials(name).await?
    };
    let id = {
        let _waiting = crate::base::deadline::waiting("AWS STS");
        aws.caller_identity(&credentials).await?
    };
    let base = Base {
        role_arn: role_arn_of(&id.arn),
        account: id.account,
        credentials,
        session_name: "dockpass".into(),
        role: None,
        roles: None,
        issuer: None,
        subject: Some(id.arn),
        account_name: None,
        account_names: vec![],
        portal: Vec::new(),
        others: Vec::new(),
    };
    let previous = ctx
        .state
        .load()?
        .profiles
        .remove(&profile.name)
        .and_then(|p| p.session);
    establish(ctx, aws, profile, base, previous).await
}

/// `arn:aws:sts::1:assumed-role/Name/session` → `arn:aws:iam::1:role/Name`; other ARNs as they are.
fn role_arn_of(caller_arn: &str) -> String {
    let parts: Vec<&str> = caller_arn.splitn(6, ':').collect();
    if let [arn, partition, "sts", "", account, resource] = parts[..] {
        if let Some(rest) = resource.strip_prefix("assumed-role/") {
            let name = rest.split('/').next().unwrap_or(rest);
            return format!("{arn}:{partition}:iam::{account}:role/{name}");
        }
    }
    caller_arn.to_string()
}
/// The common end of every sign-in: chained roles, tokens, one docker config write, the
/// keychain and the state file.
pub(super) async fn establish<A: Sts + Ecr + Iam>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    base: Base,
    previous: Option<SessionInfo>,
) -> Result<LoginReport> {
    let now = ctx.clock.now();
    let mut targets = targets(profile, &base.account);
    // A registry of an account the session reaches through a portal role goes through it.
    for t in targets.iter_mut().filter(|t| t.via.is_none()) {
        if let Some(c) = base
            .portal
            .iter()
            .find(|c| role::parse_role_arn(&c.role_arn).is_ok_and(|r| r.1 == t.registry.account))
        {
            t.via = Some(c.role_arn.clone());
        }
    }
    // A SAML profile's `roles`: the other roles' registries and every chain, with the role
    // each is assumed from.
    let (more, chains) =
        super::targets::with_sign_in_roles(profile, base.role.as_ref(), &base.others, &targets);
    targets.extend(more);
    let from = tokens::Sources {
        base: &base.credentials,
        session_name: &base.session_name,
        assume: chains.iter().map(|c| c.role_arn.clone()).collect(),
        held: &base.portal,
        parents: chains
            .iter()
            .filter_map(|c| Some((c.role_arn.clone(), c.from.clone()?)))
            .collect(),
    };
    // The account's alias, beside the tokens, where the sign-in did not name the account; it
    // never holds the sign-in up for long (`iam::after_tokens`).
    let alias = async {
        match base.account_name {
            Some(_) => None,
            None => crate::aws::iam::alias_or_none(aws, &base.credentials, &base.account).await,
        }
    };
    let (fetched, alias) =
        crate::aws::iam::after_tokens(tokens::fetch(aws, &from, &targets), alias).await;
    let tokens::Fetched {
        chained: assumed,
        tokens,
    } = fetched?;
    let mut learned = base.account_names.clone();
    if let Some(a) = alias {
        learned.push((base.account.clone(), a));
    }
    let portal_arns: Vec<String> = base.portal.iter().map(|c| c.role_arn.clone()).collect();
    let mut chained = assumed;
    chained.extend(base.portal.iter().cloned());
    // The session lasts as long as its shortest credentials that only a sign-in renews.
    let expires_at = base
        .portal
        .iter()
        .map(|c| c.credentials.expires_at)
        .fold(base.credentials.expires_at, std::cmp::min);
    let published = publish::publish(ctx, profile, &targets, &tokens, previous.as_ref())?;
    let containers_auth = published.containers.as_ref().map(|c| c.path.clone());

    // The docker config is written. The keychain (D-Bus round trips, key exchanges, the
    // keyring's own file) and the state file are independent: write them at once. The state
    // names the secrets' backend; in the rare case the keychain refuses, it is corrected.
    let secrets = SessionSecrets {
        credentials: base.credentials.clone(),
        tokens: tokens.clone(),
        chained: chained.clone(),
    };
    let saving = {
        let (ctx, name) = (ctx.clone(), profile.name.clone());
        tokio::task::spawn_blocking(move || {
            let store = ctx.secrets();
            let saved = store.save(&name, &secrets).map_err(|e| e.message);
            let why = ctx.secrets_warning().map(str::to_string);
            (store.backend(), why, saved)
        })
    };
    let backend = ctx.secrets().backend();
    let registries = registry_infos(&targets, &tokens, now);

    let chain: Vec<ChainInfo> = chained
        .iter()
        .map(|c| ChainInfo {
            account: role::parse_role_arn(&c.role_arn)
                .map(|r| r.1)
                .unwrap_or_default(),
            portal: portal_arns.contains(&c.role_arn),
            from: chains
                .iter()
                .find(|p| p.role_arn == c.role_arn)
                .and_then(|p| p.from.clone()),
            role_arn: c.role_arn.clone(),
            issued_at: now,
            expires_at: c.credentials.expires_at,
        })
        .collect();
    let info = SessionInfo {
        role_arn: base.role_arn.clone(),
        account: base.account.clone(),
        started_at: now,
        expires_at,
        registries: registries.clone(),
        docker_config: ctx.docker_config.clone(),
        written: published.docker,
        containers: published.containers,
        secrets: backend.to_string(),
        chain: chain.clone(),
        account_name: None,
    };
    let stated = ctx.state.update(|state| {
        let pstate = state.profiles.entry(profile.name.clone()).or_default();
        for (id, name) in &learned {
            pstate.account_names.insert(id.clone(), name.clone());
        }
        let mut info = info;
        info.account_name = super::accounts::name(profile, Some(pstate), &info.account)
            .or(base.account_name.clone());
        let account_name = info.account_name.clone();
        if let Some(r) = base.role {
            let mut known = pstate.known();
            known.remember(base.issuer.as_deref(), &r.account);
            pstate.known = known;
            pstate.role = Some(r);
        }
        if let Some(r) = base.roles {
            pstate.roles = r;
        }
        pstate.subject = base.subject;
        pstate.session = Some(info);
        pstate.last_error = None;
        account_name
    });
    let (backend, why, saved) = saving.await.map_err(|e| {
        err(
            Code::Internal,
            format!("the keychain write did not finish: {e}"),
        )
    })?;
    let account_name = stated?;
    let mut backend = backend.to_string();
    let mut warnings = Vec::new();
    // In helper mode nothing is written for docker to read: the helper asks for the session.
    let ends = match profile.docker {
        DockerMode::Config => {
            "docker credentials are written, but the session ends with this process"
        }
        DockerMode::Helper => "the session ends with this process",
    };
    if let Some(why) = why {
        warnings.push(format!("keychain unavailable: {why}; {ends}"));
    }
    if let Err(message) = saved {
        warnings.push(format!(
            "could not keep the session in the keychain: {message}; {ends}"
        ));
        backend = "memory".into();
        ctx.state.update(|state| {
            if let Some(s) = state
                .profiles
                .get_mut(&profile.name)
                .and_then(|p| p.session.as_mut())
            {
                s.secrets = backend.clone();
            }
        })?;
    }

    Ok(LoginReport {
        profile: profile.name.clone(),
        role_arn: base.role_arn,
        account: base.account,
        account_name,
        expires_at,
        registries: registry_statuses(&registries),
        chain: chain_statuses(&chain, profile, None),
        containers_auth,
        secrets: backend,
        warnings,
    })
}

fn registry_infos(
    targets: &[Target],
    tokens: &[EcrToken],
    now: OffsetDateTime,
) -> Vec<RegistryInfo> {
    targets
        .iter()
        .zip(tokens)
        .map(|(t, tok)| RegistryInfo {
            host: t.registry.host(),
            account: t.registry.account.clone(),
            region: t.registry.region.clone(),
            aliases: t.aliases.clone(),
            issued_at: Some(now),
            expires_at: tok.expires_at,
            via: t.via.clone(),
            variant: t.registry.variant,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::registry::EcrRegistry;
    use crate::session::targets::targets;

    fn roles() -> Vec<Role> {
        [
            "arn:aws:iam::111111111111:role/Developer,arn:aws:iam::111111111111:saml-provider/IdP",
            "arn:aws:iam::111111111111:role/ReadOnly,arn:aws:iam::111111111111:saml-provider/IdP",
            "arn:aws:iam::222222222222:role/Developer,arn:aws:iam::222222222222:saml-provider/IdP",
        ]
        .iter()
        .map(|v| Role::from_attribute_value(v).unwrap())
        .collect()
    }

    #[test]
    fn role_choice_order() {
        let r = roles();
        assert_eq!(
            choose_role(
                &r,
                Some("111111111111/ReadOnly"),
                Some("Developer"),
                None,
                &[]
            )
            .unwrap()
            .name,
            "ReadOnly"
        );
        assert_eq!(
            choose_role(&r, None, Some("222222222222/Developer"), Some(&r[1]), &[])
                .unwrap()
                .account,
            "222222222222"
        );
        assert_eq!(
            choose_role(&r, None, None, Some(&r[1]), &[]).unwrap().name,
            "ReadOnly"
        );
        let e = choose_role(&r, None, None, None, &[]).unwrap_err();
        assert_eq!(e.code, Code::RoleNotChosen);
        assert!(e.message.contains("111111111111/ReadOnly"), "{}", e.message);
        assert_eq!(
            choose_role(&r[..1], None, None, None, &[]).unwrap().name,
            "Developer"
        );
        assert_eq!(
            choose_role(&r, Some("Developer"), None, None, &[])
                .unwrap_err()
                .code,
            Code::RoleAmbiguous
        );
    }

    #[test]
    fn default_target_is_role_account_in_profile_region() {
        let c = Config::parse(
            "[[profile]]\nname=\"p\"\nidp_url=\"https://x\"\nregion=\"eu-west-1\"\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap();
        let t = targets(&c.profiles[0], "123456789012");
        assert_eq!(
            t[0].registry.host(),
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
        );
        let c = Config::parse(
            "[[profile]]\nname=\"p\"\nidp_url=\"https://x\"\nregion=\"eu-west-1\"\n[[profile.registry]]\nregion=\"us-east-1\"\naliases=[\"r.example\"]\n[[profile.registry]]\naccount=\"999999999999\"\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap();
        let t = targets(&c.profiles[0], "123456789012");
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].registry, EcrRegistry::new("123456789012", "us-east-1"));
        assert_eq!(t[0].aliases, vec!["r.example"]);
        assert_eq!(t[1].registry, EcrRegistry::new("999999999999", "eu-west-1"));
    }
}
