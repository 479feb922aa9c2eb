// The app's IPC commands, one list: build.rs makes an allow-/deny- permission of each, the
// capability (capabilities/main.json) allows them to the main window, main.rs registers them and
// ui/src/api.ts calls them; src/commands/mod.rs's tests check that all four agree.
pub const COMMANDS: &[&str] = &[
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
    "check_profile",
    "check_link",
    "registry_hosts",
    "list_repositories",
    "list_images",
    "propose_registries",
    "add_registries",
    "autostart_get",
    "autostart_set",
    "browser_readiness",
    "browser_install",
    "quit_app",
    "open_logs",
];
