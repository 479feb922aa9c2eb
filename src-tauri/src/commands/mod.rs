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
