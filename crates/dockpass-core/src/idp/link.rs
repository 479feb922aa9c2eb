//! The link a user pastes into the setup: which identity provider it belongs to, what is wrong
//! with it (AWS sign-in instead of the IdP, a portal instead of the AWS app, http://) and a
//! profile name to propose. The setup asks this through the backend, so the URL rules
//! (`config::check_url`, AWS sign-in's hosts) exist once.

use dockpass_saml::acs::AWS_SIGNIN_HOSTS;
use serde::Serialize;
use url::Url;

/// Identity providers whose AWS app links the setup knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum IdpKind {
    Okta,
    Entra,
    Adfs,
    Google,
    Keycloak,
    Ping,
    Onelogin,
    Jumpcloud,
}

/// How bad a link's problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The login window could never capture a sign-in from it (or the config would refuse it).
    Error,
    /// Works, but probably not what the user meant.
    Warning,
}

/// What is wrong with a pasted link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LinkProblem {
    pub severity: Severity,
    /// One line: what is wrong and what to do.
    pub message: String,
    /// A corrected URL to offer (https:// added or put instead of http://).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub fix: Option<String>,
}

/// An IAM Identity Center access portal link: the profile signs in there instead of at a
/// SAML IdP's AWS app (docs/identity-center.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct PortalLink {
    /// The portal URL as the config keeps it (`sso_start_url`).
    pub start_url: String,
    /// The Identity Center region when the URL names it (`sso_region`).
    pub region: Option<String>,
    /// `aws`, `aws-us-gov` or `aws-cn`: which regions can be its region.
    pub partition: String,
}

/// Everything the setup shows about a pasted link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LinkCheck {
    pub idp: Option<IdpKind>,
    /// Set when the link is an IAM Identity Center access portal (then `idp` is none).
    pub portal: Option<PortalLink>,
    /// The most important problem; none when the link looks right.
    pub problem: Option<LinkProblem>,
    /// A profile name from the link (the org, the realm, the company's domain), else "default".
    pub suggested_name: String,
}

/// Checks what the user pasted.
pub fn check_link(input: &str) -> LinkCheck {
    if let Ok(p) = crate::portal::parse(input) {
        return LinkCheck {
            idp: None,
            suggested_name: suggest_name(input),
            portal: Some(PortalLink {
                start_url: p.start_url,
                region: p.region,
                partition: p.partition.to_string(),
            }),
            problem: None,
        };
    }
    LinkCheck {
        portal: None,
        idp: recognize(input),
        problem: problem(input),
        suggested_name: suggest_name(input),
    }
}

const AWS_CONSOLE_HOSTS: [&str; 3] = [
    "console.aws.amazon.com",
    "console.amazonaws-us-gov.com",
    "console.amazonaws.cn",
];

/// An absolute URL with a host, as typed (after trimming); `None` otherwise.
fn parse(input: &str) -> Option<Url> {
    let t = input.trim();
    let scheme_end = t.find("://")?;
    let scheme = &t[..scheme_end];
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    if !scheme_ok {
        return None;
    }
    Url::parse(t)
        .ok()
        .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()))
}

/// The URL, or the URL with `https://` put in front of what was typed.
fn parse_lenient(input: &str) -> Option<Url> {
    parse(input).or_else(|| parse(&format!("https://{}", input.trim())))
}

fn host_of(u: &Url) -> String {
    u.host_str()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

fn host_is(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

fn host_in(host: &str, domains: &[&str]) -> bool {
    domains.iter().any(|d| host_is(host, d))
}

/// The identity provider of a login link, from its host or its path; `None` when unknown.
pub fn recognize(input: &str) -> Option<IdpKind> {
    let u = parse_lenient(input)?;
    let host = host_of(&u);
    let path = u.path().to_ascii_lowercase();
    let okta = [
        "okta.com",
        "oktapreview.com",
        "okta-emea.com",
        "okta-gov.com",
        "okta.mil",
    ];
    let entra = [
        "myapps.microsoft.com",
        "login.microsoftonline.com",
        "account.activedirectory.windowsazure.com",
        "myapplications.microsoft.com",
    ];
    let ping = [
        "pingidentity.com",
        "pingone.com",
        "pingone.eu",
        "pingone.asia",
        "pingone.ca",
        "pingone.com.au",
    ];
    if host_in(&host, &okta) || path.starts_with("/home/amazon_aws/") {
        return Some(IdpKind::Okta);
    }
    if host_in(&host, &entra) {
        return Some(IdpKind::Entra);
    }
    if host == "accounts.google.com" || host == "admin.google.com" {
        return Some(IdpKind::Google);
    }
    if host_in(&host, &ping) || path.starts_with("/idp/startsso.ping") || path.ends_with(".ping") {
        return Some(IdpKind::Ping);
    }
    if host_is(&host, "onelogin.com") {
        return Some(IdpKind::Onelogin);
    }
    if host_is(&host, "jumpcloud.com") {
        return Some(IdpKind::Jumpcloud);
    }
    if path.starts_with("/adfs/") {
        return Some(IdpKind::Adfs);
    }
    let realm = path.strip_prefix("/auth").unwrap_or(&path);
    if realm
        .strip_prefix("/realms/")
        .and_then(|r| r.split_once('/'))
        .is_some_and(|(name, rest)| !name.is_empty() && rest.starts_with("protocol/saml"))
    {
        return Some(IdpKind::Keycloak);
    }
    None
}

fn error(message: impl Into<String>, fix: Option<String>) -> Option<LinkProblem> {
    Some(LinkProblem {
        severity: Severity::Error,
        message: message.into(),
        fix,
    })
}

fn warning(message: impl Into<String>) -> Option<LinkProblem> {
    Some(LinkProblem {
        severity: Severity::Warning,
        message: message.into(),
        fix: None,
    })
}

/// What is wrong with a link, most important first; errors make it unusable.
pub fn problem(input: &str) -> Option<LinkProblem> {
    let t = input.trim();
    if t.is_empty() {
        return error("Paste your identity provider's link to the AWS app.", None);
    }
    if t.chars().any(char::is_whitespace) {
        return error("The URL has spaces in it: paste the link alone.", None);
    }
    let Some(u) = parse(t) else {
        let has_scheme = t.split_once(':').is_some_and(|(s, _)| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
                && s.starts_with(|c: char| c.is_ascii_alphabetic())
        });
        let fixed = parse(&format!("https://{}", t.trim_start_matches('/')));
        return match fixed {
            Some(f) if host_of(&f).contains('.') && !has_scheme => error(
                "Not a full URL: add https:// in front.",
                Some(f.to_string()),
            ),
            _ => error(
                "Not a URL: paste the full link, starting with https://.",
                None,
            ),
        };
    };
    let scheme = u.scheme();
    if scheme != "https" && scheme != "http" {
        return error(
            format!("A {scheme} link cannot open in the login window: use the https:// link."),
            None,
        );
    }
    let host = host_of(&u);
    if host_in(&host, &AWS_SIGNIN_HOSTS) {
        return error("This is AWS sign-in (where your IdP sends you), not your IdP: use the AWS app's link from your IdP.", None);
    }
    if host_in(&host, &AWS_CONSOLE_HOSTS) {
        return error(
            "This is the AWS console, not your IdP: use the AWS app's link from your IdP.",
            None,
        );
    }
    if host_is(&host, "awsapps.com") || host_is(&host, "awsapps.cn") {
        // A portal link check_link did not take: the path or the scheme is off.
        let why = crate::portal::parse(input).err().unwrap_or_default();
        return warning(format!(
            "This looks like an IAM Identity Center access portal, but {why}"
        ));
    }
    if scheme == "http" {
        // The config refuses http:// anywhere but this machine (config::check_url).
        if crate::config::check_url(t).is_ok() {
            return warning("Not https: fine for a local test IdP, never for your company's.");
        }
        let mut https = u.clone();
        let fix = https.set_scheme("https").ok().map(|()| https.to_string());
        return error(
            "Not https: your password would travel unencrypted; use the https:// link.",
            fix,
        );
    }
    recognize(t).and_then(|id| portal_problem(id, &u))
}

/// A recognised IdP's portal or home page instead of its AWS app: what to copy instead.
fn portal_problem(id: IdpKind, u: &Url) -> Option<LinkProblem> {
    let path = u.path().to_ascii_lowercase();
    let query = u.query().unwrap_or_default().to_ascii_lowercase();
    let starts = |p: &[&str]| p.iter().any(|x| path.starts_with(x));
    match id {
        IdpKind::Okta if !starts(&["/home/", "/app/", "/sso/"]) => warning(
            "This is the Okta dashboard, not its AWS app: copy the AWS tile's link (…/home/amazon_aws/APPID/272).",
        ),
        IdpKind::Entra if host_of(u) == "login.microsoftonline.com" => warning(
            "This is the tenant's SAML endpoint, which shows an error page when opened: use the AWS app's User access URL.",
        ),
        IdpKind::Entra if !path.contains("/signin/") && !path.contains("/api/signin") => warning(
            "This is the My Apps portal, not its AWS app: copy the AWS app's link (…/signin/APPID?tenantId=…).",
        ),
        IdpKind::Google if !path.starts_with("/o/saml2/initsso") => warning(
            "This is not the AWS app's link: copy it from the Google apps launcher (…/o/saml2/initsso?idpid=…&spid=…).",
        ),
        IdpKind::Google
            if query
                .split('&')
                .any(|kv| kv == "forceauthn=true") =>
        {
            warning("With forceauthn=true Google asks for your password at every renewal: use forceauthn=false.")
        }
        IdpKind::Adfs
            if path.contains("idpinitiatedsignon")
                && !query.contains("logintorp=")
                && !query.contains("relaystate=") =>
        {
            warning("Add ?loginToRp=urn:amazon:webservices so ADFS signs you in to AWS directly.")
        }
        _ => None,
    }
}

/// A profile name from a link: the Okta/OneLogin org, the Keycloak realm, the company's
/// domain; else "default". Always a valid profile name.
pub fn suggest_name(input: &str) -> String {
    let Some(u) = parse_lenient(input) else {
        return "default".into();
    };
    let host = host_of(&u);
    let labels: Vec<&str> = host.split('.').collect();
    if crate::portal::parse(input).is_ok() {
        // NAME.awsapps.com names the company; d-…, start.… and ssoins-… name nothing.
        let first = labels[0];
        let named = !(first.starts_with("d-") || first == "start" || first.starts_with("ssoins-"));
        let clean = clean_name(if named { first } else { "" });
        return if clean.is_empty() {
            "default".into()
        } else {
            clean
        };
    }
    let name = match recognize(input) {
        Some(IdpKind::Okta | IdpKind::Onelogin) => {
            let org = labels[0];
            if !["login", "sso", "www"].contains(&org) && labels.len() > 2 {
                org.strip_suffix("-admin").unwrap_or(org).to_string()
            } else {
                String::new()
            }
        }
        Some(IdpKind::Keycloak) => u
            .path()
            .split("/realms/")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .filter(|r| *r != "master")
            .unwrap_or_default()
            .to_string(),
        None | Some(IdpKind::Adfs) => company_label(&u, &host, &labels),
        Some(_) => String::new(),
    };
    let clean = clean_name(&name);
    if clean.is_empty() {
        "default".into()
    } else {
        clean
    }
}

/// The company's label of a host name (`sso.acme.co.uk` -> `acme`); empty on this machine
/// and for IP addresses.
fn company_label(u: &Url, host: &str, labels: &[&str]) -> String {
    let local = matches!(u.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)))
        || host == "localhost"
        || host.ends_with(".localhost");
    if local {
        return String::new();
    }
    const GENERIC: [&str; 12] = [
        "adfs", "sts", "sso", "login", "auth", "idp", "fs", "id", "www", "signin", "keycloak",
        "iam",
    ];
    let company: Vec<&str> = labels[..labels.len().saturating_sub(1)]
        .iter()
        .copied()
        .filter(|l| !GENERIC.contains(l))
        .collect();
    let mut name = company.last().copied().unwrap_or_default();
    // example.co.uk: skip the second-level label of a country domain
    if labels.len() >= 3
        && ["co", "com", "org", "net", "ac", "gov"].contains(&name)
        && company.len() >= 2
    {
        name = company[company.len() - 2];
    }
    name.to_string()
}

/// Letters, digits, `.`, `_`, `-`: runs of anything else become one `-`; no leading or
/// trailing `-` or `.`; at most 40 characters.
fn clean_name(s: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || "._-".contains(c) {
            if gap {
                out.push('-');
            }
            out.push(c);
            gap = false;
        } else {
            gap = true;
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.');
    trimmed.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_idp_by_host_or_path() {
        use IdpKind::*;
        for (i, (url, id)) in [
            ("https://acme.okta.com/home/amazon_aws/0oa1abcd/272", Okta),
            ("https://acme.oktapreview.com/home/amazon_aws/0oa1abcd/272", Okta),
            ("https://acme.okta-emea.com/home/amazon_aws/0oa1/272?fromHome=true", Okta),
            ("https://login.acme.example/home/amazon_aws/0oa1/272", Okta),
            ("https://launcher.myapps.microsoft.com/api/signin/8a2f?tenantId=72f9", Entra),
            ("https://myapps.microsoft.com/signin/8a2f?tenantId=72f9", Entra),
            ("https://login.microsoftonline.com/72f9/saml2", Entra),
            ("https://auth.pingone.com.au/env/saml20/idp/startsso?spEntityId=urn:amazon:webservices", Ping),
            ("https://acme.onelogin.com/launch/123456", Onelogin),
            ("https://sts.acme.example/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices", Adfs),
            ("https://accounts.google.com/o/saml2/initsso?idpid=C01&spid=123&forceauthn=false", Google),
            ("https://id.acme.example/realms/corp/protocol/saml/clients/amazon-aws", Keycloak),
            ("https://id.acme.example/auth/realms/corp/protocol/saml/clients/amazon-aws", Keycloak),
            ("https://sso.connect.pingidentity.com/sso/sp/initsso?saasid=1&idpid=2", Ping),
            ("https://auth.pingone.eu/abc/saml20/idp/startsso?spEntityId=urn:amazon:webservices", Ping),
            ("https://fed.acme.example/idp/startSSO.ping?PartnerSpId=urn:amazon:webservices", Ping),
            ("https://acme.onelogin.com/trust/saml2/http-post/sso/123456", Onelogin),
            ("https://sso.jumpcloud.com/saml2/aws", Jumpcloud),
            // the setup's examples, placeholders filled in
            ("https://acme.okta.com/home/amazon_aws/APPID/272", Okta),
            ("https://launcher.myapps.microsoft.com/api/signin/APPID?tenantId=TENANT", Entra),
            ("https://myapps.microsoft.com/signin/APPID?tenantId=TENANT", Entra),
            ("https://idp.acme.example/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices", Adfs),
            ("https://accounts.google.com/o/saml2/initsso?idpid=IDPID&spid=SPID&forceauthn=false", Google),
            ("https://idp.acme.example/realms/REALM/protocol/saml/clients/amazon-aws", Keycloak),
            ("https://auth.pingone.com/ENV/saml20/idp/startsso?spEntityId=urn:amazon:webservices", Ping),
            ("https://sso.connect.pingidentity.com/sso/sp/initsso?saasid=SAASID&idpid=IDPID", Ping),
            ("https://idp.acme.example/idp/startSSO.ping?PartnerSpId=urn:amazon:webservices", Ping),
            ("https://acme.onelogin.com/launch/APPID", Onelogin),
            ("https://acme.onelogin.com/trust/saml2/http-post/sso/APPID", Onelogin),
        ]
        .iter()
        .enumerate()
        {
            assert_eq!(recognize(url), Some(*id), "{url}");
            // the setup's examples are links the setup accepts as they are
            if i >= 18 {
                assert_eq!(problem(url), None, "{url}");
            }
        }
        assert_eq!(
            recognize("acme.okta.com/home/amazon_aws/0oa1/272"),
            Some(Okta)
        );
        assert_eq!(
            recognize("HTTPS://ACME.ONELOGIN.COM/trust/saml2/http-post/sso/1"),
            Some(Onelogin)
        );
    }

    #[test]
    fn does_not_guess() {
        for url in [
            "",
            "not a url",
            "https://idp.acme.example/aws",
            "http://127.0.0.1:7000/",
            "https://okta.com.evil.example/x",
            "https://notokta.com/x",
        ] {
            assert_eq!(recognize(url), None, "{url}");
        }
    }

    fn severity(url: &str) -> Option<Severity> {
        problem(url).map(|p| p.severity)
    }

    #[test]
    fn wants_a_url() {
        assert_eq!(
            problem("  https://acme.okta.com/home/amazon_aws/0oa1/272 "),
            None
        );
        assert_eq!(problem("https://idp.acme.example/aws"), None);
        assert_eq!(severity(""), Some(Severity::Error));
        assert_eq!(severity("   "), Some(Severity::Error));
        assert!(problem("okta").unwrap().message.contains("https://"));
        assert!(problem("https://acme.okta.com/home/amazon aws")
            .unwrap()
            .message
            .contains("spaces"));
        let p = problem("acme.okta.com/home/amazon_aws/0oa1/272").unwrap();
        assert_eq!(p.severity, Severity::Error);
        assert_eq!(
            p.fix.as_deref(),
            Some("https://acme.okta.com/home/amazon_aws/0oa1/272")
        );
        assert!(p.message.contains("add https://"), "{}", p.message);
        assert!(problem("ftp://idp.acme.example/aws")
            .unwrap()
            .message
            .contains("ftp"));
        assert_eq!(severity("file:///etc/passwd"), Some(Severity::Error));
    }

    #[test]
    fn aws_sign_in_and_console_are_not_the_idp() {
        for u in [
            "https://signin.aws.amazon.com/saml",
            "https://us-east-2.signin.aws.amazon.com/saml",
            "https://signin.amazonaws-us-gov.com/saml",
            "https://signin.amazonaws.cn/saml",
            "https://SIGNIN.AWS.AMAZON.COM./static/saml",
        ] {
            let p = problem(u).unwrap();
            assert_eq!(p.severity, Severity::Error);
            assert!(p.message.contains("AWS sign-in"), "{u}: {}", p.message);
            assert!(p.message.contains("use the AWS app's link"));
        }
        assert!(problem("https://console.aws.amazon.com/ecr/home")
            .unwrap()
            .message
            .contains("AWS console"));
        assert_eq!(problem("https://signin.aws.amazon.com.idp.example/x"), None);
    }

    #[test]
    fn http_only_on_this_machine() {
        let p = problem("http://idp.acme.example/aws").unwrap();
        assert_eq!(p.severity, Severity::Error);
        assert_eq!(p.fix.as_deref(), Some("https://idp.acme.example/aws"));
        assert!(p.message.starts_with("Not https: ") && p.message.contains("unencrypted"));
        let local = problem("http://127.0.0.1:7000/").unwrap();
        assert_eq!(local.severity, Severity::Warning);
        assert!(local.message.contains("local test IdP"));
        assert_eq!(local.fix, None);
        for u in [
            "http://localhost:8080/realms/x/protocol/saml/clients/aws",
            "http://127.8.0.1/aws",
            "http://[::1]:7000/aws",
        ] {
            assert_eq!(severity(u), Some(Severity::Warning), "{u}");
        }
        for u in [
            "http://idp.localhost/aws",
            "http://10.0.0.5/aws",
            "http://127.0.0.1.nip.io/aws",
            "http://localhost.corp.example/aws",
        ] {
            assert_eq!(severity(u), Some(Severity::Error), "{u}");
        }
    }

    #[test]
    fn portals_instead_of_the_aws_app() {
        let msg = |u: &str| problem(u).map(|p| (p.severity, p.message));
        assert_eq!(problem("https://acme.okta.com/app/UserHome"), None);
        for (u, says) in [
            ("https://acme.okta.com/", "Okta dashboard"),
            ("https://myapps.microsoft.com/", "My Apps"),
            ("https://accounts.google.com/", "Google apps launcher"),
            (
                "https://accounts.google.com/o/saml2/initsso?idpid=1&spid=2&forceauthn=true",
                "forceauthn=false",
            ),
            (
                "https://login.microsoftonline.com/72f9/saml2",
                "User access URL",
            ),
            (
                "https://sts.acme.example/adfs/ls/IdpInitiatedSignOn.aspx",
                "loginToRp=urn:amazon:webservices",
            ),
            ("https://acme.awsapps.com/", "ends in /start"),
        ] {
            let (sev, m) = msg(u).unwrap();
            assert_eq!(sev, Severity::Warning, "{u}");
            assert!(m.contains(says), "{u}: {m}");
        }
    }

    #[test]
    fn an_access_portal_is_an_identity_center_profile() {
        let c = check_link("https://Acme.awsapps.com/start/#/");
        assert_eq!(c.idp, None);
        assert_eq!(c.problem, None);
        assert_eq!(c.suggested_name, "acme");
        let p = c.portal.unwrap();
        assert_eq!(p.start_url, "https://acme.awsapps.com/start");
        assert_eq!((p.region, p.partition.as_str()), (None, "aws"));
        let c = check_link("https://ssoins-1.portal.eu-west-1.app.aws");
        assert_eq!(c.portal.unwrap().region.as_deref(), Some("eu-west-1"));
        assert_eq!(c.suggested_name, "default");
        assert_eq!(
            check_link("https://d-1234567890.awsapps.com/start").suggested_name,
            "default"
        );
        assert!(check_link("https://acme.okta.com/home/amazon_aws/0oa1/272")
            .portal
            .is_none());
    }

    #[test]
    fn suggested_names() {
        for (url, name) in [
            ("https://acme.okta.com/home/amazon_aws/0oa1/272", "acme"),
            ("https://acme-admin.okta.com/home/amazon_aws/0oa1/272", "acme"),
            ("https://acme.onelogin.com/trust/saml2/http-post/sso/1", "acme"),
            ("https://id.acme.example/realms/platform/protocol/saml/clients/amazon-aws", "platform"),
            ("https://sts.acme.example/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices", "acme"),
            ("https://sso.acme.co.uk/aws", "acme"),
            ("https://launcher.myapps.microsoft.com/api/signin/8a2f?tenantId=1", "default"),
            ("https://accounts.google.com/o/saml2/initsso?idpid=1&spid=2", "default"),
            ("https://sso.jumpcloud.com/saml2/aws", "default"),
            ("http://127.0.0.1:7000/", "default"),
            ("", "default"),
            ("nonsense", "default"),
        ] {
            let got = suggest_name(url);
            assert_eq!(got, name, "{url}");
            assert!(crate::config::check::is_profile_name(&got));
        }
        assert_eq!(clean_name("--a b..c--"), "a-b..c");
    }

    #[test]
    fn check_link_puts_it_together() {
        let c = check_link("https://acme.okta.com/");
        assert_eq!(c.idp, Some(IdpKind::Okta));
        assert_eq!(c.problem.unwrap().severity, Severity::Warning);
        assert_eq!(c.suggested_name, "acme");
    }
}
