//! Signing in in the user's own browser (`login = "browser"` or `"loopback"`): the attempt
//! that waits for the response (session::browser), the IdP opened in the default browser,
//! then the same sign-in as after the login window (role picker, trust question), and the
//! browser told what became of it.

use super::{AwsProvider, Controller, Next};
use crate::app::activity::Kind;
use crate::app::wire::Phase;
use crate::config::LoginMode;
use crate::idp::handover::ATTEMPT_TIME;
use crate::{saml, session, Result};
use dockpass_helper::signin::Outcome;

impl<P: AwsProvider> Controller<P> {
    /// Whether `profile` signs in in the user's browser rather than the login window.
    pub fn uses_browser(&self, profile: &str) -> bool {
        self.profile(profile)
            .is_ok_and(|p| p.aws_profile.is_none() && p.login != LoginMode::Window)
    }

    /// Signs `profile` in through the user's browser: opens the IdP there and waits (up to
    /// five minutes) for the response. `quiet`: a renewal the user did not watch; its tab
    /// closes itself. While one waits, asking again opens the IdP again.
    pub async fn sign_in_in_browser(
        &self,
        profile: &str,
        role_arn: Option<String>,
        quiet: bool,
    ) -> Result<Next> {
        let p = self.profile(profile)?;
        let waiting = self.slot(profile, |s| std::mem::replace(&mut s.in_browser, true));
        if waiting {
            if let Some(url) = &p.idp_url {
                crate::platform::desktop::open_url(url)?;
            }
            return Ok(Next::Done);
        }
        let result = self.browser_attempt(&p, role_arn, quiet).await;
        self.slot(profile, |s| s.in_browser = false);
        result
    }

    /// "Renew in browser" on a notification: the session's role again, quietly (the tab
    /// closes itself once signed in). The app and the daemon both answer the click with it.
    pub async fn renew_in_browser(&self, profile: &str) -> Result<Next> {
        let role = self.status(Some(profile)).ok().and_then(|s| s.role_arn);
        self.sign_in_in_browser(profile, role, true).await
    }

    /// The user cancelled the sign-in that waits in the browser: it stops at once (its socket
    /// or loopback listener goes), and the UI hears "cancelled". False when none waits.
    pub fn cancel_browser_sign_in(&self, profile: &str) -> bool {
        match self.slot(profile, |s| s.stop_browser.take()) {
            Some(stop) => stop.send(()).is_ok(),
            None => false,
        }
    }

    /// The user chose "Continue in your browser" in the login window: its attempt goes to
    /// the browser (so closing the window does not cancel anything); the role it was for.
    pub fn take_for_browser(&self, profile: &str) -> Option<String> {
        self.slot(profile, |s| s.attempt.take())
            .and_then(|a| a.role_arn)
    }

    /// ... then the sign-in goes on in the browser with that role; `always` switches the
    /// profile to `login = "browser"` first.
    pub async fn continue_in_browser(
        &self,
        profile: &str,
        role_arn: Option<String>,
        always: bool,
    ) -> Result<Next> {
        if always {
            let mut profiles = self.context().config.profiles.clone();
            if let Some(p) = profiles.iter_mut().find(|p| p.name == profile) {
                p.login = LoginMode::Browser;
            }
            if let Err(e) = self.config_save(profiles) {
                return Err(self.failed(profile, e));
            }
            self.note(
                profile,
                Kind::Info,
                "This profile signs in in your browser from now on",
            );
        }
        self.sign_in_in_browser(profile, role_arn, false).await
    }

    async fn browser_attempt(
        &self,
        p: &crate::config::Profile,
        role_arn: Option<String>,
        quiet: bool,
    ) -> Result<Next> {
        let profile = p.name.as_str();
        // A window profile continuing in the browser this once uses the extension.
        let mode = match p.login {
            LoginMode::Window => LoginMode::Browser,
            m => m,
        };
        let mut sign = match session::browser::begin(p, mode).await {
            Ok(s) => s,
            Err(e) => return Err(self.failed(profile, e)),
        };
        if let Err(e) = crate::platform::desktop::open_url(&sign.idp_url) {
            return Err(self.failed(profile, e));
        }
        let how = match sign.acs.first() {
            Some(acs) => format!("your IdP posts the sign-in back to {acs}"),
            None => "the Dockpass extension hands the sign-in back".to_string(),
        };
        self.progress(
            profile,
            Phase::WaitingForIdp,
            Some(format!("Sign in in your browser; {how}.")),
        );
        let ctx = self.context();
        let until = ctx.clock.now() + ATTEMPT_TIME;
        let (stop, stopped) = tokio::sync::oneshot::channel();
        self.slot(profile, |s| s.stop_browser = Some(stop));
        let waited = tokio::select! {
            h = sign.attempt.wait(ctx.clock.as_ref(), until, |why| {
                self.note(profile, Kind::Error, why.to_string())
            }) => Some(h),
            Ok(()) = stopped => None,
        };
        self.slot(profile, |s| s.stop_browser = None);
        let handed = match waited {
            Some(Ok(h)) => h,
            Some(Err(e)) => return Err(self.failed(profile, e)),
            None => {
                self.progress(profile, Phase::Cancelled, None);
                self.note(profile, Kind::Info, "Sign-in cancelled");
                return Err(crate::err(
                    crate::Code::SignInTimeout,
                    "the sign-in in the browser was cancelled",
                ));
            }
        };
        let parsed = saml::parse_response(handed.captured.response.expose().as_bytes())
            .and_then(|a| a.check_addressed_to(&sign.acs).map(|()| a));
        let assertion = match parsed {
            Ok(a) => a,
            Err(e) => {
                handed
                    .answer(Outcome::Failed {
                        message: e.message.clone(),
                    })
                    .await;
                return Err(self.failed(profile, e));
            }
        };
        self.slot(profile, |s| {
            s.assertion = Some(assertion.clone());
            s.acs = sign.acs.clone();
        });
        let next = self
            .sign_in_with(
                profile,
                &assertion,
                session::LoginOptions {
                    role: role_arn.as_deref(),
                    trust_new: false,
                    acs: &sign.acs,
                },
            )
            .await;
        handed
            .answer(self.browser_outcome(profile, &next, quiet))
            .await;
        next
    }

    /// The line the browser shows once the sign-in went on in Dockpass.
    fn browser_outcome(&self, profile: &str, next: &Result<Next>, quiet: bool) -> Outcome {
        match next {
            Ok(Next::Done) => {
                let session = self.profile_state(profile).ok().and_then(|ps| ps.session);
                let message = match session {
                    Some(s) => format!(
                        "Signed in to profile {profile} as {} @ {} until {}.",
                        s.role_arn.rsplit('/').next().unwrap_or(&s.role_arn),
                        s.account,
                        crate::base::clock::rfc3339(s.expires_at)
                    ),
                    None => format!("Signed in to profile {profile}."),
                };
                Outcome::SignedIn {
                    message,
                    close: quiet,
                }
            }
            Ok(Next::PickRole) => Outcome::Taken {
                message: "Choose the role in Dockpass's window.".into(),
            },
            Ok(Next::ConfirmTrust) => Outcome::Taken {
                message: "Confirm the new account or issuer in Dockpass's window.".into(),
            },
            Ok(Next::SignIn { .. }) => Outcome::Taken {
                message: "Dockpass continues the sign-in.".into(),
            },
            Err(e) => Outcome::Failed {
                message: e.message.clone(),
            },
        }
    }
}
