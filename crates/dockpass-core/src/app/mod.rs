//! What a long-running front end (the tray app, `dockpass daemon`) runs: the controller that
//! drives sign-ins and the UI, the scheduler that keeps sessions fresh, the helper socket's
//! server, and the activity log.

pub mod activity;
pub mod checks;
pub mod controller;
#[cfg(unix)]
pub mod helper_server;
pub mod scheduler;
pub mod setup;
pub mod socket;
#[cfg(test)]
pub(crate) mod testkit;
pub mod wire;
