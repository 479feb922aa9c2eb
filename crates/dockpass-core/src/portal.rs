//! IAM Identity Center's AWS access portal URLs: which link is one, and what region or partition
//! it names. One rule for the config check, the setup's link reader and the sign-in.
//!
//! The forms AWS gives out:
//! - `https://d-xxxxxxxxxx.awsapps.com/start` and `https://NAME.awsapps.com/start` (commercial);
//! - `https://start.us-gov-home.awsapps.com/directory/ID`, also with a region label
//!   (`start.us-gov-west-1.us-gov-home.awsapps.com`) (GovCloud);
//! - `https://start.home.awsapps.cn/directory/ID` and `start.cn-north-1.home.awsapps.cn` (China);
//! - `https://ssoins-HEX.portal.REGION.app.aws` (the newer dual-stack portal, region in the host).
//!
//! People paste the link from the browser's address bar, so a trailing `/`, `#/` or
//! `#/console?...` is accepted and dropped by [`canonical`].

use crate::registry::is_region;
use url::Url;

/// What a portal URL says about where Identity Center lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Portal {
    /// The URL as the AWS CLI writes it in `sso_start_url`: no fragment, no trailing `/`.
    pub start_url: String,
    /// `aws`, `aws-us-gov` or `aws-cn`.
    pub partition: &'static str,
    /// The Identity Center region when the URL names it.
    pub region: Option<String>,
}

/// Reads a portal URL; `Err` is one line saying what is wrong and what to paste instead.
pub fn parse(text: &str) -> Result<Portal, String> {
    let t = text.trim();
    let u = Url::parse(t).map_err(|_| {
        format!("{t:?} is not a link; paste your AWS access portal URL, such as https://d-1234567890.awsapps.com/start")
    })?;
    if u.scheme() != "https" {
        return Err("the AWS access portal is https://; paste the https:// link".into());
    }
    let host = u.host_str().unwrap_or("").to_ascii_lowercase();
    let path = u.path().trim_end_matches('/');
    let labels: Vec<&str> = host.split('.').collect();
    let not_portal = || {
        format!(
            "{host} is not an AWS access portal; paste the portal link from your administrator, such as https://d-1234567890.awsapps.com/start"
        )
    };
    let (partition, region) = match labels[..] {
        [name, "awsapps", "com"] if name != "start" && !name.is_empty() => {
            if path != "/start" {
                return Err(format!(
                    "the access portal's address ends in /start: use https://{host}/start"
                ));
            }
            ("aws", None)
        }
        ["start", "us-gov-home", "awsapps", "com"] => ("aws-us-gov", None),
        ["start", region, "us-gov-home", "awsapps", "com"] if is_region(region) => {
            ("aws-us-gov", Some(region.to_string()))
        }
        ["start", "home", "awsapps", "cn"] => ("aws-cn", None),
        ["start", region, "home", "awsapps", "cn"] if is_region(region) => {
            ("aws-cn", Some(region.to_string()))
        }
        [instance, "portal", region, "app", "aws"]
            if instance.starts_with("ssoins-") && is_region(region) =>
        {
            ("aws", Some(region.to_string()))
        }
        _ => return Err(not_portal()),
    };
    if partition != "aws" && !(path.starts_with("/directory/") && path.len() > "/directory/".len())
    {
        return Err(format!(
            "this portal's address names its directory: https://{host}/directory/ID"
        ));
    }
    let region = region.filter(|r| crate::registry::partition_of(r) == partition);
    Ok(Portal {
        start_url: format!("https://{host}{path}"),
        partition,
        region,
    })
}

/// The URL as the AWS CLI writes it (see [`Portal::start_url`]), when it is a portal URL.
pub fn canonical(text: &str) -> Option<String> {
    parse(text).ok().map(|p| p.start_url)
}

/// Whether `sso_region` can be this portal's region: the same partition, and the region the
/// URL names when it names one. `Err` says what to set.
pub fn check_region(portal: &Portal, sso_region: &str) -> Result<(), String> {
    if let Some(r) = &portal.region {
        if r != sso_region {
            return Err(format!(
                "the access portal is in {r}, not {sso_region}; set sso_region = \"{r}\""
            ));
        }
    }
    let partition = crate::registry::partition_of(sso_region);
    if partition != portal.partition {
        let example = crate::registry::default_region(portal.partition);
        return Err(format!(
            "{sso_region} is not in the portal's partition ({}); set sso_region to its Identity Center region, such as {example}",
            portal.partition
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_aws_gives_out() {
        for (text, start, partition, region) in [
            (
                "https://d-1234567890.awsapps.com/start",
                "https://d-1234567890.awsapps.com/start",
                "aws",
                None,
            ),
            (
                "https://Acme.awsapps.com/start/#/",
                "https://acme.awsapps.com/start",
                "aws",
                None,
            ),
            (
                " https://acme.awsapps.com/start#/console?account_id=111111111111 ",
                "https://acme.awsapps.com/start",
                "aws",
                None,
            ),
            (
                "https://start.us-gov-home.awsapps.com/directory/d-92671f2def#/console",
                "https://start.us-gov-home.awsapps.com/directory/d-92671f2def",
                "aws-us-gov",
                None,
            ),
            (
                "https://start.us-gov-west-1.us-gov-home.awsapps.com/directory/d-1",
                "https://start.us-gov-west-1.us-gov-home.awsapps.com/directory/d-1",
                "aws-us-gov",
                Some("us-gov-west-1"),
            ),
            (
                "https://start.home.awsapps.cn/directory/d-12345abcde",
                "https://start.home.awsapps.cn/directory/d-12345abcde",
                "aws-cn",
                None,
            ),
            (
                "https://start.cn-north-1.home.awsapps.cn/directory/d-1/",
                "https://start.cn-north-1.home.awsapps.cn/directory/d-1",
                "aws-cn",
                Some("cn-north-1"),
            ),
            (
                "https://ssoins-722374e8c3c8e6c6.portal.us-west-2.app.aws/",
                "https://ssoins-722374e8c3c8e6c6.portal.us-west-2.app.aws",
                "aws",
                Some("us-west-2"),
            ),
        ] {
            let p = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(p.start_url, start, "{text}");
            assert_eq!(p.partition, partition, "{text}");
            assert_eq!(p.region.as_deref(), region, "{text}");
        }
    }

    #[test]
    fn what_is_not_a_portal_says_what_to_paste() {
        for (text, says) in [
            ("d-1234567890.awsapps.com/start", "not a link"),
            ("http://acme.awsapps.com/start", "https://"),
            ("https://acme.awsapps.com/", "ends in /start"),
            (
                "https://acme.okta.com/home/amazon_aws/0oa1/272",
                "not an AWS access portal",
            ),
            (
                "https://signin.aws.amazon.com/saml",
                "not an AWS access portal",
            ),
            ("https://start.us-gov-home.awsapps.com/", "directory"),
            (
                "https://evil.example/acme.awsapps.com/start",
                "not an AWS access portal",
            ),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn the_region_must_fit_the_portal() {
        let gov = parse("https://start.us-gov-home.awsapps.com/directory/d-1").unwrap();
        assert!(check_region(&gov, "us-gov-west-1").is_ok());
        let e = check_region(&gov, "us-east-1").unwrap_err();
        assert!(e.contains("us-gov-west-1"), "{e}");
        let new = parse("https://ssoins-1.portal.eu-west-1.app.aws").unwrap();
        let e = check_region(&new, "us-east-1").unwrap_err();
        assert!(e.contains("sso_region = \"eu-west-1\""), "{e}");
        let acme = parse("https://acme.awsapps.com/start").unwrap();
        assert!(check_region(&acme, "eu-central-1").is_ok());
        assert!(check_region(&acme, "cn-north-1").is_err());
    }
}
