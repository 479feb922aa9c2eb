//! The desktop around Dockpass: notifications, start at login, opening files, log files.

pub mod autostart;
pub mod desktop;
pub mod logging;
pub mod notify;
