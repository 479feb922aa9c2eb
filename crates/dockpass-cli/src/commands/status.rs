//! `dockpass status`: where the session stands.

use crate::output;
use dockpass_core::session::{self, SessionState};
use dockpass_core::Result;

#[derive(clap::Args)]
pub struct Args {
    /// Print the status as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(profile: Option<&str>, args: Args) -> Result<()> {
    let ctx = session::Context::load()?;
    let profile = ctx.profile(profile)?;
    let st = session::status(&ctx, profile)?;
    if args.json {
        return output::json(&st);
    }
    let now = ctx.clock.now();
    let state = match st.state {
        SessionState::LoggedOut => "logged out",
        SessionState::Active => "active",
        SessionState::Expiring => "expiring",
        SessionState::Expired => "expired",
        SessionState::Error => "error",
    };
    println!("Profile:  {}", st.profile);
    println!("State:    {state}");
    if let (Some(role), Some(account)) = (&st.role_arn, &st.account) {
        println!("Role:     {role}");
        println!(
            "Account:  {}",
            session::accounts::label(account, st.account_name.as_deref())
        );
    }
    if let Some(exp) = st.expires_at {
        println!(
            "Session:  {} {} ({})",
            if exp > now { "expires" } else { "expired" },
            output::when(exp),
            output::relative(now, exp)
        );
    }
    for r in &st.registries {
        println!(
            "Registry: {}  token {} ({})",
            r.host,
            output::when(r.expires_at),
            output::relative(now, r.expires_at)
        );
    }
    for c in &st.chain {
        println!(
            "{}{} ({})  until {} ({})",
            // The other roles of the sign-in (`roles`), then roles assumed from a role.
            if c.sign_in {
                "Also:     "
            } else {
                "Chained:  "
            },
            c.role_arn,
            session::accounts::label(&c.account, c.account_name.as_deref()),
            output::when(c.expires_at),
            output::relative(now, c.expires_at)
        );
    }
    match st.secrets.as_deref() {
        Some("keychain") => println!("Secrets:  OS keychain (Secret Service)"),
        Some(_) => println!("Secrets:  memory of the process that signed in (no keychain)"),
        None => {}
    }
    if let Some(e) = &st.error {
        println!("Error:    {}", e.message);
    }
    if st.state == SessionState::LoggedOut {
        if profile.aws_profile.is_some() {
            println!("Sign in with: dockpass login --profile {}", profile.name);
        } else {
            println!("Sign in with the tray app, or: dockpass login --saml-response-file FILE");
        }
    }
    Ok(())
}
