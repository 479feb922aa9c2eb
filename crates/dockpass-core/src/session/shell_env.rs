//! The session outside docker: the standard AWS variables for a shell to `eval`
//! (`dockpass env`) or for a command Dockpass runs (`dockpass exec`). The keys are the same the
//! credential_process serves (`session::credentials`), under the same rule.

use crate::session::credentials::ProcessCredentials;
use zeroize::Zeroizing;

/// Shells whose assignment syntax `dockpass env` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    /// bash, zsh, dash, ksh: `export NAME='value'`.
    Posix,
    Fish,
    PowerShell,
}

impl Shell {
    /// By name (`bash`, `zsh`, `sh`, `fish`, `powershell`, `pwsh`).
    pub fn named(name: &str) -> Option<Shell> {
        match name.to_ascii_lowercase().as_str() {
            "bash" | "zsh" | "sh" | "dash" | "ksh" => Some(Shell::Posix),
            "fish" => Some(Shell::Fish),
            "powershell" | "pwsh" => Some(Shell::PowerShell),
            _ => None,
        }
    }

    /// The user's shell: `$SHELL`'s name on Unix (POSIX when it is none we know), PowerShell
    /// on Windows.
    pub fn detect() -> Shell {
        if cfg!(windows) {
            return Shell::PowerShell;
        }
        std::env::var("SHELL")
            .ok()
            .and_then(|s| {
                let name = s.rsplit('/').next().unwrap_or("").to_string();
                Shell::named(&name)
            })
            .unwrap_or(Shell::Posix)
    }
}

/// The variables, in the order printed. The values are secrets; they live in zeroized memory.
pub fn variables(c: &ProcessCredentials, region: &str) -> Vec<(&'static str, Zeroizing<String>)> {
    let z = |s: &str| Zeroizing::new(s.to_string());
    vec![
        ("AWS_ACCESS_KEY_ID", z(&c.access_key_id)),
        ("AWS_SECRET_ACCESS_KEY", z(&c.secret_access_key)),
        ("AWS_SESSION_TOKEN", z(&c.session_token)),
        ("AWS_REGION", z(region)),
        // The AWS CLI v1 and older SDKs read only this one.
        ("AWS_DEFAULT_REGION", z(region)),
        ("AWS_CREDENTIAL_EXPIRATION", z(&c.expiration)),
    ]
}

/// Variables that would point the AWS CLI and SDKs elsewhere than these credentials: a profile
/// or a long-term key pair takes precedence in some tools, so `env` unsets them.
pub const SHADOWING: [&str; 2] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

/// One quoted literal: nothing in it is expanded by the shell.
fn quote(shell: Shell, v: &str) -> String {
    match shell {
        Shell::Posix => format!("'{}'", v.replace('\'', r"'\''")),
        Shell::Fish => format!("'{}'", v.replace('\\', r"\\").replace('\'', r"\'")),
        Shell::PowerShell => format!("'{}'", v.replace('\'', "''")),
    }
}

/// The lines a shell evaluates: each variable set and exported, the shadowing ones unset.
pub fn render(shell: Shell, vars: &[(&'static str, Zeroizing<String>)]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    for name in SHADOWING {
        out.push_str(&match shell {
            Shell::Posix => format!("unset {name};\n"),
            // Only the session's (global) variable: a universal one is the user's, shared by
            // every fish and kept on disk. `set` leaves $status as it was, so an erase of an
            // unset variable (status 4) must not be what `eval` returns.
            Shell::Fish => format!("set -eg {name}; or true;\n"),
            Shell::PowerShell => format!("Remove-Item Env:{name} -ErrorAction SilentlyContinue;\n"),
        });
    }
    for (name, value) in vars {
        let v = quote(shell, value);
        out.push_str(&match shell {
            Shell::Posix => format!("export {name}={v};\n"),
            Shell::Fish => format!("set -gx {name} {v};\n"),
            Shell::PowerShell => format!("$Env:{name} = {v};\n"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> ProcessCredentials {
        ProcessCredentials {
            version: 1,
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "se'cr\\et$HOME`x`".into(),
            session_token: "tok".into(),
            expiration: "2099-06-01T13:00:00Z".into(),
        }
    }

    #[test]
    fn each_shell_gets_literals_it_does_not_expand() {
        let vars = variables(&creds(), "eu-west-1");
        let posix = render(Shell::Posix, &vars);
        assert!(posix.contains("export AWS_SECRET_ACCESS_KEY='se'\\''cr\\et$HOME`x`';\n"));
        assert!(posix.starts_with("unset AWS_PROFILE;\n"));
        assert!(posix.contains("export AWS_CREDENTIAL_EXPIRATION='2099-06-01T13:00:00Z';\n"));
        let fish = render(Shell::Fish, &vars);
        assert!(fish.contains("set -gx AWS_SECRET_ACCESS_KEY 'se\\'cr\\\\et$HOME`x`';\n"));
        let ps = render(Shell::PowerShell, &vars);
        assert!(ps.contains("$Env:AWS_SECRET_ACCESS_KEY = 'se''cr\\et$HOME`x`';\n"));
        assert!(ps.contains("$Env:AWS_REGION = 'eu-west-1';\n"));
    }

    #[test]
    fn shells_by_name() {
        assert_eq!(Shell::named("ZSH"), Some(Shell::Posix));
        assert_eq!(Shell::named("pwsh"), Some(Shell::PowerShell));
        assert_eq!(Shell::named("fish"), Some(Shell::Fish));
        assert_eq!(Shell::named("tcsh"), None);
    }
}
