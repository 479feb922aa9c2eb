//! `dockpass roles`: the roles of the last sign-in, the remembered one marked `*`, the other
//! roles the session signed in to (the profile's `roles`) `+`.

use crate::output;
use dockpass_core::{session, Result};
use serde::Serialize;

#[derive(clap::Args)]
pub struct Args {
    /// Print the roles as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct RoleOut<'a> {
    role_arn: &'a str,
    principal_arn: &'a str,
    account: &'a str,
    /// The account's name (the profile's, or learned at sign-in), else null.
    account_name: Option<&'a str>,
    name: &'a str,
    path: &'a str,
    partition: &'a str,
    selected: bool,
    /// Signed in to with the session (another role of the profile's `roles`).
    also_signed_in: bool,
}

pub fn run(profile: Option<&str>, args: Args) -> Result<()> {
    let ctx = session::Context::load()?;
    let profile = ctx.profile(profile)?;
    let items = session::role_items(&ctx, profile)?;
    if args.json {
        let out: Vec<RoleOut> = items
            .iter()
            .map(|i| RoleOut {
                role_arn: &i.role.role_arn,
                principal_arn: &i.role.principal_arn,
                account: &i.role.account,
                account_name: i.account_name.as_deref(),
                name: &i.role.name,
                path: &i.role.path,
                partition: &i.role.partition,
                selected: i.remembered,
                also_signed_in: i.also_signed_in,
            })
            .collect();
        return output::json(&out);
    }
    if items.is_empty() {
        println!("No roles yet: sign in once and the roles your IdP offers appear here.");
        return Ok(());
    }
    for i in &items {
        let r = &i.role;
        println!(
            "{} {}/{}{}  {}",
            if i.remembered {
                "*"
            } else if i.also_signed_in {
                "+"
            } else {
                " "
            },
            r.account,
            r.name,
            i.account_name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            r.role_arn
        );
    }
    Ok(())
}
