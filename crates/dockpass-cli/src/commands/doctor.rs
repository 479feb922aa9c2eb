//! `dockpass doctor [--offline] [--json]`: every check of dockpass_core::doctor, one line each,
//! with the fix under each problem. Exit 1 when a check found an error, else 0.

use dockpass_core::doctor::{self, Level};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Skip the network checks (reaching the IdP, STS and ECR).
    #[arg(long)]
    offline: bool,
    /// Print the findings as JSON: {"checks":[{"id","level","summary","fix"}]}.
    #[arg(long)]
    json: bool,
}

pub fn run(profile: Option<&str>, a: Args) -> ExitCode {
    let report = doctor::Setup::from_env(profile, a.offline)
        .and_then(|setup| super::block_on(async move { doctor::run(&setup).await }));
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            crate::output::error(&e);
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    if a.json {
        if let Err(e) = crate::output::json(&report) {
            crate::output::error(&e);
            return ExitCode::FAILURE;
        }
    } else {
        let width = report.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
        for c in &report.checks {
            println!("{:5} {:width$}  {}", label(c.level), c.id, c.summary);
            if let Some(fix) = &c.fix {
                println!("{:5} {:width$}  fix: {fix}", "", "");
            }
        }
        let (errors, warnings) = count(&report);
        println!(
            "\n{}",
            match (errors, warnings) {
                (0, 0) => "Everything looks right.".to_string(),
                (0, w) => format!("{w} warning{}; Dockpass works, with less.", plural(w)),
                (e, w) => format!("{e} problem{} to fix, {w} warning{}.", plural(e), plural(w)),
            }
        );
    }
    if report.worst() == Level::Error {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn label(level: Level) -> &'static str {
    match level {
        Level::Ok => "ok",
        Level::Info => "info",
        Level::Warn => "warn",
        Level::Error => "FAIL",
    }
}

fn count(r: &doctor::Report) -> (usize, usize) {
    let n = |l| r.checks.iter().filter(|c| c.level == l).count();
    (n(Level::Error), n(Level::Warn))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
