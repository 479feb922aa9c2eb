//! In-process timer for `./scripts/bench login` and `scale` (benches/bench_login.py): the work
//! of a sign-in without process start, next to one STS call and one ECR call alone, all from
//! this same process against the same endpoints (AWS_ENDPOINT_URL_* at moto).
//!
//! ```text
//! bench_login --input PAGE [--profile P] [--role R] [--runs N] [--warmup W]
//!             [--modes sts,ecr,login] [--aws fresh|shared] [--secrets keychain|memory]
//! ```
//!
//! - `sts`: one AssumeRoleWithSAML (the captured assertion, the chosen role);
//! - `ecr`: one GetAuthorizationToken (the profile's first registry, with credentials from
//!   one untimed AssumeRoleWithSAML done before);
//! - `assume`: one AssumeRole of the profile's first chained role, with those credentials;
//! - `login`: `session::login` as the app's `Controller::captured` calls it: parse the
//!   captured SAMLResponse, choose the role, STS, chained roles and every registry's token
//!   concurrently, one docker config write, the secret store, the state file.
//!
//! `--aws fresh` (default) builds the `Aws` value (SDK config and clients) inside every timed
//! run, as a CLI process or the app's first sign-in does; `shared` builds it once, untimed,
//! as the app holds it afterwards. Modes are interleaved (10 rounds) so a drift of the
//! machine weighs on all alike. Prints one JSON object: `{"MODE": [seconds, ...], ...}`.
//! `--secrets memory` keeps the session in memory instead of the keychain (the figure without
//! the keychain's D-Bus round trips). Config, state and docker config: the usual variables.

use dockpass_core::aws::ecr::Ecr;
use dockpass_core::aws::sts::Sts;
use dockpass_core::aws::Aws;
use dockpass_core::base::clock::SystemClock;
use dockpass_core::session::secrets::MemoryStore;
use dockpass_core::session::{self, Context};
use dockpass_core::{saml, Result};
use std::sync::Arc;
use std::time::Instant;

struct Opts {
    input: String,
    profile: Option<String>,
    role: Option<String>,
    runs: usize,
    warmup: usize,
    modes: Vec<String>,
    fresh: bool,
    memory: bool,
}

fn opts() -> std::result::Result<Opts, String> {
    let mut o = Opts {
        input: String::new(),
        profile: None,
        role: None,
        runs: 20,
        warmup: 2,
        modes: vec!["sts".into(), "ecr".into(), "login".into()],
        fresh: true,
        memory: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--input" => o.input = val()?,
            "--profile" => o.profile = Some(val()?),
            "--role" => o.role = Some(val()?),
            "--runs" => o.runs = val()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--warmup" => o.warmup = val()?.parse().map_err(|e| format!("--warmup: {e}"))?,
            "--modes" => o.modes = val()?.split(',').map(str::to_string).collect(),
            "--aws" => o.fresh = val()? != "shared",
            "--secrets" => o.memory = val()? == "memory",
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    if o.input.is_empty() {
        return Err("--input PAGE is required".into());
    }
    if let Some(m) = o
        .modes
        .iter()
        .find(|m| !["sts", "ecr", "assume", "login"].contains(&m.as_str()))
    {
        return Err(format!("unknown mode {m}"));
    }
    Ok(o)
}

struct Bench {
    ctx: Context,
    profile: dockpass_core::config::Profile,
    page: Vec<u8>,
    role: Option<String>,
    shared: Option<Aws>,
}

impl Bench {
    async fn aws(&self) -> Aws {
        match &self.shared {
            Some(a) => a.clone(),
            None => Aws::new(&self.profile.region, self.profile.sts_endpoint.as_deref()).await,
        }
    }

    fn assertion(&self) -> Result<saml::Assertion> {
        saml::parse_response(&self.page)
    }

    fn role(&self, a: &saml::Assertion) -> Result<dockpass_core::role::Role> {
        session::choose_role(
            &a.roles,
            self.role.as_deref(),
            self.profile.role.as_deref(),
            None,
            &[],
        )
        .cloned()
    }

    async fn sts(&self) -> Result<dockpass_core::aws::sts::Credentials> {
        let a = self.assertion()?;
        let role = self.role(&a)?;
        let aws = self.aws().await;
        aws.assume_role_with_saml(&role, &a.response_b64, None)
            .await
            .map_err(|e| match e {
                dockpass_core::aws::sts::StsFailure::Other(e) => e,
                other => dockpass_core::err(dockpass_core::Code::StsFailed, format!("{other:?}")),
            })
    }

    async fn ecr(&self, creds: &dockpass_core::aws::sts::Credentials) -> Result<()> {
        let role_account = self.role(&self.assertion()?)?.account;
        let target = session::targets(&self.profile, &role_account)
            .into_iter()
            .next()
            .expect("a profile has a registry");
        let aws = self.aws().await;
        let raw = aws.get_authorization_token(creds, &target.registry).await?;
        dockpass_core::aws::ecr::decode_token(&target.registry, raw)?;
        Ok(())
    }

    async fn assume(&self, creds: &dockpass_core::aws::sts::Credentials) -> Result<()> {
        let chain = self.profile.chain.first().ok_or_else(|| {
            dockpass_core::err(
                dockpass_core::Code::Usage,
                "the profile has no chained role",
            )
        })?;
        let aws = self.aws().await;
        aws.assume_role(creds, &chain.role_arn, "dockpass", 3600)
            .await
            .map(drop)
    }

    async fn login(&self) -> Result<usize> {
        let a = self.assertion()?;
        let aws = self.aws().await;
        let opts = session::LoginOptions {
            role: self.role.as_deref(),
            trust_new: false,
            acs: &[],
        };
        let r = session::login(&self.ctx, &aws, &self.profile, &a, opts).await?;
        Ok(r.registries.len())
    }
}

async fn run(o: Opts) -> Result<String> {
    let mut ctx = Context::load()?;
    if o.memory {
        ctx = Context::new(
            ctx.config.clone(),
            ctx.state.clone(),
            Arc::new(SystemClock),
            ctx.docker_config.clone(),
            Box::new(MemoryStore::default()),
        );
    }
    let profile = ctx.profile(o.profile.as_deref())?.clone();
    let page = std::fs::read(&o.input)
        .map_err(|e| dockpass_core::err(dockpass_core::Code::Usage, format!("{}: {e}", o.input)))?;
    let mut b = Bench {
        ctx,
        profile,
        page,
        role: o.role.clone(),
        shared: None,
    };
    if !o.fresh {
        b.shared = Some(b.aws().await);
    }
    let creds = b.sts().await?; // for `ecr`, untimed
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); o.modes.len()];
    let rounds = o.runs.clamp(1, 10);
    let per_round: Vec<usize> = (0..rounds)
        .map(|r| o.runs / rounds + usize::from(r < o.runs % rounds))
        .collect();
    for (round, n) in std::iter::once(o.warmup).chain(per_round).enumerate() {
        for (k, mode) in o.modes.iter().enumerate() {
            for _ in 0..n {
                let t0 = Instant::now();
                match mode.as_str() {
                    "sts" => drop(b.sts().await?),
                    "ecr" => b.ecr(&creds).await?,
                    "assume" => b.assume(&creds).await?,
                    _ => drop(b.login().await?),
                }
                let dt = t0.elapsed().as_secs_f64();
                if round > 0 {
                    times[k].push(dt);
                }
            }
        }
    }
    let mut out = serde_json::Map::new();
    for (mode, t) in o.modes.iter().zip(times) {
        out.insert(mode.clone(), serde_json::json!(t));
    }
    Ok(serde_json::Value::Object(out).to_string())
}

fn main() -> std::process::ExitCode {
    let o = match opts() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bench_login: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    if std::env::var_os("DOCKPASS_LOG").is_some() {
        dockpass_core::platform::logging::init("off", true); // timestamps: where a sign-in's time goes
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match rt.block_on(run(o)) {
        Ok(json) => {
            println!("{json}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench_login: {}", e.message);
            std::process::ExitCode::from(1)
        }
    }
}
