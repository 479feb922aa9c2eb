//! `dockpass autostart [on|off]`: start the tray app at desktop login (off by default); without
//! an argument, say whether it does.

use dockpass_core::platform::autostart::{app_beside, Autostart};
use dockpass_core::{err, Code, Result};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Turn starting at login on or off.
    #[arg(value_parser = ["on", "off"])]
    state: Option<String>,
    /// The app to start (default: dockpass-app beside this program).
    #[arg(long, value_name = "PATH")]
    app: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<()> {
    let auto = Autostart::standard()?;
    if let Some(state) = a.state.as_deref() {
        let app = match a.app {
            Some(p) => std::path::absolute(&p)
                .map_err(|e| err(Code::Usage, format!("bad --app {}: {e}", p.display())))?,
            None => std::env::current_exe()
                .map(|me| app_beside(&me))
                .map_err(|e| err(Code::Io, format!("cannot find this program's path: {e}")))?,
        };
        if state == "on" && !app.exists() {
            return Err(err(
                Code::Usage,
                format!(
                    "{} does not exist; install the app, or name it with --app PATH",
                    app.display()
                ),
            ));
        }
        auto.set(state == "on", &app)?;
    }
    if auto.enabled() {
        println!("on: the app starts at login ({})", auto.entry.display());
    } else {
        println!("off: the app does not start at login");
    }
    Ok(())
}
