//! Log set-up shared by the CLI, the daemon and the app: `DOCKPASS_LOG` (else `RUST_LOG`) as
//! a filter, lines to stderr, and for the long-running app and daemon also a daily file in the
//! platform's log folder (`paths::log_dir`), 7 days kept; never a secret. The AWS SDK and the HTTP stack write whole
//! requests and responses at trace level (SAML assertions, STS credentials, ECR tokens in
//! the bodies), so events of crates other than Dockpass's own stop at debug, whatever the
//! filter asks for. Dockpass's own events never carry secrets (they are `SecretString`s).

use tracing::Level;
use tracing_subscriber::filter::{filter_fn, EnvFilter};
use tracing_subscriber::prelude::*;

/// Whether an event of `target` at `level` may be written at all.
pub fn allowed(target: &str, level: &Level) -> bool {
    *level < Level::TRACE || target.starts_with("dockpass")
}

/// Installs the stderr logger; `default` applies when neither variable is set.
pub fn init(default: &str, with_time: bool) {
    let spec = std::env::var("DOCKPASS_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| default.to_string());
    let filter = EnvFilter::new(spec);
    let no_wire = filter_fn(|meta| allowed(meta.target(), meta.level()));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let result = if with_time {
        tracing_subscriber::registry()
            .with(fmt.with_filter(filter).with_filter(no_wire))
            .try_init()
    } else {
        tracing_subscriber::registry()
            .with(fmt.without_time().with_filter(filter).with_filter(no_wire))
            .try_init()
    };
    let _ = result;
}

/// Files kept: a week of days.
pub const KEEP_FILES: usize = 7;

/// Lines the file log may have queued for its writer thread.
pub const LOG_QUEUE_LINES: usize = 4096;

/// The running file log; dropping it flushes what is still queued.
pub struct FileLog {
    pub dir: std::path::PathBuf,
    _guard: tracing_appender::non_blocking::WorkerGuard,
}

/// `init` plus a daily file `NAME.YYYY-MM-DD.log` in `dir` at info level (or `DOCKPASS_LOG`),
/// oldest removed beyond [`KEEP_FILES`]. Without a usable folder it says so on stderr and
/// logs to stderr only: logging never stops the app.
pub fn init_with_file(default: &str, name: &str, dir: std::path::PathBuf) -> Option<FileLog> {
    let file = crate::base::fsutil::create_dir_all(&dir, 0o700)
        .map_err(|e| e.message)
        .and_then(|()| {
            tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix(name)
                .filename_suffix("log")
                .max_log_files(KEEP_FILES)
                .build(&dir)
                .map_err(|e| format!("cannot open a log file in {}: {e}", dir.display()))
        });
    let file = match file {
        Ok(f) => f,
        Err(why) => {
            eprintln!("dockpass: {why}; logging to stderr only");
            init(default, true);
            return None;
        }
    };
    // tracing-appender's default queue holds 128,000 lines and is allocated (and touched)
    // up front: 4 MB resident in the tray app and the daemon for a log that writes a few
    // lines an hour. Lines beyond the queue are dropped (counted by tracing-appender), as
    // before.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .finish(file);
    let spec = std::env::var("DOCKPASS_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok();
    let stderr_filter = EnvFilter::new(spec.clone().unwrap_or_else(|| default.to_string()));
    let file_filter = EnvFilter::new(spec.unwrap_or_else(|| {
        "warn,dockpass=info,dockpass_core=info,dockpass_app=info,dockpass_cli=info".to_string()
    }));
    let no_wire = || filter_fn(|meta| allowed(meta.target(), meta.level()));
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(stderr_filter)
                .with_filter(no_wire()),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(file_filter)
                .with_filter(no_wire()),
        )
        .try_init();
    Some(FileLog { dir, _guard: guard })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_traces_are_never_written() {
        assert!(allowed("dockpass_core::session", &Level::TRACE));
        assert!(!allowed(
            "aws_smithy_runtime::client::orchestrator",
            &Level::TRACE
        ));
        assert!(!allowed("hyper_util::client", &Level::TRACE));
        assert!(allowed(
            "aws_smithy_runtime::client::orchestrator",
            &Level::DEBUG
        ));
    }
}
