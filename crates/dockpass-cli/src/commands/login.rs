//! `dockpass login`: a captured SAML response → STS → ECR → docker config.

use crate::output;
use dockpass_core::{aws::Aws, err, saml, session, Code, Result};

#[derive(clap::Args)]
pub struct Args {
    /// Role to assume: a role ARN, ACCOUNT/NAME, or NAME when unambiguous.
    #[arg(long)]
    role: Option<String>,
    /// The SAML response: base64, XML, or the IdP's HTML page; `-` reads standard input.
    #[arg(long, value_name = "FILE|-")]
    saml_response_file: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(profile: Option<&str>, args: Args) -> Result<()> {
    let Some(file) = args.saml_response_file.as_deref() else {
        return Err(err(
            Code::Usage,
            "the CLI signs in with --saml-response-file FILE|- (the tray app opens the IdP for you)",
        ));
    };
    let ctx = session::Context::load()?;
    let profile = ctx.profile(profile)?.clone();
    let assertion = saml::parse_response(&super::read_input(file)?)?;
    let report = super::block_on(async {
        let aws = Aws::new(&profile.region, profile.sts_endpoint.as_deref()).await;
        session::login(&ctx, &aws, &profile, &assertion, args.role.as_deref()).await
    })??;
    for w in &report.warnings {
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
        "Docker credentials written for {}: {}",
        if hosts.len() == 1 {
            "1 host".to_string()
        } else {
            format!("{} hosts", hosts.len())
        },
        hosts.join(", ")
    );
    Ok(())
}
