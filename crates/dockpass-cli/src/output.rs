//! How the CLI speaks: one line per error or warning on stderr, JSON on request.

use dockpass_core::Error;
use serde::Serialize;

pub fn error(e: &Error) {
    eprintln!("dockpass: {}", e.message);
}

pub fn warning(msg: &str) {
    eprintln!("dockpass: warning: {msg}");
}

pub fn json<T: Serialize>(value: &T) -> dockpass_core::Result<()> {
    print_json(serde_json::to_string_pretty(value))
}

/// One line of JSON (for programs such as the AWS CLI's credential_process).
pub fn json_compact<T: Serialize>(value: &T) -> dockpass_core::Result<()> {
    print_json(serde_json::to_string(value))
}

fn print_json(text: serde_json::Result<String>) -> dockpass_core::Result<()> {
    let text = text.map_err(|e| {
        dockpass_core::err(
            dockpass_core::Code::Internal,
            format!("cannot print JSON: {e}"),
        )
    })?;
    println!("{text}");
    Ok(())
}

/// Bytes to stdout; a reader that went away (`dockpass man | head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> dockpass_core::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(dockpass_core::err(
            dockpass_core::Code::Internal,
            format!("cannot write to standard output: {e}"),
        )),
        _ => Ok(()),
    }
}

/// "in 1h 5m" / "2m ago" for people.
pub fn relative(now: time::OffsetDateTime, t: time::OffsetDateTime) -> String {
    let d = t - now;
    let secs = d.whole_seconds();
    let abs = std::time::Duration::from_secs(secs.unsigned_abs());
    let text = dockpass_core::base::duration::format(abs);
    if secs >= 0 {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

/// `2026-11-26 20:00 UTC` for people.
pub fn when(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}
