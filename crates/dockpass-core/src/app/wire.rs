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
pub use crate::platform::browsers::{BrowserReadiness, BrowserReady, ExtensionSeen};
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
                serde_json::to_value(ProfileRef {
                    profile: profile.clone(),
                })
            }
            Event::TrustPrompt(q) => serde_json::to_value(q),
            Event::LoginProgress(p) => serde_json::to_value(p),
            Event::ConfigChanged(c) => serde_json::to_value(c),
            Event::Overview(o) => serde_json::to_value(o),
        };
        v.unwrap_or(serde_json::Value::Null)
    }
}

impl Event {
    /// Every event's name and the TypeScript type of its payload: the UI's `EventMap`
    /// (`ui/src/bindings/events.ts`, written by this module's tests).
    pub fn contract() -> Vec<(&'static str, String)> {
        use ts_rs::TS;
        let cfg = ts_rs::Config::from_env();
        vec![
            ("overview", Overview::name(&cfg)),
            ("session-changed", Status::name(&cfg)),
            ("activity", Activity::name(&cfg)),
            ("role-picker", RolePicker::name(&cfg)),
            ("role-picker-closed", ProfileRef::name(&cfg)),
            ("trust-prompt", TrustQuestion::name(&cfg)),
            ("trust-prompt-closed", ProfileRef::name(&cfg)),
            ("login-progress", LoginProgress::name(&cfg)),
            ("config-changed", ConfigView::name(&cfg)),
        ]
    }
}

/// The payload of the events that close a prompt: which profile's.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ProfileRef {
    pub profile: String,
}

/// Where events go (the Tauri shell emits them to the UI and updates the tray).
pub trait EventSink: Send + Sync {
    fn emit(&self, event: Event);
}

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RolePicker {
    pub profile: String,
    pub roles: Vec<Role>,
    /// The role in use, if any (role ARN).
    pub current: Option<String>,
    /// Names of the roles' accounts, where known (the profile's, or learned at sign-in).
    pub account_names: std::collections::BTreeMap<String, String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export, rename = "LoginPhase")]
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

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LoginProgress {
    pub profile: String,
    pub phase: Phase,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub message: Option<String>,
}

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ConfigView {
    pub path: PathBuf,
    pub profiles: Vec<Profile>,
    pub exists: bool,
    /// ECR Public's host and token region, for the editor to show (`public = true`).
    pub ecr_public: EcrPublic,
}

/// ECR Public as the settings editor describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct EcrPublic {
    pub host: String,
    pub region: String,
}

impl Default for EcrPublic {
    fn default() -> Self {
        EcrPublic {
            host: crate::registry::PUBLIC_HOST.into(),
            region: crate::registry::PUBLIC_REGION.into(),
        }
    }
}

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Overview {
    pub profiles: Vec<String>,
    pub selected: Option<String>,
    pub sessions: Vec<Status>,
    pub roles: HashMap<String, Vec<Role>>,
    pub activity: Vec<Activity>,
    /// The config problem, when the config file is missing or broken.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub config_error: Option<Error>,
    /// One-line warnings for the user (no keychain).
    pub warnings: Vec<String>,
    /// A sign-in waiting for the user's role choice, if any.
    pub picker: Option<RolePicker>,
    /// A sign-in waiting for the user to confirm a new issuer or account, if any.
    pub trust: Option<TrustQuestion>,
    /// The sign-ins under way (their last progress), for a window that opens meanwhile.
    pub progress: Vec<LoginProgress>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One event of each kind: the contract names them all, with the payload each carries.
    fn one_of_each() -> Vec<Event> {
        let now = time::OffsetDateTime::UNIX_EPOCH;
        let status = Status {
            profile: "p".into(),
            state: SessionState::LoggedOut,
            role_arn: None,
            role_name: None,
            role_path: None,
            account: None,
            account_name: None,
            expires_at: None,
            registries: vec![],
            chain: vec![],
            subject: None,
            secrets: None,
            error: None,
            refresh_before_s: 600,
        };
        let picker = RolePicker {
            profile: "p".into(),
            roles: vec![],
            current: None,
            account_names: Default::default(),
        };
        let question = TrustQuestion {
            profile: "p".into(),
            role_arn: "arn:aws:iam::111111111111:role/R".into(),
            role_name: "R".into(),
            issuer: None,
            known_issuer: None,
            new_issuer: false,
            account: "111111111111".into(),
            known_accounts: vec![],
            new_account: true,
        };
        let config = ConfigView {
            path: "c.toml".into(),
            profiles: vec![],
            exists: false,
            ecr_public: EcrPublic::default(),
        };
        vec![
            Event::SessionChanged(status),
            Event::Activity(Activity {
                at: now,
                profile: "p".into(),
                kind: ActivityKind::Info,
                message: "m".into(),
            }),
            Event::RolePicker(picker),
            Event::RolePickerClosed {
                profile: "p".into(),
            },
            Event::TrustPrompt(question),
            Event::TrustPromptClosed {
                profile: "p".into(),
            },
            Event::LoginProgress(LoginProgress {
                profile: "p".into(),
                phase: Phase::Done,
                message: None,
            }),
            Event::ConfigChanged(config),
            Event::Overview(Box::new(Overview {
                profiles: vec![],
                selected: None,
                sessions: vec![],
                roles: HashMap::new(),
                activity: vec![],
                config_error: None,
                warnings: vec![],
                picker: None,
                trust: None,
                progress: vec![],
            })),
        ]
    }

    #[test]
    fn the_contract_names_every_event() {
        let contract = Event::contract();
        let mut named: Vec<&str> = contract.iter().map(|(n, _)| *n).collect();
        let mut emitted: Vec<&str> = one_of_each().iter().map(Event::name).collect();
        named.sort();
        emitted.sort();
        assert_eq!(named, emitted);
        for e in one_of_each() {
            assert!(e.payload().is_object(), "{}", e.name());
        }
    }

    /// Writes `events.ts` beside the types ts-rs exports (`TS_RS_EXPORT_DIR`, see
    /// `.cargo/config.toml`): the UI's event names and payload types.
    #[test]
    fn export_bindings_events() {
        let cfg = ts_rs::Config::from_env();
        let contract = Event::contract();
        let mut types: Vec<&str> = contract.iter().map(|(_, t)| t.as_str()).collect();
        types.sort();
        types.dedup();
        let mut out = String::from(
            "// This file was generated by `cargo test` (dockpass-core, app::wire::Event::contract). Do not edit it.\n",
        );
        for t in &types {
            out.push_str(&format!("import type {{ {t} }} from \"./{t}\";\n"));
        }
        out.push_str("\n/** Every event the backend emits, by name, with its payload. */\nexport type EventMap = {\n");
        for (name, ty) in &contract {
            out.push_str(&format!("  \"{name}\": {ty};\n"));
        }
        out.push_str("};\n\nexport type EventName = keyof EventMap;\n\nexport const EVENT_NAMES: EventName[] = [\n");
        for (name, _) in &contract {
            out.push_str(&format!("  \"{name}\",\n"));
        }
        out.push_str("];\n");
        let dir = cfg.out_dir();
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join("events.ts");
        if std::fs::read_to_string(&path).ok().as_deref() != Some(out.as_str()) {
            std::fs::write(&path, out).unwrap();
        }
    }
}
