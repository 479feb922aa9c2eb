//! Generates the ACL: every app command gets an allow-/deny- permission, so a command is
//! reachable only from windows whose capability lists it (capabilities/main.json).

include!("command_names.rs");

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
