//! `dockpass exec -- CMD ARGS`: runs a command with the session's AWS credentials in its
//! environment (as `dockpass env` prints them). On Unix Dockpass becomes the command (exec),
//! so its exit status and every signal are the command's own; elsewhere it waits for it and
//! passes its exit code on.

use dockpass_core::session::shell_env;
use dockpass_core::{err, Code, Result};
use std::ffi::OsString;
use std::process::{Command, ExitCode};

#[derive(clap::Args)]
pub struct Args {
    /// A chained role of the session (role ARN, ACCOUNT/NAME or NAME); default: the
    /// session's own role.
    #[arg(long)]
    role: Option<String>,
    /// The command and its arguments (after `--`).
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CMD"
    )]
    command: Vec<OsString>,
}

pub fn run(profile: Option<&str>, args: Args) -> Result<ExitCode> {
    let region = super::env::region(profile)?;
    let creds = super::credentials::fetch(profile, args.role.as_deref())?;
    let (program, rest) = args
        .command
        .split_first()
        .ok_or_else(|| err(Code::Usage, "name a command to run after --"))?;
    let mut cmd = Command::new(program);
    cmd.args(rest);
    for name in shell_env::SHADOWING {
        cmd.env_remove(name);
    }
    for (name, value) in shell_env::variables(&creds, &region) {
        cmd.env(name, value.as_str());
    }
    let not_run = |e: std::io::Error| {
        err(
            Code::Usage,
            format!("cannot run {}: {e}", program.to_string_lossy()),
        )
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Only returns when the command could not be started.
        Err(not_run(cmd.exec()))
    }
    #[cfg(not(unix))]
    {
        let status = cmd.status().map_err(not_run)?;
        // Windows' crash codes (0xC0000005, ...) do not fit an exit code: a failure all the same.
        let code = match status.code() {
            Some(c) if (0..=255).contains(&c) => c as u8,
            _ => 1,
        };
        Ok(ExitCode::from(code))
    }
}
