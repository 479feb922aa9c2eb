//! `dockpass browser install|extension-path|status`: the Dockpass extension in your own
//! browser (docs/browser.md): its native messaging host manifests, where the unpacked
//! extension is, and whether the browsers can reach the host.

use crate::output;
use browsers::seen;
use dockpass_core::platform::browsers;
use dockpass_core::Result;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Write the native messaging host manifests for the browsers found here (Chromium,
    /// Chrome, Edge, Brave, Firefox), so the Dockpass extension can reach Dockpass.
    Install {
        /// Write them for every browser Dockpass knows, found or not.
        #[arg(long)]
        all: bool,
        /// Print what was written as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the folder of the unpacked extension (to load in your browser's extensions
    /// page, developer mode, "Load unpacked").
    ExtensionPath,
    /// Say for each browser whether the extension can reach Dockpass, and when it last did.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Print the native messaging host manifest for a browser family (for system-wide
    /// installs and policies: docs/browser.md).
    Manifest {
        #[arg(value_parser = ["chromium", "firefox"])]
        family: String,
        /// The host binary it names (default: dockpass-browser-host beside this program).
        #[arg(long, value_name = "PATH")]
        host: Option<std::path::PathBuf>,
    },
}

pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Install { all, json } => {
            let done = browsers::install(all)?;
            if json {
                return output::json(&done);
            }
            if done.is_empty() {
                println!("No browser found (Chromium, Chrome, Edge, Brave, Firefox); nothing written. Use --all to write the manifests anyway.");
            }
            for d in &done {
                match &d.registry_key {
                    Some(k) => println!("{}: wrote {} and {k}", d.browser, d.manifest.display()),
                    None => println!("{}: wrote {}", d.browser, d.manifest.display()),
                }
            }
            if !done.is_empty() {
                println!(
                    "Next: load the extension in each browser ({}), then run dockpass browser status.",
                    browsers::extension_dir()
                        .map(|d| d.display().to_string())
                        .unwrap_or_else(|_| "dockpass browser extension-path".into())
                );
            }
            Ok(())
        }
        Command::Manifest { family, host } => {
            let host = match host {
                Some(h) => h,
                None => browsers::host_binary()?,
            };
            let family = match family.as_str() {
                "firefox" => browsers::Family::Firefox,
                _ => browsers::Family::Chromium,
            };
            output::json(&browsers::manifest(family, &host))
        }
        Command::ExtensionPath => {
            println!("{}", browsers::extension_dir()?.display());
            Ok(())
        }
        Command::Status { json } => {
            let all = browsers::status()?;
            let last = |f: browsers::Family| {
                seen::last(match f {
                    browsers::Family::Chromium => "chromium",
                    browsers::Family::Firefox => "firefox",
                })
            };
            if json {
                let rows: Vec<serde_json::Value> = all
                    .iter()
                    .map(|s| {
                        let mut v = serde_json::to_value(s).unwrap_or_default();
                        v["last_seen"] = serde_json::to_value(last(s.family)).unwrap_or_default();
                        v
                    })
                    .collect();
                return output::json(&rows);
            }
            for s in all.iter().filter(|s| s.found || s.problem.is_none()) {
                match &s.problem {
                    None => println!("{}: ready ({})", s.browser, s.manifest.display()),
                    Some(p) => println!("{}: {p}", s.browser),
                }
            }
            if all.iter().all(|s| !s.found && s.problem.is_some()) {
                println!("No browser found (Chromium, Chrome, Edge, Brave, Firefox).");
            }
            for (family, name) in [
                (browsers::Family::Chromium, "Chromium-based browsers"),
                (browsers::Family::Firefox, "Firefox"),
            ] {
                if let Some(s) = last(family) {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_secs())
                        .unwrap_or(0);
                    println!(
                        "The extension {} answered from {} {} ago.",
                        s.extension_version,
                        s.browser.as_deref().unwrap_or(name),
                        dockpass_core::base::duration::format(std::time::Duration::from_secs(
                            now.saturating_sub(s.at)
                        ))
                    );
                }
            }
            Ok(())
        }
    }
}
