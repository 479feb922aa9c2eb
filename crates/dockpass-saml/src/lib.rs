//! SAML responses: decode what the user or the login window captured, parse it safely, and
//! keep the base64 STS needs as a secret.
//!
//! `parse_response` accepts the base64 SAMLResponse (whitespace, URL-encoding and a
//! `SAMLResponse=` form body tolerated), the decoded XML, or the IdP's HTML form page. It
//! does not check signatures (AWS does) nor expiry (callers do, with their clock).

#![forbid(unsafe_code)]

pub mod acs;
mod decode;
mod parse;
pub mod role;
#[cfg(test)]
mod tests;

use crate::role::Role;
use dockpass_common::error;
use dockpass_common::SecretString;
use error::{err, Code, Result};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Size cap on the raw input, checked before any decoding. Real responses are < 100 KB;
/// an IdP's form page around one is rarely more than a few hundred KB.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// The attribute holding `role ARN,provider ARN` pairs.
pub const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
/// The attribute AWS uses as the session name.
pub const ROLE_SESSION_NAME_ATTRIBUTE: &str =
    "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
/// The attribute bounding the session length, in seconds (AWS accepts 900..=43200).
pub const SESSION_DURATION_ATTRIBUTE: &str =
    "https://aws.amazon.com/SAML/Attributes/SessionDuration";

/// What Dockpass reads from a SAML response. Debug never shows the response itself.
#[derive(Clone, Debug)]
pub struct Assertion {
    /// Response Issuer, else the Assertion's.
    pub issuer: Option<String>,
    /// Subject NameID.
    pub subject: Option<String>,
    /// First value of the RoleSessionName attribute.
    pub role_session_name: Option<String>,
    /// SessionDuration attribute in seconds, as sent when it is an integer (not clamped:
    /// callers clamp to 900..=43200); a non-integer value is ignored (None), so STS applies
    /// its default rather than Dockpass guessing.
    pub session_duration: Option<u64>,
    /// The earlier of SubjectConfirmationData@NotOnOrAfter of the bearer confirmation (what
    /// AWS enforces) and Conditions@NotOnOrAfter (the assertion's own validity). UTC.
    pub not_on_or_after: Option<OffsetDateTime>,
    /// SubjectConfirmationData@Recipient.
    pub recipient: Option<String>,
    /// Response@Destination.
    pub destination: Option<String>,
    /// Valid role,provider pairs, de-duplicated, in document order; never empty.
    pub roles: Vec<Role>,
    /// The SAMLResponse as STS wants it: standard base64 of the XML, no whitespace. Secret.
    pub response_b64: SecretString,
}

/// Decode and parse. Does NOT check expiry (callers do, with their clock).
///
/// Errors: SamlTooLarge (over [`MAX_INPUT_BYTES`], before decoding), SamlInvalid (garbage,
/// truncated, not a SAML 2.0 Response, non-success status), SamlUnsafe (DTD, entity
/// declarations, absurd nesting, attribute or namespace counts), SamlEncrypted, SamlNoRoles.
pub fn parse_response(input: &[u8]) -> Result<Assertion> {
    let decoded = decode::decode(input)?;
    let p = parse::parse_xml(&decoded.xml)?;
    Ok(Assertion {
        issuer: p.issuer,
        subject: p.subject,
        role_session_name: p.role_session_name,
        session_duration: p.session_duration,
        not_on_or_after: p.not_on_or_after,
        recipient: p.recipient,
        destination: p.destination,
        roles: p.roles,
        response_b64: SecretString::new(decoded.b64.as_str()),
    })
}

impl Assertion {
    /// Code::SamlExpired if now >= not_on_or_after. An assertion without NotOnOrAfter
    /// passes: AWS then decides.
    pub fn check_not_expired(&self, now: OffsetDateTime) -> Result<()> {
        match self.not_on_or_after {
            Some(t) if now >= t => Err(err(
                Code::SamlExpired,
                format!(
                    "the SAML assertion expired at {} ({} ago): sign in again to get a fresh one",
                    rfc3339_utc(t),
                    ago(now - t)
                ),
            )),
            _ => Ok(()),
        }
    }

    /// An assertion addressed (Destination, bearer Recipient) to anything but AWS sign-in was
    /// issued for another service: Dockpass does not spend it on AWS. Absent values pass.
    pub fn check_addressed_to_aws(&self) -> Result<()> {
        self.check_addressed_to(&[])
    }

    /// [`Self::check_addressed_to_aws`], also accepting `extra`: the loopback ACS URLs a
    /// profile in loopback mode listens on, which the IdP's AWS app lists beside AWS's.
    pub fn check_addressed_to(&self, extra: &[String]) -> Result<()> {
        let same = |t: &str, e: &str| {
            t.trim_end_matches('/')
                .eq_ignore_ascii_case(e.trim_end_matches('/'))
        };
        for (what, to) in [
            ("Destination", &self.destination),
            ("Recipient", &self.recipient),
        ] {
            if let Some(to) = to
                .as_deref()
                .filter(|t| !acs::is_aws_acs(t) && !extra.iter().any(|e| same(t, e)))
            {
                return Err(err(
                    Code::SamlInvalid,
                    format!(
                        "the SAML response's {what} is {}, not AWS sign-in: it was issued for another service; sign in through your IdP's AWS app",
                        parse::short(to, 100)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The `dockpass saml inspect --json` shape (docs/ARCHITECTURE.md, "CLI"); absent values are null.
    /// Extra keys: `recipient`, and `path` on each role.
    pub fn inspect_json(&self) -> serde_json::Value {
        let roles: Vec<serde_json::Value> = self
            .roles
            .iter()
            .map(|r| {
                json!({
                    "role_arn": r.role_arn,
                    "principal_arn": r.principal_arn,
                    "account": r.account,
                    "name": r.name,
                    "partition": r.partition,
                    "path": r.path,
                })
            })
            .collect();
        json!({
            "issuer": self.issuer,
            "subject": self.subject,
            "role_session_name": self.role_session_name,
            "session_duration": self.session_duration,
            "not_on_or_after": self.not_on_or_after.map(rfc3339_utc),
            "destination": self.destination,
            "recipient": self.recipient,
            "roles": roles,
        })
    }
}

/// RFC 3339 in UTC with `Z`, fractional seconds only when present.
fn rfc3339_utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// "42 s", "5 min", "3 h", "12 days": enough to tell a stale file from clock skew.
fn ago(d: time::Duration) -> String {
    let s = d.whole_seconds().max(0);
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s / 60),
        7200..=172_799 => format!("{} h", s / 3600),
        _ => format!("{} days", s / 86_400),
    }
}
