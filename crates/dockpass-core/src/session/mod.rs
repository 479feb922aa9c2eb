//! The login chain and the session's life: assertion → role → STS → ECR → docker → state.
//!
//! Front ends (CLI, tray app, daemon) call these functions; they hold no logic of their own.

pub mod accounts;
pub mod browser;
pub mod context;
pub mod credentials;
pub mod helper;
pub mod identity_center;
pub mod login;
pub mod logout;
pub mod publish;
pub mod refresh;
pub mod repos;
pub mod schedule;
pub mod secrets;
pub mod shell_env;
pub mod state;
pub mod status;
pub mod targets;
mod tokens;

pub use context::Context;
pub use login::{
    choose_role, login, login_aws_profile, login_planned, plan_login, LoginOptions, LoginReport,
    Plan,
};
pub use logout::{logout, LogoutReport};
pub use refresh::{live_session, refresh_tokens, RefreshReport};
pub use status::{
    role_items, status, status_of, ChainStatus, RegistryKind, RegistryStatus, RoleItem,
    SessionState, Status,
};
pub use targets::{targets, Target};
