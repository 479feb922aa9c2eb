//! `dockpass env`: the session's AWS credentials as shell assignments, for
//! `eval "$(dockpass env)"`. It prints secrets, so not to a terminal unless asked (`--force`).

use dockpass_core::session::shell_env::{self, Shell};
use dockpass_core::{err, session, Code, Result};
use std::io::{IsTerminal, Write};

#[derive(clap::Args)]
pub struct Args {
    /// A chained role of the session (role ARN, ACCOUNT/NAME or NAME); default: the
    /// session's own role.
    #[arg(long)]
    role: Option<String>,
    /// The shell to write for: bash, zsh, fish or powershell (default: yours, from $SHELL).
    #[arg(long, value_name = "SHELL")]
    shell: Option<String>,
    /// Print to a terminal too (the secret key and the session token would show on screen).
    #[arg(long)]
    force: bool,
}

pub fn run(profile: Option<&str>, args: Args) -> Result<()> {
    let shell = match args.shell.as_deref() {
        Some(name) => Shell::named(name).ok_or_else(|| {
            err(
                Code::Usage,
                format!("--shell {name:?}: use bash, zsh, fish or powershell"),
            )
        })?,
        None => Shell::detect(),
    };
    let mut out = std::io::stdout();
    if out.is_terminal() && !args.force {
        let eval = match shell {
            Shell::Fish => "eval (dockpass env)",
            Shell::PowerShell => "dockpass env | Invoke-Expression",
            Shell::Posix => "eval \"$(dockpass env)\"",
        };
        return Err(err(
            Code::Usage,
            format!("dockpass env prints your AWS secret key and session token; use it as `{eval}`, or pass --force to show them here"),
        ));
    }
    let ctx_region = region(profile)?;
    let creds = super::credentials::fetch(profile, args.role.as_deref())?;
    let text = shell_env::render(shell, &shell_env::variables(&creds, &ctx_region));
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| err(Code::Io, format!("cannot write to standard output: {e}")))
}

/// The profile's region (`AWS_REGION` for the tools that read the variables).
pub(crate) fn region(profile: Option<&str>) -> Result<String> {
    let ctx = session::Context::load()?;
    Ok(ctx.profile(profile)?.region.clone())
}
