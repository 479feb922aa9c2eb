//! The UI contract: every type that crosses IPC between the core and the web UI (command
//! results and events), defined here or named here when it lives with its stage. The UI's
//! TypeScript types are this module's; nothing else is sent to the UI.

use crate::config::Profile;
use crate::role::Role;
use crate::session::Status;
use crate::Error;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;

pub use crate::app::activity::{Activity, Kind as ActivityKind};
pub use crate::app::setup::RegistryProposal;
pub use crate::aws::repos::{Image, RegistryFailure, Repository, RepositoryList};
pub use crate::idp::trust::Question as TrustQuestion;
pub use crate::session::{ChainStatus, RegistryStatus, SessionState};

/// Something the UI and the tray should know about. `name()` is the event name on the wire.
#[derive(Clone, Debug)]
pub enum Event {
    SessionChanged(Status),
    Activity(Activity),
    RolePicker(RolePicker),
    RolePickerClosed {
        profile: String,
    },
    /// A sign-in waits for the user to confirm a new issuer or account.
    TrustPrompt(TrustQuestion),
    TrustPromptClosed {
        profile: String,
    },
    LoginProgress(LoginProgress),
    ConfigChanged(ConfigView),
    /// Everything changed (e.g. the profile was selected from the tray).
    Overview(Box<Overview>),
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::SessionChanged(_) => "session-changed",
            Event::Activity(_) => "activity",
            Event::RolePicker(_) => "role-picker",
            Event::RolePickerClosed { .. } => "role-picker-closed",
            Event::TrustPrompt(_) => "trust-prompt",
            Event::TrustPromptClosed { .. } => "trust-prompt-closed",
            Event::LoginProgress(_) => "login-progress",
            Event::ConfigChanged(_) => "config-changed",
            Event::Overview(_) => "overview",
        }
    }

    pub fn payload(&self) -> serde_json::Value {
        let v = match self {
            Event::SessionChanged(s) => serde_json::to_value(s),
            Event::Activity(a) => serde_json::to_value(a),
            Event::RolePicker(p) => serde_json::to_value(p),
            Event::RolePickerClosed { profile } | Event::TrustPromptClosed { profile } => {
                Ok(serde_json::json!({ "profile": profile }))
            }
            Event::TrustPrompt(q) => serde_json::to_value(q),
            Event::LoginProgress(p) => serde_json::to_value(p),
            Event::ConfigChanged(c) => serde_json::to_value(c),
            Event::Overview(o) => serde_json::to_value(o),
        };
        v.unwrap_or(serde_json::Value::Null)
    }
}

/// Where events go (the Tauri shell emits them to the UI and updates the tray).
pub trait EventSink: Send + Sync {
    fn emit(&self, event: Event);
}

#[derive(Clone, Debug, Serialize)]
pub struct RolePicker {
    pub profile: String,
    pub roles: Vec<Role>,
    /// The role in use, if any (role ARN).
    pub current: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Opening,
    WaitingForIdp,
    AssumingRole,
    WritingDockerConfig,
    Done,
    Cancelled,
    Failed,
}

#[derive(Clone, Debug, Serialize)]
pub struct LoginProgress {
    pub profile: String,
    pub phase: Phase,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConfigView {
    pub path: PathBuf,
    pub profiles: Vec<Profile>,
    pub exists: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    pub profiles: Vec<String>,
    pub selected: Option<String>,
    pub sessions: Vec<Status>,
    pub roles: HashMap<String, Vec<Role>>,
    pub activity: Vec<Activity>,
    /// The config problem, when the config file is missing or broken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_error: Option<Error>,
    /// One-line warnings for the user (no keychain).
    pub warnings: Vec<String>,
    /// A sign-in waiting for the user's role choice, if any.
    pub picker: Option<RolePicker>,
    /// A sign-in waiting for the user to confirm a new issuer or account, if any.
    pub trust: Option<TrustQuestion>,
}
