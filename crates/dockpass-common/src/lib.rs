//! What every Dockpass crate shares: one error type (a stable code and one human line) and a
//! secret string that never prints, is wiped on drop, and serializes only where asked to.
#![forbid(unsafe_code)]

pub mod error;
pub mod secret;

pub use error::{err, Code, Error, Result};
pub use secret::SecretString;
