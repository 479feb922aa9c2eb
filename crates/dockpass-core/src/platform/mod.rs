//! The desktop around Dockpass: notifications, start at login, opening files and URLs, log
//! files, and the browsers the extension runs in.

pub mod autostart;
pub mod browsers;
pub mod desktop;
pub mod logging;
pub mod notify;
