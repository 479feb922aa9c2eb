//! The local socket between `docker-credential-dockpass` (client) and the running app or
//! daemon (server, `server.rs`). The wire types live in the small `dockpass-helper` crate so
//! the helper binary links nothing heavy; this module adds the conversions to core types.
//! The socket lives in the user's runtime folder (mode 0700), is itself 0600, and the server
//! checks the peer's uid, so only the user's own processes get an answer.

pub use dockpass_helper::{
    ask, Answer, ProcessCredentials, Request, WireError, CLIENT_TIMEOUT, MAX_LINE,
};

use crate::{err, Code, Error, Result};
use std::path::PathBuf;

/// `$XDG_RUNTIME_DIR/dockpass/helper.sock`.
pub fn path() -> Result<PathBuf> {
    Ok(crate::base::paths::runtime_dir()?.join("helper.sock"))
}

/// A core error for the wire.
pub fn to_wire(e: &Error) -> WireError {
    WireError {
        code: e.code.as_str().to_string(),
        message: e.message.clone(),
    }
}

/// A wire error as a core error (unknown codes become `internal`, the message stays).
pub fn from_wire(e: WireError) -> Error {
    let code: Code =
        serde_json::from_value(serde_json::Value::String(e.code)).unwrap_or(Code::Internal);
    err(code, e.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_cross_the_wire_with_their_code() {
        let e = err(Code::NotLoggedIn, "sign in");
        assert_eq!(from_wire(to_wire(&e)), e);
        let odd = from_wire(WireError {
            code: "from_the_future".into(),
            message: "m".into(),
        });
        assert_eq!(odd.code, Code::Internal);
    }
}
