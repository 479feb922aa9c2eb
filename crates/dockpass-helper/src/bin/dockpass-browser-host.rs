//! `dockpass-browser-host`: the native messaging host of the Dockpass browser extension. The
//! browser starts it for each message; it hands a SAML response to the waiting Dockpass and
//! says what became of it (dockpass_helper::native). Kept apart from the tray process and
//! free of D-Bus, TLS and the AWS SDK, so it starts in about a millisecond.
#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let code = dockpass_helper::native::serve(
        &args,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
    );
    ExitCode::from(code)
}
