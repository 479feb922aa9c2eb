//! Generates the ACL: every app command gets an allow-/deny- permission, so a command is
//! reachable only from windows whose capability lists it (capabilities/main.json).

const COMMANDS: &[&str] = &[
    "overview",
    "select_profile",
    "login",
    "logout",
    "pick_role",
    "cancel_pick",
    "switch_role",
    "confirm_trust",
    "reject_trust",
    "config_get",
    "config_save",
    "list_repositories",
    "list_images",
    "propose_registries",
    "add_registries",
    "autostart_get",
    "autostart_set",
    "quit_app",
    "open_logs",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
