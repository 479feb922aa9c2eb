//! Log set-up shared by the CLI, the daemon and the app: `DOCKPASS_LOG` (else `RUST_LOG`) as
//! a filter, lines to stderr, and never a secret. The AWS SDK and the HTTP stack write whole
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
