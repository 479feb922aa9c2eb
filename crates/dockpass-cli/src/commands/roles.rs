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
    let (roles, current) = session::roles(&ctx, profile)?;
    let selected = |arn: &str| current.as_ref().is_some_and(|c| c.role_arn == arn);
    let state = ctx.state.load()?;
    let names = session::accounts::names(
        profile,
        state.profiles.get(&profile.name),
        roles.iter().map(|r| r.account.as_str()),
    );
    let name_of = |account: &str| names.get(account).map(String::as_str);
    let also: Vec<&str> = state
        .profiles
        .get(&profile.name)
        .and_then(|p| p.session.as_ref())
        .map(|s| {
            s.chain
                .iter()
                .filter(|c| c.portal)
                .map(|c| c.role_arn.as_str())
                .collect()
        })
        .unwrap_or_default();
    if args.json {
        let out: Vec<RoleOut> = roles
            .iter()
            .map(|r| RoleOut {
                role_arn: &r.role_arn,
                principal_arn: &r.principal_arn,
                account: &r.account,
                account_name: name_of(&r.account),
                name: &r.name,
                path: &r.path,
                partition: &r.partition,
                selected: selected(&r.role_arn),
                also_signed_in: also.contains(&r.role_arn.as_str()),
            })
            .collect();
        return output::json(&out);
    }
    if roles.is_empty() {
        println!("No roles yet: sign in once and the roles your IdP offers appear here.");
        return Ok(());
    }
    for r in &roles {
        println!(
            "{} {}/{}{}  {}",
            if selected(&r.role_arn) {
                "*"
            } else if also.contains(&r.role_arn.as_str()) {
                "+"
            } else {
                " "
            },
            r.account,
            r.name,
            name_of(&r.account)
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            r.role_arn
        );
    }
    Ok(())
}
