//! `dockpass man [--dir DIR]`: the manual page (clap_mangen). Without `--dir` it prints
//! dockpass(1) as roff; with it, it writes dockpass.1 and a page per command
//! (dockpass-login.1, ...) into DIR, the way packages install them.

use dockpass_core::{err, Code, Result};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Write dockpass.1 and one page per command into this folder instead of printing.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub fn run(cmd: clap::Command, a: Args) -> Result<()> {
    let cmd = cmd.version(env!("CARGO_PKG_VERSION"));
    match a.dir {
        None => crate::output::write_stdout(&render(&cmd)?),
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(|e| cannot_write(&dir, &e))?;
            write_pages(&dir, &cmd, cmd.get_name())
        }
    }
}

fn render(cmd: &clap::Command) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .map_err(|e| {
            err(
                Code::Internal,
                format!("cannot render the manual page: {e}"),
            )
        })?;
    Ok(out)
}

/// One page per visible command, named like git's (`dockpass-saml-inspect.1`).
fn write_pages(dir: &Path, cmd: &clap::Command, name: &str) -> Result<()> {
    // NAME and the title say `dockpass-login`; SYNOPSIS shows what to type, `dockpass login`.
    let page = cmd
        .clone()
        .name(name.to_string())
        .display_name(name.to_string())
        .bin_name(name.replace('-', " "));
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, render(&page)?).map_err(|e| cannot_write(&path, &e))?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(dir, sub, &format!("{name}-{}", sub.get_name()))?;
    }
    Ok(())
}

fn cannot_write(path: &Path, e: &std::io::Error) -> dockpass_core::Error {
    err(
        Code::Usage,
        format!(
            "cannot write {}: {}",
            path.display(),
            dockpass_core::error::describe_io(e)
        ),
    )
}
