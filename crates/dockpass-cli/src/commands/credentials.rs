//! `dockpass credentials`: the live session as `credential_process` JSON, so
//! `credential_process = dockpass credentials --profile corp` in ~/.aws/config works.
//! It never prompts; without a live session it says to sign in and exits 3.

use dockpass_core::app::socket::{self, Answer, Request};
use dockpass_core::session::credentials::{self, ProcessCredentials};
use dockpass_core::{aws::Aws, session, Result};

#[derive(clap::Args)]
pub struct Args {
    /// A chained role of the session (role ARN, ACCOUNT/NAME or NAME); default: the
    /// session's own role.
    #[arg(long)]
    role: Option<String>,
}

pub fn run(profile: Option<&str>, args: Args) -> Result<()> {
    crate::output::json_compact(&fetch(profile, args.role.as_deref())?)
}

/// The session's AWS credentials (a chained role's with `role`): from the running app or
/// daemon, which hold the live session (also without a keychain), else from the keychain.
/// `credentials`, `env` and `exec` share this, and its rule (`credential_process = true`).
pub(crate) fn fetch(profile: Option<&str>, role: Option<&str>) -> Result<ProcessCredentials> {
    let request = Request::Credentials {
        profile: profile.map(str::to_string),
        role: role.map(str::to_string),
    };
    match socket::ask(&request) {
        Some(Ok(Answer::Credentials(c))) => return Ok(c),
        Some(Ok(Answer::Error(e))) => return Err(socket::from_wire(e)),
        _ => {}
    }
    let ctx = session::Context::load()?;
    let profile = ctx.profile(profile)?.clone();
    let creds = super::block_on(async {
        let aws = Aws::new(&profile.region, profile.sts_endpoint.as_deref()).await;
        credentials::for_process(&ctx, &aws, &profile, role).await
    })??;
    Ok(credentials::to_process(&creds))
}
