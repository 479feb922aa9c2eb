//! The app's command line: `--login`, `--profile P`, `--tray`.

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Args {
    /// Open the login window at start.
    pub login: bool,
    pub profile: Option<String>,
    /// Start in the tray only, without the main window (autostart).
    pub tray: bool,
}

impl Args {
    pub fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut a = Args::default();
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--login" => a.login = true,
                "--tray" => a.tray = true,
                "--profile" => {
                    a.profile = Some(it.next().ok_or("--profile needs a profile name")?);
                }
                s if s.starts_with("--profile=") => a.profile = Some(s[10..].to_string()),
                "--help" | "-h" => {
                    return Err("usage: dockpass-app [--login] [--profile P] [--tray]".into())
                }
                other => {
                    return Err(format!(
                        "unknown argument {other:?}; usage: dockpass-app [--login] [--profile P] [--tray]"
                    ))
                }
            }
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &[&str]) -> Result<Args, String> {
        Args::parse(v.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_the_documented_flags() {
        let a = parse(&["--login", "--profile", "corp"]).unwrap();
        assert!(a.login);
        assert_eq!(a.profile.as_deref(), Some("corp"));
        assert_eq!(
            parse(&["--profile=x"]).unwrap().profile.as_deref(),
            Some("x")
        );
        assert!(parse(&["--tray"]).unwrap().tray);
        assert!(parse(&["--profile"]).is_err());
        assert!(parse(&["--nope"]).is_err());
    }
}
