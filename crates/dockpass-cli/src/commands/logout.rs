//! `dockpass logout`: remove exactly what Dockpass wrote, forget the session.

use crate::output;
use dockpass_core::{session, Result};

#[derive(clap::Args)]
pub struct Args {
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(profile: Option<&str>, args: Args) -> Result<()> {
    let ctx = session::Context::load()?;
    let profile = ctx.profile(profile)?;
    let report = session::logout(&ctx, profile)?;
    for h in &report.kept_changed {
        output::warning(&format!(
            "left the docker entry for {h} alone: it changed since Dockpass wrote it"
        ));
    }
    if args.json {
        return output::json(&report);
    }
    if !report.was_logged_in {
        println!("Profile {} was not signed in.", report.profile);
    } else if report.removed.is_empty() {
        println!("Signed out of profile {}.", report.profile);
    } else {
        println!(
            "Signed out of profile {}; removed docker credentials for {}.",
            report.profile,
            report.removed.join(", ")
        );
    }
    Ok(())
}
