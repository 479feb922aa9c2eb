//! Dockpass core: everything that is not GUI, shared by the CLI, the credential helper and
//! the tray app. The modules follow the flow (docs/ARCHITECTURE.md): the IdP sign-in (`idp`,
//! with `saml`), AWS (`aws`), docker (`docker`), the session that ties them together
//! (`session`), and the app that keeps it fresh (`app`); under them the profiles (`config`),
//! ECR host names (`registry`), the desktop (`platform`) and small shared pieces (`base`).
#![forbid(unsafe_code)]

pub mod app;
pub mod aws;
pub mod base;
pub mod config;
pub mod docker;
pub mod doctor;
pub mod idp;
pub mod platform;
pub mod portal;
pub mod registry;
pub mod session;

pub use dockpass_common::{err, error, secret, Code, Error, Result, SecretString};
pub use dockpass_saml::{self as saml, role};
