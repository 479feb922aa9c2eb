//! "Open AWS console" (the tray): the live session's role in the console, through the AWS
//! federation endpoint. The user clicked it in Dockpass's own menu, so no other process is
//! asking (unlike `dockpass console`, which follows `credential_process`). The sign-in link is
//! a secret: it goes to the browser, never to the activity list or a log.

use super::{AwsProvider, Controller};
use crate::app::activity::Kind;
use crate::{session, Result};

impl<P: AwsProvider> Controller<P> {
    pub async fn open_console(&self, profile: &str) -> Result<()> {
        let result = self.console_url(profile).await.and_then(|url| {
            crate::platform::desktop::open_secret_url(
                &url,
                "run `dockpass console --print` and open the link yourself",
            )
        });
        match &result {
            Ok(()) => self.note(
                profile,
                Kind::Info,
                "Opened the AWS console in your browser",
            ),
            Err(e) => self.note(
                profile,
                Kind::Error,
                format!("Could not open the AWS console: {}", e.message),
            ),
        }
        result
    }

    /// The console's sign-in link for the profile's live session (tests look at it).
    pub(crate) async fn console_url(&self, profile: &str) -> Result<crate::SecretString> {
        let ctx = self.context();
        let p = self.profile(profile)?;
        let (_, secrets) = session::live_session(&ctx, &p)?;
        let aws = self.aws.client(&p).await;
        crate::aws::console::signin_url(aws.as_ref(), &secrets.credentials, &p.region).await
    }
}
