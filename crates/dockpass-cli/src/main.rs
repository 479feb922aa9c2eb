//! `dockpass`: the command-line front end over dockpass-core.
#![forbid(unsafe_code)]

mod commands;
mod output;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// Amazon ECR credentials from your company's SAML sign-in.
#[derive(Parser)]
#[command(name = "dockpass", version, about, propagate_version = true)]
struct Cli {
    /// Profile to use (default: the first in the config file).
    #[arg(long, global = true, env = "DOCKPASS_PROFILE")]
    profile: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign in (in your browser, a captured SAML response, IAM Identity Center, or the profile's aws_profile) and write docker credentials.
    Login(commands::login::Args),
    /// Show the session state, its expiry and the registries.
    Status(commands::status::Args),
    /// List the roles of the last sign-in.
    Roles(commands::roles::Args),
    /// Keep sessions fresh in the background (for machines without the tray app).
    Daemon(commands::daemon::Args),
    /// Fetch fresh ECR tokens now with the live session.
    Refresh(commands::refresh::Args),
    /// List the repositories of the session's registries.
    Repos(commands::repos::Args),
    /// Print the session's AWS credentials for credential_process (AWS CLI and SDKs).
    Credentials(commands::credentials::Args),
    /// Open the AWS console as the session's role (or print its sign-in link).
    Console(commands::console::Args),
    /// Print the session's AWS credentials as shell variables, for `eval "$(dockpass env)"`.
    Env(commands::env::Args),
    /// Run a command with the session's AWS credentials in its environment.
    Exec(commands::exec::Args),
    /// Remove the docker credentials Dockpass wrote and forget the session.
    Logout(commands::logout::Args),
    /// The keychain half of docker-credential-dockpass (it calls this when no app or daemon
    /// answers on its socket).
    #[command(hide = true)]
    CredentialHelper(commands::credential_helper::Args),
    /// Check the set-up (docker config, helper, keychain, notifications, endpoints) and say how to fix what is wrong.
    Doctor(commands::doctor::Args),
    /// Start the tray app when you log in to your desktop (off unless you turn it on).
    Autostart(commands::autostart::Args),
    /// Print the shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(commands::completions::Args),
    /// Print the manual page (roff), or write all pages into a folder.
    Man(commands::man::Args),
    /// Answers the UI's check commands from JSON on stdin (the UI's component tests use it).
    #[command(hide = true)]
    UiCheck(commands::ui_check::Args),
    /// Sign in with your own browser: the extension's host manifests, where the extension
    /// is, and whether it reaches Dockpass.
    Browser {
        #[command(subcommand)]
        command: commands::browser::Command,
    },
    /// Work with SAML responses.
    Saml {
        #[command(subcommand)]
        command: commands::saml::Command,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // clap's own message is several lines; keep its first and exit 2 (usage).
            let text = e.render().to_string();
            let first = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid usage");
            let first = first.trim_start_matches("error: ");
            eprintln!("dockpass: {first} (see dockpass --help)");
            return ExitCode::from(2);
        }
    };
    // The daemon runs for days: it also keeps a daily log file, like the app.
    let _log = match cli.command {
        Command::Daemon(_) => init_file_logging("dockpass-daemon"),
        _ => {
            init_logging();
            None
        }
    };
    let profile = cli.profile.as_deref();
    let result = match cli.command {
        Command::CredentialHelper(a) => return commands::credential_helper::run(a),
        Command::Login(a) => commands::login::run(profile, a),
        Command::Status(a) => commands::status::run(profile, a),
        Command::Roles(a) => commands::roles::run(profile, a),
        Command::Refresh(a) => commands::refresh::run(profile, a),
        Command::Daemon(a) => commands::daemon::run(profile, a),
        Command::Logout(a) => commands::logout::run(profile, a),
        Command::Repos(a) => commands::repos::run(profile, a),
        Command::Credentials(a) => commands::credentials::run(profile, a),
        Command::Env(a) => commands::env::run(profile, a),
        Command::Console(a) => commands::console::run(profile, a),
        Command::Exec(a) => match commands::exec::run(profile, a) {
            Ok(code) => return code,
            Err(e) => Err(e),
        },
        Command::Saml { command } => commands::saml::run(command),
        Command::Browser { command } => commands::browser::run(command),
        Command::UiCheck(a) => commands::ui_check::run(a),
        Command::Doctor(a) => return commands::doctor::run(profile, a),
        Command::Autostart(a) => commands::autostart::run(a),
        Command::Completions(a) => commands::completions::run(Cli::command(), a),
        Command::Man(a) => commands::man::run(Cli::command(), a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            output::error(&e);
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// Logs go to stderr, off unless `DOCKPASS_LOG` (or `RUST_LOG`) asks for them.
fn init_logging() {
    dockpass_core::platform::logging::init("off", false);
}

/// stderr as `init_logging`, plus `NAME.DATE.log` in the platform's log folder.
fn init_file_logging(name: &str) -> Option<dockpass_core::platform::logging::FileLog> {
    match dockpass_core::base::paths::log_dir() {
        Ok(dir) => dockpass_core::platform::logging::init_with_file("off", name, dir),
        Err(_) => {
            init_logging();
            None
        }
    }
}
