//! AWS sign-in's SAML endpoints (the ACS URLs an IdP posts its response to), in every
//! partition and regional form: where an assertion for AWS goes, and so what a login window
//! may hand over and must never load.

/// AWS sign-in hosts of every partition; their regional forms are subdomains
/// (`us-east-1.signin.aws.amazon.com`).
pub const AWS_SIGNIN_HOSTS: [&str; 3] = [
    "signin.aws.amazon.com",
    "signin.amazonaws-us-gov.com",
    "signin.amazonaws.cn",
];
/// Paths of AWS sign-in's SAML endpoints (lower case, no trailing slash) ...
pub const ACS_PATHS: [&str; 3] = ["/saml", "/static/saml", "/saml/acs"];
/// ... and the prefix of its per-provider ACS URLs (`/saml/acs/SAMLSP...`).
pub const ACS_PREFIX: &str = "/saml/acs/";

/// True for AWS sign-in SAML endpoints (ACS URLs) of every partition: the login window
/// must never load them, or the assertion would be spent on a console session.
pub fn is_aws_acs(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    if !matches!(u.scheme(), "https" | "http") {
        return false;
    }
    let Some(host) = u.host_str() else {
        return false;
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let aws = AWS_SIGNIN_HOSTS
        .iter()
        .any(|base| host == *base || host.ends_with(&format!(".{base}")));
    if !aws {
        return false;
    }
    let path = u.path().to_ascii_lowercase();
    let path = match path.trim_end_matches('/') {
        "" => "/",
        p => p,
    };
    ACS_PATHS.contains(&path) || path.starts_with(ACS_PREFIX)
}

/// URLs that are AWS sign-in SAML endpoints: the examples every copy of [`is_aws_acs`] is
/// tested with (the Rust one here, the browser extension's through its generated contract).
pub const ACS_EXAMPLES: &[&str] = &[
    "https://signin.aws.amazon.com/saml",
    "https://signin.aws.amazon.com/saml/",
    "https://signin.aws.amazon.com/saml?SAMLResponse=x",
    "https://us-east-1.signin.aws.amazon.com/saml",
    "https://eu-west-1.signin.aws.amazon.com/saml/acs/SAMLSP4SHN3UIS2D558H46",
    "https://signin.aws.amazon.com/static/saml",
    "https://SIGNIN.AWS.AMAZON.COM/SAML",
    "https://signin.aws.amazon.com./saml",
    "https://signin.aws.amazon.com:443/saml",
    "https://signin.amazonaws-us-gov.com/saml",
    "https://signin.amazonaws.cn/saml",
    "http://signin.aws.amazon.com/saml",
];
/// URLs that are not, for the same tests.
pub const NOT_ACS_EXAMPLES: &[&str] = &[
    "https://corp.okta.com/app/amazon_aws/exk1/sso/saml",
    "https://signin.aws.amazon.com/console",
    "https://signin.aws.amazon.com.evil.example/saml",
    "https://evilsignin.aws.amazon.com.example/saml",
    "https://login.microsoftonline.com/saml",
    "http://127.0.0.1:3000/saml/sso",
    "about:blank",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acs_urls_of_every_partition() {
        for u in ACS_EXAMPLES {
            assert!(is_aws_acs(u), "{u}");
        }
        for u in NOT_ACS_EXAMPLES {
            assert!(!is_aws_acs(u), "{u}");
        }
    }
}
