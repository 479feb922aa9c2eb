//! Recent activity: what Dockpass did and when, for the UI's activity list.

use crate::base::clock::serde_rfc3339;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Mutex;
use time::OffsetDateTime;

/// How many entries are kept.
pub const CAPACITY: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export, rename = "ActivityKind")]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Login,
    Logout,
    Switch,
    Refresh,
    Error,
    Info,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Activity {
    #[serde(with = "serde_rfc3339")]
    #[ts(type = "string")]
    pub at: OffsetDateTime,
    pub profile: String,
    pub kind: Kind,
    pub message: String,
}

/// A bounded, newest-first log.
#[derive(Debug, Default)]
pub struct Log(Mutex<VecDeque<Activity>>);

impl Log {
    pub fn push(&self, entry: Activity) {
        let mut q = self.0.lock().unwrap_or_else(|p| p.into_inner());
        q.push_front(entry);
        q.truncate(CAPACITY);
    }

    /// Newest first.
    pub fn entries(&self) -> Vec<Activity> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_first_and_is_bounded() {
        let log = Log::default();
        for i in 0..(CAPACITY + 5) {
            log.push(Activity {
                at: OffsetDateTime::UNIX_EPOCH,
                profile: "p".into(),
                kind: Kind::Info,
                message: format!("{i}"),
            });
        }
        let e = log.entries();
        assert_eq!(e.len(), CAPACITY);
        assert_eq!(e[0].message, format!("{}", CAPACITY + 4));
    }
}
