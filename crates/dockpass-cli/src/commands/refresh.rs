//! `dockpass refresh`: fresh ECR tokens (and chained roles) now, with the live session's
//! STS credentials.

use crate::output;
use dockpass_core::{aws::Aws, session, Result};

#[derive(clap::Args)]
pub struct Args {
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(profile: Option<&str>, args: Args) -> Result<()> {
    let ctx = session::Context::load()?;
    let profile = ctx.profile(profile)?.clone();
    let report = super::block_on(async {
        let aws = Aws::new(&profile.region, profile.sts_endpoint.as_deref()).await;
        session::refresh_tokens(&ctx, &aws, &profile, true).await
    })??;
    if args.json {
        return output::json(&report);
    }
    let now = ctx.clock.now();
    for r in &report.registries {
        println!(
            "Refreshed {}: token valid until {} ({})",
            r.host,
            output::when(r.expires_at),
            output::relative(now, r.expires_at)
        );
    }
    for c in &report.chain_refreshed {
        println!("Assumed chained role {c} again");
    }
    Ok(())
}
