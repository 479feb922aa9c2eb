//! `dockpass login`: a captured SAML response → STS → ECR → docker config.

use crate::output;
use dockpass_core::config::DockerMode;
use dockpass_core::{aws::Aws, err, saml, session, Code, Result};

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
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(profile: Option<&str>, args: Args) -> Result<()> {
    let ctx = session::Context::load()?;
    let profile = ctx.profile(profile)?.clone();
    let report = if let Some(aws_profile) = &profile.aws_profile {
        if args.saml_response_file.is_some() || args.role.is_some() || args.trust_new_account {
            return Err(err(
                Code::Usage,
                format!(
                    "profile {} takes its credentials from AWS profile {aws_profile:?}; drop --saml-response-file, --role and --trust-new-account",
                    profile.name
                ),
            ));
        }
        super::block_on(async {
            let aws = Aws::new(&profile.region, profile.sts_endpoint.as_deref()).await;
            session::login_aws_profile(&ctx, &aws, &profile).await
        })??
    } else {
        let Some(file) = args.saml_response_file.as_deref() else {
            return Err(err(
                Code::Usage,
                "the CLI signs in with --saml-response-file FILE|- (the tray app opens the IdP for you)",
            ));
        };
        let assertion = saml::parse_response(&super::read_input(file)?)?;
        super::block_on(async {
            let aws = Aws::new(&profile.region, profile.sts_endpoint.as_deref()).await;
            let opts = session::LoginOptions {
                role: args.role.as_deref(),
                trust_new: args.trust_new_account,
            };
            session::login(&ctx, &aws, &profile, &assertion, opts).await
        })??
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
    println!(
        "Signed in to profile {} as {} @ {} until {} ({}).",
        report.profile,
        name,
        report.account,
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
    for c in &report.chain {
        println!(
            "Chained role {} until {} ({}).",
            c.role_arn,
            output::when(c.expires_at),
            output::relative(now, c.expires_at)
        );
    }
    Ok(())
}
