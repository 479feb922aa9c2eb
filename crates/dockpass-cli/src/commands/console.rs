//! `dockpass console`: the AWS console as the session's role (or a chained one), opened in the
//! browser, or its sign-in link printed with `--print`. The link signs anyone in for 15
//! minutes: it is printed only when asked, and never appears in a message.

use dockpass_core::aws::{console, Aws};
use dockpass_core::session::{self, credentials};
use dockpass_core::Result;

#[derive(clap::Args)]
pub struct Args {
    /// A chained role of the session (role ARN, ACCOUNT/NAME or NAME); default: the
    /// session's own role.
    #[arg(long)]
    role: Option<String>,
    /// Print the sign-in link instead of opening it (it works for 15 minutes; keep it to
    /// yourself).
    #[arg(long)]
    print: bool,
}

pub fn run(profile: Option<&str>, args: Args) -> Result<()> {
    let ctx = session::Context::load()?;
    let p = ctx.profile(profile)?.clone();
    let creds =
        credentials::from_process(&super::credentials::fetch(profile, args.role.as_deref())?)?;
    let url = super::block_on(async {
        let aws = Aws::new(&p.region, p.sts_endpoint.as_deref()).await;
        console::signin_url(&aws, &creds, &p.region).await
    })??;
    if args.print {
        println!("{}", url.expose());
        return Ok(());
    }
    dockpass_core::platform::desktop::open_secret_url(
        &url,
        "run `dockpass console --print` and open the link yourself",
    )?;
    eprintln!(
        "Opened the AWS console in {} in your browser (the sign-in link works for 15 minutes).",
        p.region
    );
    Ok(())
}
