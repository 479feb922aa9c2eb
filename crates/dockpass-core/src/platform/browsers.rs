//! The browsers the Dockpass extension runs in, and what they need to find its native
//! messaging host (`dockpass-browser-host`): a manifest per browser in the browser's own
//! per-user folder (Linux, macOS) or a registry key naming one (Windows). `dockpass browser
//! install` writes them for the browsers it finds; `status` and `doctor` check them.

use crate::{err, Code, Result};
pub use dockpass_helper::native::seen;
use dockpass_helper::native::{chromium_origin, FIREFOX_EXTENSION_ID, HOST_NAME};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How a browser family reads a host manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Chromium,
    Firefox,
}

/// One browser Dockpass knows.
#[derive(Clone, Debug)]
pub struct Browser {
    pub name: &'static str,
    pub family: Family,
    /// The folder of its per-user host manifests (Windows: of the manifest the key names).
    pub hosts_dir: PathBuf,
    /// Its per-user profile folder or program, whose presence says it is installed.
    pub found_by: Vec<PathBuf>,
    /// Windows: the registry key (under HKCU) that names the manifest.
    pub registry_key: Option<String>,
}

impl Browser {
    /// The host manifest's path for this browser.
    pub fn manifest_path(&self) -> PathBuf {
        self.hosts_dir.join(format!("{HOST_NAME}.json"))
    }

    /// Whether the browser seems installed for this user.
    pub fn found(&self) -> bool {
        self.found_by.iter().any(|p| p.exists())
    }
}

#[cfg(not(windows))]
fn home() -> Result<PathBuf> {
    crate::base::paths::user_home()
}

/// Programs on PATH by these names.
#[cfg(not(any(target_os = "macos", windows)))]
fn programs(names: &[&str]) -> Vec<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .collect()
}

/// The browsers of this system, with their per-user host folders.
#[cfg(not(any(target_os = "macos", windows)))]
pub fn known() -> Result<Vec<Browser>> {
    let home = home()?;
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".config"));
    let chromium = |name, dir: &str, progs: &[&str]| {
        let profile = config.join(dir);
        let mut found_by = vec![profile.clone()];
        found_by.extend(programs(progs));
        Browser {
            name,
            family: Family::Chromium,
            hosts_dir: profile.join("NativeMessagingHosts"),
            found_by,
            registry_key: None,
        }
    };
    let mut firefox_found = vec![home.join(".mozilla")];
    firefox_found.extend(programs(&["firefox", "firefox-esr"]));
    Ok(vec![
        chromium("Chromium", "chromium", &["chromium", "chromium-browser"]),
        chromium(
            "Google Chrome",
            "google-chrome",
            &["google-chrome", "google-chrome-stable"],
        ),
        chromium(
            "Microsoft Edge",
            "microsoft-edge",
            &["microsoft-edge", "microsoft-edge-stable"],
        ),
        chromium(
            "Brave",
            "BraveSoftware/Brave-Browser",
            &["brave-browser", "brave"],
        ),
        Browser {
            name: "Firefox",
            family: Family::Firefox,
            hosts_dir: home.join(".mozilla").join("native-messaging-hosts"),
            found_by: firefox_found,
            registry_key: None,
        },
    ])
}

/// The browsers of this system, with their per-user host folders.
#[cfg(target_os = "macos")]
pub fn known() -> Result<Vec<Browser>> {
    let support = home()?.join("Library").join("Application Support");
    let chromium = |name, dir: &str, app: &str| Browser {
        name,
        family: Family::Chromium,
        hosts_dir: support.join(dir).join("NativeMessagingHosts"),
        found_by: vec![
            support.join(dir),
            PathBuf::from(format!("/Applications/{app}.app")),
        ],
        registry_key: None,
    };
    Ok(vec![
        chromium("Chromium", "Chromium", "Chromium"),
        chromium("Google Chrome", "Google/Chrome", "Google Chrome"),
        chromium("Microsoft Edge", "Microsoft Edge", "Microsoft Edge"),
        chromium("Brave", "BraveSoftware/Brave-Browser", "Brave Browser"),
        Browser {
            name: "Firefox",
            family: Family::Firefox,
            hosts_dir: support.join("Mozilla").join("NativeMessagingHosts"),
            found_by: vec![
                support.join("Firefox"),
                PathBuf::from("/Applications/Firefox.app"),
            ],
            registry_key: None,
        },
    ])
}

/// The browsers of this system: each reads the manifest named by its registry key.
#[cfg(windows)]
pub fn known() -> Result<Vec<Browser>> {
    let local = std::env::var_os("LOCALAPPDATA")
        .map(PathBuf::from)
        .ok_or_else(|| err(Code::Io, "LOCALAPPDATA is not set"))?;
    let dir = local.join("Dockpass").join("NativeMessagingHosts");
    let b = |name, family, found: PathBuf, key: &str| Browser {
        name,
        family,
        hosts_dir: dir.join(match family {
            Family::Chromium => "chromium",
            Family::Firefox => "firefox",
        }),
        found_by: vec![found],
        registry_key: Some(format!(
            r"HKCU\Software\{key}\NativeMessagingHosts\{HOST_NAME}"
        )),
    };
    Ok(vec![
        b(
            "Chromium",
            Family::Chromium,
            local.join("Chromium"),
            "Chromium",
        ),
        b(
            "Google Chrome",
            Family::Chromium,
            local.join("Google").join("Chrome"),
            r"Google\Chrome",
        ),
        b(
            "Microsoft Edge",
            Family::Chromium,
            local.join("Microsoft").join("Edge"),
            r"Microsoft\Edge",
        ),
        b(
            "Brave",
            Family::Chromium,
            local.join("BraveSoftware").join("Brave-Browser"),
            r"BraveSoftware\Brave-Browser",
        ),
        b(
            "Firefox",
            Family::Firefox,
            PathBuf::from(std::env::var_os("APPDATA").unwrap_or_default())
                .join("Mozilla")
                .join("Firefox"),
            "Mozilla",
        ),
    ])
}

/// The host manifest for a browser family, naming the host at `host`.
pub fn manifest(family: Family, host: &Path) -> serde_json::Value {
    let mut m = serde_json::json!({
        "name": HOST_NAME,
        "description": "Dockpass: hands your IdP's AWS sign-in from the browser to Dockpass",
        "path": host.display().to_string(),
        "type": "stdio",
    });
    match family {
        Family::Chromium => m["allowed_origins"] = serde_json::json!([chromium_origin()]),
        Family::Firefox => m["allowed_extensions"] = serde_json::json!([FIREFOX_EXTENSION_ID]),
    }
    m
}

/// The host binary: `dockpass-browser-host` beside the running `dockpass`.
pub fn host_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()
        .map_err(|e| err(Code::Io, format!("cannot find the running program: {e}")))?;
    let host = exe
        .parent()
        .unwrap_or(Path::new("."))
        .join(crate::base::os::program_file("dockpass-browser-host"));
    match crate::base::os::is_executable(&host) {
        true => Ok(host),
        false => Err(err(
            Code::Io,
            format!(
                "{} is missing; install dockpass-browser-host beside dockpass (it comes with every Dockpass package)",
                host.display()
            ),
        )),
    }
}

/// What `install` did for one browser.
#[derive(Clone, Debug, Serialize)]
pub struct Installed {
    pub browser: &'static str,
    pub manifest: PathBuf,
    /// Windows: the registry key written.
    pub registry_key: Option<String>,
}

/// Writes the host manifest for each browser found (every known one with `all`).
pub fn install(all: bool) -> Result<Vec<Installed>> {
    let host = host_binary()?;
    let mut done = Vec::new();
    for b in known()?.into_iter().filter(|b| all || b.found()) {
        let path = b.manifest_path();
        crate::base::fsutil::create_dir_all(&b.hosts_dir, 0o755)?;
        let text = serde_json::to_string_pretty(&manifest(b.family, &host))
            .map_err(|e| err(Code::Internal, e.to_string()))?;
        crate::base::fsutil::atomic_write(&path, format!("{text}\n").as_bytes(), 0o644)?;
        if let Some(key) = &b.registry_key {
            set_registry_default(key, &path)?;
        }
        done.push(Installed {
            browser: b.name,
            manifest: path,
            registry_key: b.registry_key.clone(),
        });
    }
    Ok(done)
}

#[cfg(windows)]
fn set_registry_default(key: &str, manifest: &Path) -> Result<()> {
    let status = std::process::Command::new("reg")
        .args(["add", key, "/ve", "/t", "REG_SZ", "/d"])
        .arg(manifest)
        .arg("/f")
        .status()
        .map_err(|e| err(Code::Io, format!("cannot run reg.exe: {e}")))?;
    match status.success() {
        true => Ok(()),
        false => Err(err(Code::Io, format!("reg.exe could not write {key}"))),
    }
}

#[cfg(not(windows))]
fn set_registry_default(_key: &str, _manifest: &Path) -> Result<()> {
    Ok(())
}

/// One browser's state, for `dockpass browser status` and `doctor`.
#[derive(Clone, Debug, Serialize)]
pub struct BrowserStatus {
    pub browser: &'static str,
    pub family: Family,
    pub found: bool,
    pub manifest: PathBuf,
    /// `None`: the manifest is in place and names a host that exists; else what is wrong.
    pub problem: Option<String>,
}

/// Checks the host manifest of each known browser.
pub fn status() -> Result<Vec<BrowserStatus>> {
    Ok(known()?
        .into_iter()
        .map(|b| {
            let manifest = b.manifest_path();
            BrowserStatus {
                browser: b.name,
                family: b.family,
                found: b.found(),
                problem: check_manifest(&manifest, b.family).err(),
                manifest,
            }
        })
        .collect())
}

/// Why the manifest at `path` would not let the extension reach the host, if it would not.
pub fn check_manifest(path: &Path, family: Family) -> std::result::Result<(), String> {
    let text = match crate::base::fsutil::read_to_string_capped(path, 64 * 1024) {
        Ok(Some(t)) => t,
        Ok(None) => return Err("no host manifest; run dockpass browser install".into()),
        Err(e) => return Err(e.message),
    };
    let m: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not JSON ({e}); run dockpass browser install",
            path.display()
        )
    })?;
    if m["name"] != HOST_NAME {
        return Err(format!(
            "{} names another host; run dockpass browser install",
            path.display()
        ));
    }
    let allowed = match family {
        Family::Chromium => m["allowed_origins"]
            .as_array()
            .is_some_and(|a| a.iter().any(|o| o == &chromium_origin())),
        Family::Firefox => m["allowed_extensions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|o| o == FIREFOX_EXTENSION_ID)),
    };
    if !allowed {
        return Err(format!(
            "{} does not allow the Dockpass extension; run dockpass browser install",
            path.display()
        ));
    }
    let host = m["path"].as_str().unwrap_or("");
    if !crate::base::os::is_executable(Path::new(host)) {
        return Err(format!(
            "the host it names ({host}) is missing; run dockpass browser install"
        ));
    }
    Ok(())
}

/// Starts the host at `host` as a browser would, with a probe (a ping that records nothing):
/// its answer, or why it gave none.
pub fn ping_host(host: &Path) -> std::result::Result<dockpass_helper::signin::Outcome, String> {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new(host)
        .arg(chromium_origin())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "{} does not start: {}",
                host.display(),
                crate::error::describe_io(&e)
            )
        })?;
    let body = serde_json::json!({"type": "probe"}).to_string();
    if let Some(mut stdin) = child.stdin.take() {
        let _ = dockpass_helper::native::write_message(&mut stdin, body.as_bytes());
        let _ = stdin.flush();
    }
    // The host answers at once; a hung one is killed after 5 s.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{} did not answer within 5 s", host.display()));
            }
        }
    }
    let mut out = Vec::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_end(&mut out);
    }
    let body = dockpass_helper::native::read_message(&mut out.as_slice(), 1 << 20)
        .map_err(|e| format!("{} answered nothing readable ({e})", host.display()))?;
    serde_json::from_slice(&body).map_err(|_| {
        format!(
            "{} answered something else than Dockpass's host would",
            host.display()
        )
    })
}

/// What the setup shows about the browser sign-in: where the extension is, which browsers
/// found here can reach the host, and when the extension last answered.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct BrowserReadiness {
    /// The unpacked extension's folder, to load in the browser.
    pub extension_dir: Option<String>,
    /// Why the host cannot run, if it cannot.
    pub host_problem: Option<String>,
    /// The browsers found here.
    pub browsers: Vec<BrowserReady>,
    /// The extension's last ping, if any.
    pub last_seen: Option<ExtensionSeen>,
}

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct BrowserReady {
    pub name: String,
    /// What keeps it from reaching the host (`None`: it can).
    pub problem: Option<String>,
}

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ExtensionSeen {
    /// The program that started the host (a browser), or its family.
    pub browser: String,
    pub extension_version: String,
    #[ts(type = "number")]
    pub seconds_ago: u64,
}

/// The browser sign-in's state on this machine (reads only).
pub fn readiness() -> BrowserReadiness {
    let host_problem = match host_binary() {
        Ok(h) => match ping_host(&h) {
            Ok(dockpass_helper::signin::Outcome::Pong { .. }) => None,
            Ok(other) => Some(other.message()),
            Err(why) => Some(why),
        },
        Err(e) => Some(e.message),
    };
    let browsers = status()
        .map(|all| {
            all.into_iter()
                .filter(|s| s.found)
                .map(|s| BrowserReady {
                    name: s.browser.to_string(),
                    problem: s.problem,
                })
                .collect()
        })
        .unwrap_or_default();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let last_seen = [
        ("chromium", "a Chromium-based browser"),
        ("firefox", "Firefox"),
    ]
    .into_iter()
    .filter_map(|(family, name)| {
        seen::last(family).map(|s| ExtensionSeen {
            browser: s
                .browser
                .as_deref()
                .and_then(|b| Path::new(b).file_name())
                .map(|b| b.to_string_lossy().into_owned())
                .unwrap_or_else(|| name.to_string()),
            extension_version: s.extension_version,
            seconds_ago: now.saturating_sub(s.at),
        })
    })
    .min_by_key(|s| s.seconds_ago);
    BrowserReadiness {
        extension_dir: extension_dir().ok().map(|d| d.display().to_string()),
        host_problem,
        browsers,
        last_seen,
    }
}

/// The unpacked extension's folder (to load by hand): `$DOCKPASS_EXTENSION_DIR`, the
/// package's `share/dockpass/extension` beside the binary's `bin/`, or the source tree's
/// `extension/` for a build in `target/`.
pub fn extension_dir() -> Result<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(d) = std::env::var_os("DOCKPASS_EXTENSION_DIR").filter(|d| !d.is_empty()) {
        candidates.push(PathBuf::from(d));
    }
    if let Some(bin) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        if let Some(prefix) = bin.parent() {
            candidates.push(prefix.join("share").join("dockpass").join("extension"));
            // target/debug/dockpass → the repository's extension/
            if let Some(repo) = prefix.parent() {
                candidates.push(repo.join("extension"));
            }
        }
    }
    candidates.push(PathBuf::from("/usr/share/dockpass/extension"));
    candidates
        .iter()
        .find(|d| d.join("manifest.json").is_file())
        .cloned()
        .ok_or_else(|| {
            err(
                Code::Io,
                format!(
                    "the Dockpass extension is not installed here (looked in {}); install the Dockpass package, or set DOCKPASS_EXTENSION_DIR",
                    candidates
                        .iter()
                        .map(|c| c.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::saml::acs;

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    /// The extension's generated contract (`extension/generated/contract.js`): the host's
    /// name and the AWS sign-in URLs, from the Rust that the host and the login window use.
    /// Written like the UI's bindings; `scripts/test` fails when the committed one differs.
    #[test]
    fn export_bindings_extension_contract() {
        let text = format!(
            "// Generated from Rust by dockpass-core (platform::browsers); do not edit.\n\
             // cargo test --workspace export_bindings writes it.\n\
             export const HOST_NAME = {};\n\
             export const AWS_SIGNIN_HOSTS = {};\n\
             export const ACS_PATHS = {};\n\
             export const ACS_PREFIX = {};\n\
             export const ACS_EXAMPLES = {};\n\
             export const NOT_ACS_EXAMPLES = {};\n",
            json(&HOST_NAME),
            json(&acs::AWS_SIGNIN_HOSTS.to_vec()),
            json(&acs::ACS_PATHS.to_vec()),
            json(&acs::ACS_PREFIX),
            json(&acs::ACS_EXAMPLES.to_vec()),
            json(&acs::NOT_ACS_EXAMPLES.to_vec()),
        );
        let path = repo().join("extension/generated/contract.js");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn json<T: serde::Serialize + ?Sized>(v: &T) -> String {
        serde_json::to_string(v).unwrap()
    }

    /// The extension's manifest names what the host and its manifests expect: the key that
    /// makes its Chromium ID, its Firefox ID, and host permissions for every AWS sign-in host.
    #[test]
    fn the_extension_manifest_matches_the_host() {
        use sha2::Digest;
        let text = std::fs::read_to_string(repo().join("extension/manifest.json")).unwrap();
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        let key = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            m["key"].as_str().unwrap(),
        )
        .unwrap();
        let id: String = hex(&sha2::Sha256::digest(&key)[..16])
            .chars()
            .map(|c| (b'a' + c.to_digit(16).unwrap() as u8) as char)
            .collect();
        assert_eq!(id, dockpass_helper::native::CHROMIUM_EXTENSION_ID);
        assert_eq!(
            m["browser_specific_settings"]["gecko"]["id"],
            FIREFOX_EXTENSION_ID
        );
        let perms: Vec<&str> = m["host_permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        for h in acs::AWS_SIGNIN_HOSTS {
            assert!(perms.contains(&format!("*://{h}/*").as_str()), "{h}");
            assert!(perms.contains(&format!("*://*.{h}/*").as_str()), "{h}");
        }
        assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn manifests_name_the_host_and_only_the_dockpass_extension() {
        let dir = tempfile::tempdir().unwrap();
        let host = dir.path().join("dockpass-browser-host");
        std::fs::write(&host, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&host, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        for family in [Family::Chromium, Family::Firefox] {
            let path = dir.path().join(format!("{family:?}.json"));
            assert!(check_manifest(&path, family)
                .unwrap_err()
                .contains("browser install"));
            std::fs::write(&path, manifest(family, &host).to_string()).unwrap();
            assert_eq!(check_manifest(&path, family), Ok(()));
            let other = match family {
                Family::Chromium => Family::Firefox,
                Family::Firefox => Family::Chromium,
            };
            assert!(check_manifest(&path, other)
                .unwrap_err()
                .contains("does not allow"));
        }
        let m = manifest(Family::Chromium, &dir.path().join("gone"));
        let path = dir.path().join("gone.json");
        std::fs::write(&path, m.to_string()).unwrap();
        assert!(check_manifest(&path, Family::Chromium)
            .unwrap_err()
            .contains("missing"));
    }
}
