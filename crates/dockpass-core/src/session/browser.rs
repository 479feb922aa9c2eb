//! Signing in through the user's own browser (`login = "browser"` or `"loopback"`): the
//! attempt that waits for the IdP's response ([`crate::idp::handover`]), then the same
//! sign-in as with the login window, and the line the browser shows afterwards.

use crate::config::{LoginMode, Profile};
use crate::idp::capture::Policy;
use crate::idp::handover::{Attempt, Handed};
use crate::session::{Context, LoginOptions, LoginReport};
use crate::{err, Code, Result};
use dockpass_helper::signin::Outcome;

/// A browser sign-in that waits.
#[derive(Debug)]
pub struct BrowserSignIn {
    pub attempt: Attempt,
    /// What to open in the browser.
    pub idp_url: String,
    /// The loopback ACS URLs (loopback mode): the assertion may be addressed to one of them.
    pub acs: Vec<String>,
}

/// Opens the attempt of `profile` for `mode` (browser or loopback). Must run inside a tokio
/// runtime.
pub async fn begin(profile: &Profile, mode: LoginMode) -> Result<BrowserSignIn> {
    let Some(idp_url) = profile.idp_url.clone() else {
        return Err(err(
            Code::Usage,
            format!(
                "profile {} takes credentials from aws_profile, not an IdP sign-in",
                profile.name
            ),
        ));
    };
    let policy = Policy::new(&idp_url, &profile.idp_origins)?;
    let (attempt, acs) = match mode {
        LoginMode::Browser => (crate::idp::extension::open(policy)?, Vec::new()),
        LoginMode::Loopback => {
            let port = profile.loopback_port();
            let a = crate::idp::loopback::open(policy, port).await?;
            (a, crate::idp::loopback::acs_urls(port))
        }
        LoginMode::Window => {
            return Err(err(
                Code::Usage,
                format!(
                    "profile {} signs in in Dockpass's login window; use the tray app, --browser, or --saml-response-file",
                    profile.name
                ),
            ))
        }
    };
    Ok(BrowserSignIn {
        attempt,
        idp_url,
        acs,
    })
}

/// Signs in with what the browser handed over, and tells the browser how it went (`quiet`:
/// a renewal nobody needs to see, so its tab closes itself).
pub async fn finish<A: crate::aws::sts::Sts + crate::aws::ecr::Ecr + crate::aws::iam::Iam>(
    ctx: &Context,
    aws: &A,
    profile: &Profile,
    sign: &BrowserSignIn,
    handed: Handed,
    opts: LoginOptions<'_>,
    quiet: bool,
) -> Result<LoginReport> {
    let result = match crate::saml::parse_response(handed.captured.response.expose().as_bytes()) {
        Ok(assertion) => {
            let opts = LoginOptions {
                acs: &sign.acs,
                ..opts
            };
            crate::session::login(ctx, aws, profile, &assertion, opts).await
        }
        Err(e) => Err(e),
    };
    handed.answer(outcome_of(&result, quiet)).await;
    result
}

/// The line the browser shows for a finished sign-in.
pub fn outcome_of(result: &Result<LoginReport>, quiet: bool) -> Outcome {
    match result {
        Ok(r) => Outcome::SignedIn {
            message: format!(
                "Signed in to profile {} as {} @ {} until {}.",
                r.profile,
                r.role_arn.rsplit('/').next().unwrap_or(&r.role_arn),
                r.account,
                crate::base::clock::rfc3339(r.expires_at)
            ),
            close: quiet,
        },
        Err(e) => Outcome::Failed {
            message: e.message.clone(),
        },
    }
}
