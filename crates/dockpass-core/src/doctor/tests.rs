//! Doctor's docker and local checks on planted files (the e2e tests run the whole command
//! against real services; these pin the rules).

use super::*;
use std::path::Path;

struct Bed {
    dir: tempfile::TempDir,
}

impl Bed {
    fn new() -> Bed {
        Bed {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn setup(&self) -> Setup {
        let d = self.dir.path();
        Setup {
            config_file: d.join("config.toml"),
            state_file: d.join("state.json"),
            docker_config: d.join("docker/config.json"),
            containers_auth: Some(d.join("run/containers/auth.json")),
            containers_lookup: vec![
                d.join("run/containers/auth.json"),
                d.join("xdg-config/containers/auth.json"),
                d.join("docker/config.json"),
            ],
            search_path: Some(d.join("bin").into_os_string()),
            runtime_dir: Some(d.join("run/dockpass")),
            profile: None,
            offline: true,
            timeout: Duration::from_millis(200),
        }
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }

    fn helper(&self, name: &str) {
        use std::os::unix::fs::PermissionsExt;
        let p = self
            .dir
            .path()
            .join("bin")
            .join(format!("docker-credential-{name}"));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "#!/bin/sh\necho v1.0\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn checks(&self) -> Vec<Check> {
        let setup = self.setup();
        let mut out = Vec::new();
        let config = local::config(&setup, &mut out).unwrap_or(Config {
            path: setup.config_file.clone(),
            profiles: vec![],
        });
        let state = local::state(&setup, &mut out).unwrap_or_default();
        docker::checks(&setup, &config, &state, &mut out);
        containers::checks(&setup, &config, &state, &mut out);
        local::helper_path(&setup, &config, &mut out);
        out
    }

    fn check(&self, id: &str) -> Check {
        let all = self.checks();
        all.iter()
            .filter(|c| c.id == id)
            .max_by_key(|c| c.level)
            .cloned()
            .unwrap_or_else(|| panic!("no {id} check in {all:?}"))
    }
}

const PROFILE: &str =
    "[[profile]]\nname = \"corp\"\nidp_url = \"https://idp.example/sso\"\nregion = \"us-east-1\"\n";

#[test]
fn a_fresh_machine_is_fine_but_has_no_config() {
    let bed = Bed::new();
    assert_eq!(bed.check("config").level, Level::Warn);
    assert_eq!(bed.check("docker-config").level, Level::Ok);
    assert_eq!(bed.check("creds-store").level, Level::Ok);
    assert_eq!(bed.check("helper-path").level, Level::Info);
}

#[test]
fn creds_store_with_its_helper_is_fine_without_it_an_error() {
    let bed = Bed::new();
    bed.write("docker/config.json", r#"{"credsStore":"desktop"}"#);
    let c = bed.check("creds-store");
    assert_eq!(c.level, Level::Error);
    assert!(c.fix.unwrap().contains("remove \"credsStore\""));
    bed.helper("desktop");
    assert_eq!(bed.check("creds-store").level, Level::Ok);
}

#[test]
fn helper_mode_needs_the_helper_on_path() {
    let bed = Bed::new();
    bed.write("config.toml", &format!("{PROFILE}docker = \"helper\"\n"));
    let c = bed.check("helper-path");
    assert_eq!(c.level, Level::Error);
    assert!(c.summary.contains("profile corp"), "{c:?}");
}

#[test]
fn a_dockpass_entry_for_a_registry_of_no_profile_is_stale() {
    let bed = Bed::new();
    bed.write(
        "config.toml",
        &format!("{PROFILE}\n[[profile.registry]]\naccount = \"111111111111\"\n"),
    );
    bed.write(
        "docker/config.json",
        r#"{"credHelpers":{"111111111111.dkr.ecr.us-east-1.amazonaws.com":"dockpass","222222222222.dkr.ecr.us-east-1.amazonaws.com":"dockpass"}}"#,
    );
    let c = bed.check("cred-helpers");
    assert_eq!(c.level, Level::Warn);
    assert!(
        c.summary.contains("222222222222") && !c.summary.contains("111111111111"),
        "{c:?}"
    );
}

#[test]
fn unreadable_files_are_errors_that_name_them() {
    let bed = Bed::new();
    bed.write("docker/config.json", "{");
    bed.write("state.json", "{not json");
    bed.write("config.toml", "[[profile]]\nname = 1\n");
    for id in ["docker-config", "state", "config"] {
        assert_eq!(bed.check(id).level, Level::Error, "{id}");
    }
    assert!(bed.check("docker-config").summary.contains("config.json"));
    assert_eq!(
        std::fs::read_to_string(bed.dir.path().join("docker/config.json")).unwrap(),
        "{",
        "doctor writes nothing"
    );
}

#[test]
fn worst_level_decides_the_exit() {
    let r = Report {
        checks: vec![Check::ok("a", "x"), Check::warn("b", "y", "z")],
    };
    assert_eq!(r.worst(), Level::Warn);
    assert!(Path::new("/").is_absolute());
}

#[test]
fn a_helper_socket_folder_others_can_write_is_said() {
    use std::os::unix::fs::PermissionsExt;
    let bed = Bed::new();
    let setup = bed.setup();
    let dir = setup.runtime_dir.clone().unwrap();
    let config = |docker: &str| {
        crate::config::Config::parse(
            &format!("[[profile]]\nname = \"corp\"\nidp_url = \"https://idp.example/\"\nregion = \"us-east-1\"\ndocker = \"{docker}\"\n"),
            Path::new("c.toml"),
        )
        .unwrap()
    };
    let run = |c: &crate::config::Config| {
        let mut out = Vec::new();
        local::helper_socket(&setup, c, &mut out);
        out.remove(0)
    };
    assert_eq!(run(&config("helper")).level, Level::Info, "no folder yet");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(
        run(&config("helper")).level,
        Level::Info,
        "private, nobody answers"
    );
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let c = run(&config("helper"));
    assert_eq!(c.level, Level::Error);
    assert!(
        c.summary.contains("other users") && c.summary.contains("corp"),
        "{}",
        c.summary
    );
    assert_eq!(run(&config("config")).level, Level::Warn);
}

/// A state with a session of profile corp for `host`, written into docker's config with the
/// fingerprint of `AWS:secret` (and into the containers' file too, when `containers`).
fn session_state(bed: &Bed, host: &str, containers: bool) -> String {
    let fp = crate::docker::fingerprint("AWS", "secret");
    let written = serde_json::json!([{"host": host, "via": {"kind": "auths"}, "fingerprint": fp}]);
    let mut session = serde_json::json!({
        "role_arn": "arn:aws:iam::111111111111:role/Dev", "account": "111111111111",
        "started_at": "2099-01-01T00:00:00Z", "expires_at": "2099-01-01T01:00:00Z",
        "registries": [{"host": host, "account": "111111111111", "region": "us-east-1",
                        "expires_at": "2099-01-01T01:00:00Z"}],
        "docker_config": bed.setup().docker_config, "written": written, "secrets": "memory",
    });
    if containers {
        session["containers"] =
            serde_json::json!({"path": bed.setup().containers_auth, "written": written});
    }
    serde_json::json!({"version": 1, "profiles": {"corp": {"session": session}}}).to_string()
}

fn auths(host: &str, user_secret: &str) -> String {
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(user_secret);
    format!(r#"{{"auths": {{"{host}": {{"auth": "{auth}"}}}}}}"#)
}

#[test]
fn a_containers_entry_that_hides_dockpass_is_reported_with_its_fix() {
    const HOST: &str = "111111111111.dkr.ecr.us-east-1.amazonaws.com";
    let bed = Bed::new();
    bed.write("config.toml", &format!("{PROFILE}targets = [\"docker\"]\n"));
    bed.write("state.json", &session_state(&bed, HOST, false));
    bed.write("docker/config.json", &auths(HOST, "AWS:secret"));
    // Only docker's config has an entry: podman reads Dockpass's.
    bed.write("run/containers/auth.json", "{}");
    let c = bed.check("containers-auth");
    assert_eq!(c.level, Level::Ok, "{c:?}");
    assert!(c.summary.contains("for 1 host"), "{c:?}");

    // A stale `podman login` in the runtime folder comes first.
    bed.write("run/containers/auth.json", &auths(HOST, "AWS:stale"));
    let c = bed.check("containers-auth");
    assert_eq!(c.level, Level::Warn, "{c:?}");
    assert!(
        c.summary
            .contains("run/containers/auth.json has an entry for 111111111111"),
        "{c:?}"
    );
    let fix = c.fix.unwrap();
    assert!(
        fix.contains("podman logout --authfile")
            && fix.contains("targets = [\"docker\", \"containers\"]"),
        "{fix}"
    );

    // With the containers' file a target and Dockpass's entry there, all is well again.
    bed.write(
        "config.toml",
        &format!("{PROFILE}targets = [\"docker\", \"containers\"]\n"),
    );
    bed.write("state.json", &session_state(&bed, HOST, true));
    bed.write("run/containers/auth.json", &auths(HOST, "AWS:secret"));
    assert_eq!(bed.check("containers-auth").level, Level::Ok);

    // A namespace-scoped entry wins for the images below it.
    bed.write(
        "xdg-config/containers/auth.json",
        &auths(&format!("{HOST}/team"), "u:p"),
    );
    let c = bed.check("containers-auth");
    assert_eq!(c.level, Level::Warn, "{c:?}");
    assert!(c.summary.contains("/team"), "{c:?}");
}

#[test]
fn credentials_podman_cannot_read_are_said() {
    const HOST: &str = "111111111111.dkr.ecr.us-east-1.amazonaws.com";
    let bed = Bed::new();
    bed.write("config.toml", &format!("{PROFILE}targets = [\"docker\"]\n"));
    bed.write("state.json", &session_state(&bed, HOST, false));
    // docker keeps the token in its credsStore: docker's `{}` marker is all podman sees.
    bed.write(
        "docker/config.json",
        &format!(r#"{{"credsStore": "desktop", "auths": {{"{HOST}": {{}}}}}}"#),
    );
    bed.write("run/containers/auth.json", "{}");
    let c = bed.check("containers-auth");
    assert_eq!(c.level, Level::Warn, "{c:?}");
    assert!(c.summary.contains("credsStore"), "{c:?}");
    assert!(c.fix.unwrap().contains("\"containers\""));
}

#[test]
fn without_the_containers_tools_there_is_nothing_to_check() {
    let bed = Bed::new();
    bed.write("config.toml", PROFILE);
    assert_eq!(bed.check("containers-auth").level, Level::Info);
}
