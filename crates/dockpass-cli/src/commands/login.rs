//! `dockpass login`: a captured SAML response → STS → ECR → docker config.

use crate::output;
use dockpass_core::config::{DockerMode, LoginMode, Profile, Source};
use dockpass_core::{aws::Aws, err, saml, session, Code, Result};
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Role to assume: a role ARN, ACCOUNT/NAME, or NAME when unambiguous.
    #[arg(long)]
    role: Option<String>,
    /// The SAML response: base64, XML, or the IdP's HTML page; `-` reads standard input.
    #[arg(long, value_name = "FILE|-")]
    saml_response_file: Option<String>,
    /// Use an assertion from another IdP issuer, or a role in an account this profile has
    /// not signed in to before (after checking that the response came from your IdP).
    #[arg(long)]
    trust_new_account: bool,
    /// Sign in in your own browser: Dockpass opens your IdP there and waits until the
    /// Dockpass extension (or, with login = "loopback", the browser itself) hands the
    /// response back. The default for profiles with login = "browser" or "loopback".
    #[arg(long, conflicts_with = "saml_response_file")]
    browser: bool,
    /// IAM Identity Center profiles: sign in with a code on any device instead of this
    /// computer's browser (Dockpass prints the URL and the code).
    #[arg(long, conflicts_with_all = ["browser", "saml_response_file"])]
    no_browser: bool,
    /// How long to wait for the browser's sign-in.
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    timeout: String,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(profile: Option<&str>, args: Args) -> Result<()> {
    let ctx = session::Context::load()?;
    let profile = ctx.profile(profile)?.clone();
    if args.no_browser && profile.source() != Source::IdentityCenter {
        return Err(err(
            Code::Usage,
            format!(
                "--no-browser is for IAM Identity Center profiles; profile {} signs in {}",
                profile.name,
                if profile.aws_profile.is_some() {
                    "with its AWS profile"
                } else {
                    "at its IdP (use --browser or --saml-response-file)"
                }
            ),
        ));
    }
    let report = if profile.source() == Source::IdentityCenter {
        if args.saml_response_file.is_some() || args.trust_new_account {
            return Err(err(
                Code::Usage,
                format!(
                    "profile {} signs in through IAM Identity Center; drop --saml-response-file and --trust-new-account",
                    profile.name
                ),
            ));
        }
        let timeout = dockpass_core::base::duration::parse(&args.timeout)
            .map_err(|why| err(Code::Usage, format!("--timeout: {why}")))?;
        super::block_on(identity_center(&ctx, &profile, &args, timeout))??
    } else if let Some(aws_profile) = &profile.aws_profile {
        if args.saml_response_file.is_some()
            || args.role.is_some()
            || args.trust_new_account
            || args.browser
        {
            return Err(err(
                Code::Usage,
                format!(
                    "profile {} takes its credentials from AWS profile {aws_profile:?}; drop --saml-response-file, --browser, --role and --trust-new-account",
                    profile.name
                ),
            ));
        }
        super::block_on(async {
            let aws = Aws::new(&profile.region, profile.sts_endpoint.as_deref()).await;
            session::login_aws_profile(&ctx, &aws, &profile).await
        })??
    } else {
        let opts = session::LoginOptions {
            role: args.role.as_deref(),
            trust_new: args.trust_new_account,
            acs: &[],
        };
        match (args.saml_response_file.as_deref(), browser_mode(&profile, args.browser)) {
            (Some(file), _) => {
                let assertion = saml::parse_response(&super::read_input(file)?)?;
                super::block_on(async {
                    let aws = Aws::new(&profile.region, profile.sts_endpoint.as_deref()).await;
                    session::login(&ctx, &aws, &profile, &assertion, opts).await
                })??
            }
            (None, Some(mode)) => {
                let timeout = dockpass_core::base::duration::parse(&args.timeout)
                    .map_err(|why| err(Code::Usage, format!("--timeout: {why}")))?;
                super::block_on(in_browser(&ctx, &profile, mode, timeout, opts))??
            }
            (None, None) => {
                return Err(err(
                    Code::Usage,
                    "the CLI signs in with --browser (your own browser) or --saml-response-file FILE|-; the tray app opens a login window",
                ))
            }
        }
    };
    let unserved = report.unserved_in_helper_mode(&profile);
    for w in report.warnings.iter().chain(&unserved) {
        output::warning(w);
    }
    if args.json {
        return output::json(&report);
    }
    let now = ctx.clock.now();
    let name = report
        .role_arn
        .rsplit('/')
        .next()
        .unwrap_or(&report.role_arn);
    let account = session::accounts::label(&report.account, report.account_name.as_deref());
    println!(
        "Signed in to profile {} as {} @ {} until {} ({}).",
        report.profile,
        name,
        account,
        output::when(report.expires_at),
        output::relative(now, report.expires_at)
    );
    let hosts: Vec<&str> = report.registries.iter().map(|r| r.host.as_str()).collect();
    println!(
        "{} for {}: {}",
        if unserved.is_some() {
            "Docker will not find credentials"
        } else if profile.docker == DockerMode::Helper {
            "Docker asks docker-credential-dockpass"
        } else {
            "Docker credentials written"
        },
        if hosts.len() == 1 {
            "1 host".to_string()
        } else {
            format!("{} hosts", hosts.len())
        },
        hosts.join(", ")
    );
    if let Some(path) = &report.containers_auth {
        println!(
            "Podman, buildah and skopeo find them through {}.",
            path.display()
        );
    }
    for c in &report.chain {
        println!(
            "{} {} until {} ({}).",
            if c.sign_in {
                "Also signed in as"
            } else {
                "Chained role"
            },
            c.role_arn,
            output::when(c.expires_at),
            output::relative(now, c.expires_at)
        );
    }
    Ok(())
}

/// The browser sign-in to use, if any: `--browser` (loopback when the profile says so), or
/// the profile's own mode.
fn browser_mode(profile: &Profile, asked: bool) -> Option<LoginMode> {
    match (profile.login, asked) {
        (LoginMode::Loopback, _) => Some(LoginMode::Loopback),
        (_, true) | (LoginMode::Browser, _) => Some(LoginMode::Browser),
        (LoginMode::Window, false) => None,
    }
}

/// Signs in through IAM Identity Center: the cached sign-in when it still works, else the
/// browser (or, with --no-browser, a code to confirm on any device).
async fn identity_center(
    ctx: &session::Context,
    profile: &Profile,
    args: &Args,
    timeout: Duration,
) -> Result<session::LoginReport> {
    use session::identity_center::{Interaction, Options};
    let wait = dockpass_core::base::duration::format(timeout);
    let open = |url: &str| {
        eprintln!(
            "Opening IAM Identity Center in your browser; waiting up to {wait} (Ctrl-C cancels). If it does not open, visit:\n  {url}"
        );
        if let Err(e) = dockpass_core::platform::desktop::open_url(url) {
            output::warning(&e.message);
        }
        Ok(())
    };
    let show = |d: &dockpass_core::aws::identity_center::DeviceAuthorization| {
        eprintln!(
            "To sign in, open {} on any device and confirm the code {} (waiting up to {wait}; Ctrl-C cancels).",
            d.verification_uri_complete.as_deref().unwrap_or(&d.verification_uri),
            d.user_code
        );
    };
    let until = ctx.clock.now() + timeout;
    let interaction = if args.no_browser {
        Interaction::DeviceCode { show: &show, until }
    } else {
        Interaction::Browser { open: &open, until }
    };
    let aws = Aws::new(&profile.region, profile.sts_endpoint.as_deref()).await;
    let opts = Options {
        role: args.role.as_deref(),
        interaction,
    };
    session::identity_center::login(ctx, &aws, profile, opts).await
}

/// Opens the IdP in the user's browser and signs in with what comes back.
async fn in_browser(
    ctx: &session::Context,
    profile: &Profile,
    mode: LoginMode,
    timeout: Duration,
    opts: session::LoginOptions<'_>,
) -> Result<session::LoginReport> {
    let mut sign = session::browser::begin(profile, mode).await?;
    dockpass_core::platform::desktop::open_url(&sign.idp_url)?;
    eprintln!(
        "Opened {} in your browser; waiting up to {} for the sign-in to come back through {} (Ctrl-C cancels).",
        sign.idp_url,
        dockpass_core::base::duration::format(timeout),
        sign.attempt.describe
    );
    let until = ctx.clock.now() + timeout;
    let handed = sign
        .attempt
        .wait(ctx.clock.as_ref(), until, output::warning)
        .await?;
    let aws = Aws::new(&profile.region, profile.sts_endpoint.as_deref()).await;
    let result = session::browser::finish(ctx, &aws, profile, &sign, handed, opts, false).await;
    for why in sign.attempt.later_refusals() {
        output::warning(&why);
    }
    result
}
