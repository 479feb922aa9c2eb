//! The docker config survives writers killed (SIGKILL) at random points: across more than a
//! thousand writes, the file always parses, keeps everything else exactly, and holds either
//! the previous or the next token, never a mix. Killed writers' temp files are cleared by the
//! next write.
//!
//! The writer is this test binary itself, started again with `DOCKPASS_CRASH_WRITER` set: it
//! publishes token after token and reports each finished write in a log file.

use dockpass_core::docker::{self, Credential};
use dockpass_core::SecretString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const HOST: &str = "crash.example";
const THEIRS: &str = r#"{
	"auths": {
		"ghcr.io": {
			"auth": "dXNlcjpwYXNz"
		}
	},
	"credHelpers": {
		"gcr.io": "gcloud"
	},
	"psFormat": "table {{.ID}}\t{{.Names}}",
	"ünïcödé": [1, 2, {"deep": null}]
}
"#;

fn publish(config: &Path, n: u64) {
    docker::publish(
        &docker::AuthFile::docker(config),
        &[Credential {
            host: HOST.into(),
            username: "AWS".into(),
            secret: SecretString::new(format!("tok-{n}")),
        }],
    )
    .expect("publish");
}

/// The child: publish forever, say each one done.
#[test]
#[ignore = "run by crash_safety_under_sigkill as a child process"]
fn writer_child() {
    let Some(config) = std::env::var_os("DOCKPASS_CRASH_WRITER") else {
        return;
    };
    let start: u64 = std::env::var("DOCKPASS_CRASH_START")
        .unwrap()
        .parse()
        .unwrap();
    // A file, not stdout: the test harness may capture stdout until the test ends, and this
    // one never ends. Each line is one write(2), so a kill cannot lose a reported line.
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(std::env::var_os("DOCKPASS_CRASH_LOG").unwrap())
        .unwrap();
    for n in start.. {
        publish(Path::new(&config), n);
        out.write_all(format!("{n}\n").as_bytes()).unwrap();
    }
}

/// xorshift: random kill delays without a dependency.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn token_in(config: &Path) -> u64 {
    let text = std::fs::read_to_string(config).expect("config readable");
    let v: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("config does not parse after a kill ({e}): {text:?}"));
    // Everything else exactly as it was.
    let mut theirs: serde_json::Value = serde_json::from_str(THEIRS).unwrap();
    let ours = v["auths"][HOST]["auth"].as_str().expect("our entry");
    theirs["auths"][HOST] = v["auths"][HOST].clone();
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        serde_json::to_string(&theirs).unwrap()
    );
    use base64::Engine;
    let plain = base64::engine::general_purpose::STANDARD
        .decode(ours)
        .unwrap();
    let plain = String::from_utf8(plain).unwrap();
    plain
        .strip_prefix("AWS:tok-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a mixed token: {plain:?}"))
}

fn temps(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect()
}

#[test]
fn crash_safety_under_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let docker_dir = dir.path().join("docker");
    std::fs::create_dir(&docker_dir).unwrap();
    let config = docker_dir.join("config.json");
    std::fs::write(&config, THEIRS).unwrap();
    publish(&config, 0);

    let me = std::env::current_exe().unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ u64::from(std::process::id()));
    let (mut writes, mut kills, mut last) = (0u64, 0u64, 0u64);
    let deadline = Instant::now() + Duration::from_secs(120);
    while writes < 1000 || kills < 100 {
        assert!(
            Instant::now() < deadline,
            "only {writes} writes and {kills} kills in 2 minutes"
        );
        let log = dir.path().join(format!("writer-{kills}.log"));
        let mut child = Command::new(&me)
            .args(["writer_child", "--exact", "--ignored", "--test-threads=1"])
            .env("DOCKPASS_CRASH_WRITER", &config)
            .env("DOCKPASS_CRASH_START", (last + 1).to_string())
            .env("DOCKPASS_CRASH_LOG", &log)
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Let it start (the test harness takes a moment), then kill it anywhere.
        std::thread::sleep(Duration::from_millis(5 + rng.below(25)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        let done: Vec<u64> = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(|l| l.parse().expect("whole lines only"))
            .collect();
        writes += done.len() as u64;
        let confirmed = done.last().copied().unwrap_or(last);
        let now = token_in(&config);
        // The last confirmed write, or the one in flight when the kill came: old or new.
        assert!(
            now == confirmed || now == confirmed + 1,
            "after kill {kills}: token {now}, last confirmed {confirmed}, started at {}, reported {:?}",
            last + 1,
            &done[done.len().saturating_sub(5)..]
        );
        last = now;
    }
    // A killed writer may leave its temp file; the next write clears it.
    publish(&config, last + 1);
    assert_eq!(token_in(&config), last + 1);
    assert!(temps(&docker_dir).is_empty(), "{:?}", temps(&docker_dir));
    eprintln!("crash safety: {writes} writes, {kills} SIGKILLs, config always whole");
}
