//! `dockpass saml inspect`: what an assertion holds, without signing in.

use crate::output;
use dockpass_core::{saml, Result};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Show issuer, subject, roles, duration and expiry of a SAML response.
    Inspect {
        /// base64, XML, or the IdP's HTML page; `-` reads standard input.
        #[arg(value_name = "FILE|-")]
        file: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: Command) -> Result<()> {
    match cmd {
        Command::Inspect { file, json } => {
            let a = saml::parse_response(&super::read_input(&file)?)?;
            let v = a.inspect_json();
            if json {
                return output::json(&v);
            }
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("-").to_string();
            println!("Issuer:           {}", s("issuer"));
            println!("Subject:          {}", s("subject"));
            println!("RoleSessionName:  {}", s("role_session_name"));
            println!(
                "SessionDuration:  {}",
                a.session_duration
                    .map(
                        |d| dockpass_core::base::duration::format(std::time::Duration::from_secs(
                            d
                        ))
                    )
                    .unwrap_or_else(|| "-".into())
            );
            println!("NotOnOrAfter:     {}", s("not_on_or_after"));
            println!("Destination:      {}", s("destination"));
            println!("Roles:");
            for r in &a.roles {
                println!("  {}/{}  {}", r.account, r.name, r.role_arn);
            }
            Ok(())
        }
    }
}
