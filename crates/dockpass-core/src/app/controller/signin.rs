//! Signing in: the login window's attempt and its navigation rule, the captured assertion,
//! the role picker, the trust question and role switches; `aws_profile` and IAM Identity
//! Center profiles need no window.

use super::{AwsProvider, Controller};
use crate::app::activity::Kind;
use crate::app::wire::{Event, Phase};
use crate::config::Source;
use crate::idp::capture::{self, Captured};
use crate::saml::{self, Assertion};
use crate::session;
use crate::{err, Code, Result};
use std::path::PathBuf;

/// One sign-in attempt in a login window: what to open and how to recognise its capture.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub profile: String,
    pub idp_url: String,
    /// Per-profile webview data directory, so IdP cookies allow silent re-login.
    pub data_dir: PathBuf,
    pub nonce: String,
    /// The pages that may hand over the assertion (the profile's IdP origins).
    pub policy: capture::Policy,
    /// The role to use once the assertion arrives (role switch), else chosen as usual.
    pub role_arn: Option<String>,
    /// A background renewal in a hidden window: the user did not ask, so the UI hears
    /// nothing of it (no "waiting for the IdP", no "cancelled"); the scheduler notifies.
    pub background: bool,
}

/// What the login window must do with a navigation.
#[derive(Debug)]
pub enum Navigation {
    Allow,
    /// With the line the window shows, when the user should know why.
    Refuse(Option<String>),
    /// The assertion of the live attempt, and the role that attempt was for.
    Captured(Captured, Option<String>),
    /// The page needs the user's browser: run this script in it (the offer).
    OfferBrowser {
        script: String,
    },
    /// The user chose the browser: close the window and call
    /// [`Controller::continue_in_browser`].
    ContinueInBrowser {
        always: bool,
    },
}

/// What the front end must do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Nothing: the session is written.
    Done,
    /// The role picker is showing.
    PickRole,
    /// The user is asked to confirm a new issuer or account (the main window shows it).
    ConfirmTrust,
    /// A (silent) sign-in at the IdP is needed first; then use this role.
    SignIn { role_arn: Option<String> },
}

/// A sign-in held back until the user confirms what is new about it.
pub(super) struct Untrusted {
    pub(super) assertion: Assertion,
    pub(super) role: Option<String>,
    pub(super) question: crate::idp::trust::Question,
}

impl<P: AwsProvider> Controller<P> {
    pub fn begin_login(&self, profile: &str, role_arn: Option<String>) -> Result<Attempt> {
        self.begin(profile, role_arn, false)
    }

    /// Starts a background renewal (silent re-login in a hidden window): like `begin_login`,
    /// without progress events.
    pub fn begin_renewal(&self, profile: &str, role_arn: Option<String>) -> Result<Attempt> {
        self.begin(profile, role_arn, true)
    }

    fn begin(&self, profile: &str, role_arn: Option<String>, background: bool) -> Result<Attempt> {
        let p = self.profile(profile)?;
        let Some(idp_url) = p.idp_url.clone() else {
            return Err(err(
                Code::Usage,
                format!("profile {profile} takes credentials from aws_profile, not an IdP sign-in"),
            ));
        };
        let attempt = Attempt {
            policy: capture::Policy::new(&idp_url, &p.idp_origins)?,
            profile: profile.to_string(),
            idp_url,
            data_dir: crate::base::paths::data_dir()?
                .join("webview")
                .join(profile),
            nonce: capture::new_nonce()?,
            role_arn,
            background,
        };
        self.slot(profile, |s| s.attempt = Some(attempt.clone()));
        if !background {
            self.progress(profile, Phase::WaitingForIdp, None);
        }
        Ok(attempt)
    }

    /// The login window, showing `page`, saw `url` about to load: let it, refuse it, or take
    /// it as the captured assertion of the live attempt (which ends the attempt).
    pub fn check_navigation(&self, profile: &str, url: &str, page: Option<&str>) -> Navigation {
        let _profile = tracing::info_span!("login", profile).entered();
        let decided = self.slot(profile, |s| {
            let attempt = s.attempt.as_ref()?;
            let nonce = attempt.nonce.clone();
            let decision = capture::decide(url, &nonce, page, &attempt.policy);
            let role_arn = match decision {
                // The capture ends the attempt.
                capture::Decision::Captured(_) => s.attempt.take().and_then(|a| a.role_arn),
                _ => None,
            };
            Some((decision, role_arn, nonce))
        });
        let Some((decision, role_arn, nonce)) = decided else {
            // No attempt: nothing may be handed over, AWS sign-in stays refused.
            return match capture::is_aws_acs(url) || capture::is_sentinel(url) {
                true => Navigation::Refuse(None),
                false => Navigation::Allow,
            };
        };
        match decision {
            capture::Decision::Captured(c) => Navigation::Captured(c, role_arn),
            capture::Decision::Refuse(why) => {
                if let Some(w) = &why {
                    self.note(profile, Kind::Error, w.clone());
                }
                Navigation::Refuse(why)
            }
            capture::Decision::Allow => Navigation::Allow,
            capture::Decision::OfferBrowser(why) => {
                tracing::info!(profile, ?why, "the login window offers the browser");
                Navigation::OfferBrowser {
                    script: crate::idp::embedded::offer_script(&nonce, why),
                }
            }
            capture::Decision::ContinueInBrowser { always } => {
                Navigation::ContinueInBrowser { always }
            }
        }
    }

    /// The user asked to sign in while a background renewal's hidden window was open; the
    /// front end shows that window: the attempt is theirs now (progress, "cancelled").
    pub fn adopt_attempt(&self, profile: &str) {
        let adopted = self.slot(profile, |s| {
            s.attempt
                .as_mut()
                .is_some_and(|a| std::mem::replace(&mut a.background, false))
        });
        if adopted {
            self.progress(profile, Phase::WaitingForIdp, None);
        }
    }

    /// The login window closed. Without a capture that cancels the attempt; the previous
    /// session stays as it was.
    pub fn end_attempt(&self, profile: &str, captured: bool) {
        let ended = self.slot(profile, |s| s.attempt.take());
        match ended {
            Some(a) if !captured && a.background => {
                tracing::info!(profile, "silent sign-in closed without an assertion");
            }
            Some(_) if !captured => {
                self.progress(profile, Phase::Cancelled, None);
                self.note(profile, Kind::Info, "Sign-in cancelled");
            }
            _ => {}
        }
    }

    /// The assertion arrived: remember it (memory only), then sign in with the attempt's
    /// role, the profile's or the last one; ask the user when several remain.
    pub async fn captured(
        &self,
        profile: &str,
        captured: Captured,
        role_arn: Option<String>,
    ) -> Result<Next> {
        let parsed = saml::parse_response(captured.response.expose().as_bytes())
            .and_then(|a| a.check_addressed_to_aws().map(|()| a));
        let assertion = match parsed {
            Ok(a) => a,
            Err(e) => return Err(self.failed(profile, e)),
        };
        self.slot(profile, |s| {
            s.assertion = Some(assertion.clone());
            s.acs = Vec::new();
        });
        self.sign_in(profile, &assertion, role_arn.as_deref()).await
    }

    async fn sign_in(
        &self,
        profile: &str,
        assertion: &Assertion,
        role: Option<&str>,
    ) -> Result<Next> {
        let acs = self.slot(profile, |s| s.acs.clone());
        self.sign_in_with(
            profile,
            assertion,
            session::LoginOptions {
                role,
                trust_new: false,
                acs: &acs,
            },
        )
        .await
    }

    pub(super) async fn sign_in_with(
        &self,
        profile: &str,
        assertion: &Assertion,
        opts: session::LoginOptions<'_>,
    ) -> Result<Next> {
        let ctx = self.context();
        let p = self.profile(profile)?;
        let plan = match session::plan_login(&ctx, &p, assertion, opts) {
            Ok(session::Plan {
                question: Some(question),
                ..
            }) => {
                tracing::warn!(
                    profile,
                    issuer = question.issuer.as_deref().unwrap_or(""),
                    account = question.account,
                    "a sign-in waits for the user's confirmation"
                );
                let held = Untrusted {
                    assertion: assertion.clone(),
                    role: opts.role.map(str::to_string),
                    question: question.clone(),
                };
                self.slot(profile, |s| s.untrusted = Some(held));
                self.sink.emit(Event::TrustPrompt(question));
                return Ok(Next::ConfirmTrust);
            }
            Ok(plan) => plan,
            Err(e) if e.code == Code::RoleNotChosen => {
                let current = self
                    .profile_state(profile)
                    .ok()
                    .and_then(|ps| ps.role)
                    .map(|r| r.role_arn);
                let picker = self.role_picker(profile, assertion.roles.clone(), current);
                self.slot(profile, |s| s.picker = Some(picker.clone()));
                self.sink.emit(Event::RolePicker(picker));
                return Ok(Next::PickRole);
            }
            Err(e) => return Err(self.failed(profile, e)),
        };
        self.progress(profile, Phase::AssumingRole, None);
        let aws = self.aws.client(&p).await;
        let switched = plan
            .previous_role()
            .is_some_and(|was| was != plan.role.role_arn)
            .then(|| plan.role.label());
        match session::login_planned(&ctx, aws.as_ref(), &p, assertion, plan).await {
            Ok(report) => {
                self.signed_in(profile, &report, false);
                if let Some(label) = switched {
                    self.note(profile, Kind::Switch, format!("Switched role to {label}"));
                }
                Ok(Next::Done)
            }
            Err(e) => Err(self.failed(profile, e)),
        }
    }

    /// The user confirmed the new issuer or account of the held sign-in: sign in with it.
    pub async fn confirm_trust(&self, profile: &str) -> Result<Next> {
        let held = self.slot(profile, |s| s.untrusted.take());
        self.sink.emit(Event::TrustPromptClosed {
            profile: profile.to_string(),
        });
        let Some(held) = held else {
            return Err(err(
                Code::Usage,
                format!("no sign-in of profile {profile} waits for a confirmation"),
            ));
        };
        let q = &held.question;
        self.note(
            profile,
            Kind::Info,
            format!(
                "Trusted {}",
                match (q.new_issuer, q.new_account) {
                    (true, true) => format!(
                        "issuer {} and account {}",
                        q.issuer.as_deref().unwrap_or("(none)"),
                        q.account
                    ),
                    (true, false) => format!("issuer {}", q.issuer.as_deref().unwrap_or("(none)")),
                    _ => format!("account {}", q.account),
                }
            ),
        );
        let acs = self.slot(profile, |s| s.acs.clone());
        self.sign_in_with(
            profile,
            &held.assertion,
            session::LoginOptions {
                role: held.role.as_deref(),
                trust_new: true,
                acs: &acs,
            },
        )
        .await
    }

    /// The user refused the held sign-in: nothing is used, the assertion is forgotten.
    pub fn reject_trust(&self, profile: &str) {
        let held = self.slot(profile, |s| {
            let held = s.untrusted.take();
            if held.is_some() {
                s.assertion = None;
            }
            held
        });
        self.sink.emit(Event::TrustPromptClosed {
            profile: profile.to_string(),
        });
        if let Some(held) = held {
            self.progress(profile, Phase::Cancelled, None);
            let q = held.question;
            self.note(
                profile,
                Kind::Error,
                format!(
                    "Did not sign in: you did not trust {}",
                    if q.new_issuer {
                        format!("issuer {}", q.issuer.as_deref().unwrap_or("(none)"))
                    } else {
                        format!("account {}", q.account)
                    }
                ),
            );
        }
    }

    /// Whether `profile` signs in without a login window: an AWS shared-config profile
    /// (resolved directly) or IAM Identity Center (its cached sign-in, else the user's browser).
    pub fn signs_in_directly(&self, profile: &str) -> bool {
        self.profile(profile).is_ok_and(|p| !p.signs_in_at_idp())
    }

    /// Signs in a profile that needs no login window. A `background` renewal sends no progress
    /// to the UI (the user did not ask) and never opens a browser: an Identity Center profile
    /// then renews from its cached sign-in or not at all (the scheduler notifies).
    pub async fn sign_in_directly(&self, profile: &str, background: bool) -> Result<()> {
        match self.sign_in_direct(profile, None, background).await? {
            Next::PickRole => Err(err(
                Code::RoleNotChosen,
                format!("profile {profile} offers several roles; pick one in Dockpass's window or set its role"),
            )),
            _ => Ok(()),
        }
    }

    /// [`Controller::sign_in_directly`] with a role (the picker's, a switch). An Identity
    /// Center sign-in with several roles and none chosen shows the picker with the portal's
    /// roles (`Next::PickRole`).
    pub async fn sign_in_direct(
        &self,
        profile: &str,
        role: Option<String>,
        background: bool,
    ) -> Result<Next> {
        let ctx = self.context();
        let p = self.profile(profile)?;
        if !background {
            self.progress(profile, Phase::AssumingRole, None);
        }
        let aws = self.aws.client(&p).await;
        let result = match p.source() {
            Source::IdentityCenter => {
                use session::identity_center::{Interaction, Options};
                let open = |url: &str| {
                    // A browser that does not start leaves the link to open by hand; the
                    // attempt waits on either way.
                    let line = match crate::platform::desktop::open_url(url) {
                        Ok(()) => "Sign in to IAM Identity Center in your browser".to_string(),
                        Err(_) => format!("No browser started: open {url} to sign in"),
                    };
                    self.progress(profile, Phase::WaitingForIdp, Some(line));
                    Ok(())
                };
                let interaction = match background {
                    true => Interaction::Never,
                    false => Interaction::Browser {
                        open: &open,
                        until: ctx.clock.now() + crate::idp::handover::ATTEMPT_TIME,
                    },
                };
                let opts = Options {
                    role: role.as_deref(),
                    interaction,
                };
                session::identity_center::login(&ctx, aws.as_ref(), &p, opts).await
            }
            _ => session::login_aws_profile(&ctx, aws.as_ref(), &p).await,
        };
        match result {
            Ok(report) => {
                self.signed_in(profile, &report, background);
                Ok(Next::Done)
            }
            Err(e) if background => {
                self.note(
                    profile,
                    Kind::Error,
                    format!("Renewal failed: {}", e.message),
                );
                Err(e)
            }
            // Several roles and none chosen: the picker, with the roles the portal listed.
            Err(e) if e.code == Code::RoleNotChosen && self.has_roles(profile) => {
                self.progress(profile, Phase::Cancelled, None);
                self.show_switch_picker(profile)
            }
            Err(e) => Err(self.failed(profile, e)),
        }
    }

    fn signed_in(&self, profile: &str, report: &session::LoginReport, background: bool) {
        // A missing keychain is shown once, as an overview warning, not per sign-in.
        for w in report
            .warnings
            .iter()
            .filter(|w| !w.starts_with("keychain unavailable"))
        {
            self.note(profile, Kind::Info, w.clone());
        }
        let name = report
            .role_arn
            .rsplit('/')
            .next()
            .unwrap_or(&report.role_arn);
        let mut hosts: Vec<&str> = report.registries.iter().map(|r| r.host.as_str()).collect();
        hosts.dedup();
        self.note(
            profile,
            Kind::Login,
            format!(
                "Signed in as {name} @ {}; docker credentials for {}",
                report.account,
                hosts.join(", ")
            ),
        );
        self.slot(profile, |s| s.repos = None);
        if !background {
            self.progress(profile, Phase::Done, None);
        }
        self.publish_status(profile);
        self.session_renewed(profile);
    }

    /// The repository browser's list: cached for the session, fetched again on `refresh`.
    pub async fn pick_role(&self, profile: &str, role_arn: &str) -> Result<Next> {
        self.slot(profile, |s| s.picker = None);
        self.sink.emit(Event::RolePickerClosed {
            profile: profile.to_string(),
        });
        let now = self.context().clock.now();
        let reusable = self.slot(profile, |s| {
            s.assertion
                .as_ref()
                .filter(|a| a.check_not_expired(now).is_ok())
                .cloned()
        });
        match reusable {
            Some(a) => self.sign_in(profile, &a, Some(role_arn)).await,
            None => Ok(Next::SignIn {
                role_arn: Some(role_arn.to_string()),
            }),
        }
    }

    pub fn cancel_pick(&self, profile: &str) {
        if self.slot(profile, |s| s.picker.take()).is_some() {
            self.progress(profile, Phase::Cancelled, None);
        }
        self.sink.emit(Event::RolePickerClosed {
            profile: profile.to_string(),
        });
    }

    fn has_roles(&self, profile: &str) -> bool {
        self.roles(profile)
            .is_ok_and(|(roles, _)| !roles.is_empty())
    }

    /// Shows the picker with the roles of the last sign-in (for "Switch role").
    pub fn show_switch_picker(&self, profile: &str) -> Result<Next> {
        let (roles, current) = self.roles(profile)?;
        if roles.is_empty() {
            return Ok(Next::SignIn { role_arn: None });
        }
        self.sink
            .emit(Event::RolePicker(self.role_picker(profile, roles, current)));
        Ok(Next::PickRole)
    }
}
