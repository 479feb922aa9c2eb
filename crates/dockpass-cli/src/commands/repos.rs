//! `dockpass repos`: the repositories of every registry of the live session.

use crate::output;
use dockpass_core::session::repos;
use dockpass_core::{aws::Aws, err, session, Code, Result};

#[derive(clap::Args)]
pub struct Args {
    /// Print `[{"registry","region","account","name","uri","created_at"}]`.
    #[arg(long)]
    json: bool,
}

pub fn run(profile: Option<&str>, args: Args) -> Result<()> {
    let ctx = session::Context::load()?;
    let profile = ctx.profile(profile)?.clone();
    let list = super::block_on(async {
        let aws = Aws::new(&profile.region, profile.sts_endpoint.as_deref()).await;
        repos::of_session(&ctx, &aws, &profile).await
    })??;
    for f in &list.errors {
        output::warning(&format!("{}: {}", f.registry, f.error.message));
    }
    if list.repositories.is_empty() && !list.errors.is_empty() {
        // Nothing listed at all: the failure is the answer.
        let f = &list.errors[0];
        return Err(err(f.error.code, f.error.message.clone()));
    }
    if args.json {
        return output::json(&list.repositories);
    }
    if list.repositories.is_empty() {
        println!("No repositories in the session's registries.");
        return Ok(());
    }
    let width = list
        .repositories
        .iter()
        .map(|r| r.uri.len())
        .max()
        .unwrap_or(0);
    for r in &list.repositories {
        let created = r.created_at.map(output::when).unwrap_or_default();
        println!("{:width$}  {created}", r.uri);
    }
    if list.errors.is_empty() {
        Ok(())
    } else {
        Err(err(
            Code::EcrFailed,
            format!(
                "{} of {} registries could not be listed (see above)",
                list.errors.len(),
                list.errors.len() + count_registries(&list)
            ),
        ))
    }
}

fn count_registries(list: &dockpass_core::aws::repos::RepositoryList) -> usize {
    let mut hosts: Vec<&str> = list
        .repositories
        .iter()
        .map(|r| r.registry.as_str())
        .collect();
    hosts.sort_unstable();
    hosts.dedup();
    hosts.len()
}
