//! Benchmark marks, off unless `DOCKPASS_BENCH_READY_FILE` names a file (benches/bench_app.py
//! sets it): the app then appends one `NAME UNIX_SECONDS` line there per mark (wall clock,
//! microseconds):
//!
//! - `main`: the process entered `main`;
//! - `tray`: the event loop runs, setup done and the tray icon made (tauri's `RunEvent::Ready`);
//! - `painted`: a main window's UI painted its first frame with the session's data (the UI's
//!   `ui-painted` event, ui/src/paint.ts).
//!
//! Without the variable nothing listens and nothing is written.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};
use tauri::{AppHandle, Listener};

const VAR: &str = "DOCKPASS_BENCH_READY_FILE";

/// Appends `name` and the time to the marks file, when there is one.
pub fn mark(name: &str) {
    let Some(path) = std::env::var_os(VAR) else {
        return;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(format!("{name} {now:.6}\n").as_bytes()));
    if let Err(e) = written {
        tracing::warn!("{VAR}: {e}");
    }
}

/// Notes the UI's first paints (only when marks are asked for).
pub fn listen(app: &AppHandle) {
    if std::env::var_os(VAR).is_some() {
        app.listen_any("ui-painted", |_| mark("painted"));
    }
}
