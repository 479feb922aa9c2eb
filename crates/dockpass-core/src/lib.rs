//! Dockpass core: everything that is not GUI, shared by the CLI, the credential helper and
//! the tray app. See design.md for the flow and the contracts.
#![forbid(unsafe_code)]

pub mod activity;
pub mod autostart;
pub mod aws;
pub mod aws_profile;
pub mod capture;
pub mod clock;
pub mod config;
pub mod config_edit;
pub mod controller;
pub mod credentials;
pub mod deadline;
pub mod desktop;
pub mod docker;
pub mod doctor;
pub mod duration;
pub mod ecr;
pub mod fsutil;
pub mod helper;
pub mod lock;
pub mod logging;
pub mod notify;
pub mod os;
pub mod paths;
pub mod refresh;
pub mod registry;
pub mod repos;
pub mod scheduler;
pub mod secrets;
pub mod session;
pub mod setup;
pub mod state;
pub mod sts;
#[cfg(test)]
pub(crate) mod testkit;
pub mod trust;

pub use dockpass_common::{err, error, secret, Code, Error, Result, SecretString};
pub use dockpass_saml::{self as saml, role};
