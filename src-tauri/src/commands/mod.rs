//! IPC commands for the local UI, one file per area; each a few lines over the controller.

pub mod app;
pub mod checks;
pub mod repos;
pub mod roles;
pub mod session;
pub mod settings;
pub mod setup;

use dockpass_core::app::controller::Controller;
use std::sync::Arc;

pub type Ctl<'a> = tauri::State<'a, Arc<Controller>>;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    include!("../../command_names.rs");

    fn set<'a>(it: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'a str> {
        it.into_iter().collect()
    }

    /// The one list, the handlers main.rs registers, the capability and what the UI calls agree:
    /// a command added in one place and forgotten in another fails here, not in the app.
    #[test]
    fn every_command_is_registered_allowed_and_called_by_its_name() {
        let list = set(COMMANDS.iter().copied());
        assert_eq!(list.len(), COMMANDS.len(), "a command is listed twice");

        let main = include_str!("../main.rs");
        let start = main
            .find("generate_handler![")
            .expect("main.rs registers the handlers");
        let end = start + main[start..].find(']').unwrap();
        let registered = set(main[start..end]
            .split(',')
            .filter_map(|p| p.trim().rsplit("::").next())
            .filter(|n| !n.is_empty() && !n.contains('[')));
        assert_eq!(
            registered, list,
            "main.rs generate_handler! and command_names.rs differ"
        );

        let caps: serde_json::Value =
            serde_json::from_str(include_str!("../../capabilities/main.json")).unwrap();
        let allowed: BTreeSet<String> = caps["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| {
                p.as_str()?
                    .strip_prefix("allow-")
                    .map(|n| n.replace('-', "_"))
            })
            .collect();
        assert_eq!(
            allowed.iter().map(String::as_str).collect::<BTreeSet<_>>(),
            list,
            "capabilities/main.json allows other commands than command_names.rs lists"
        );

        let api = include_str!("../../../ui/src/api.ts");
        let called = set(api
            .split("call<")
            .skip(1)
            .filter_map(|c| c.split('"').nth(1)));
        let unknown: Vec<_> = called.difference(&list).collect();
        assert!(
            unknown.is_empty(),
            "ui/src/api.ts calls commands the app does not have: {unknown:?}"
        );
        // quit_app and open_logs are the tray's (and the keyboard's); every other command is the UI's.
        let unused: Vec<_> = list
            .difference(&called)
            .filter(|n| !["quit_app", "open_logs"].contains(n))
            .collect();
        assert!(unused.is_empty(), "commands no UI calls: {unused:?}");
    }
}
