//! `dockpass completions SHELL`: the shell completion script on stdout (clap_complete), for
//! packages to install and for `source <(dockpass completions bash)`.

use clap_complete::Shell;

#[derive(clap::Args)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

pub fn run(mut cmd: clap::Command, a: Args) -> dockpass_core::Result<()> {
    let name = cmd.get_name().to_string();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, name, &mut out);
    crate::output::write_stdout(&out)
}
