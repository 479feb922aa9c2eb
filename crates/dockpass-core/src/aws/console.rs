//! The AWS console with the session: the federation endpoint turns the session's credentials
//! into a sign-in token (`getSigninToken`), and a login URL with it opens the console as the
//! role. That URL signs anyone in for 15 minutes, so it is a secret like the keys: it lives in
//! a `SecretString`, goes to the browser or to standard output when asked, never to a log.

use crate::aws::sts::Credentials;
use crate::registry::partition_of;
use crate::{err, Code, Result, SecretString};
use std::future::Future;

/// Who the console names as having sent the user.
const ISSUER: &str = "dockpass";

/// The federation endpoint of a partition; `AWS_ENDPOINT_URL_SIGNIN` (AWS Sign-In's endpoint,
/// as for `aws login`) moves it, `https://` only except on this machine.
pub fn federation_endpoint(partition: &str) -> Result<String> {
    if let Some(base) = std::env::var("AWS_ENDPOINT_URL_SIGNIN")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        crate::config::check_url(&base)
            .map_err(|why| err(Code::Config, format!("AWS_ENDPOINT_URL_SIGNIN: {why}")))?;
        return Ok(format!("{}/federation", base.trim().trim_end_matches('/')));
    }
    Ok(match partition {
        "aws-us-gov" => "https://signin.amazonaws-us-gov.com/federation",
        "aws-cn" => "https://signin.amazonaws.cn/federation",
        _ => "https://signin.aws.amazon.com/federation",
    }
    .to_string())
}

/// The console's home page in `region`.
pub fn console_home(region: &str) -> String {
    match partition_of(region) {
        "aws-us-gov" => {
            format!("https://console.amazonaws-us-gov.com/console/home?region={region}")
        }
        "aws-cn" => format!("https://console.amazonaws.cn/console/home?region={region}"),
        _ => format!("https://{region}.console.aws.amazon.com/console/home?region={region}"),
    }
}

/// The federation endpoint's one call Dockpass makes (reqwest in `sdk`, a stand-in in tests).
pub trait Federation: Send + Sync {
    /// `GET ENDPOINT?Action=getSigninToken&Session=JSON` → its `SigninToken`.
    fn signin_token(
        &self,
        endpoint: &str,
        session: &SecretString,
    ) -> impl Future<Output = Result<SecretString>> + Send;
}

/// The session as the federation endpoint takes it.
fn session_json(c: &Credentials) -> SecretString {
    let doc = serde_json::json!({
        "sessionId": c.access_key_id,
        "sessionKey": c.secret_access_key.expose(),
        "sessionToken": c.session_token.expose(),
    });
    SecretString::new(doc.to_string())
}

/// A URL that opens the AWS console in `region` as the credentials' role (valid 15 minutes).
pub async fn signin_url<F: Federation>(
    fed: &F,
    creds: &Credentials,
    region: &str,
) -> Result<SecretString> {
    if creds.session_token.expose().is_empty() {
        return Err(err(
            Code::Usage,
            "the AWS console takes temporary credentials only; these are long-term keys",
        ));
    }
    let endpoint = federation_endpoint(partition_of(region))?;
    let token = fed.signin_token(&endpoint, &session_json(creds)).await?;
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "login")
        .append_pair("Issuer", ISSUER)
        .append_pair("Destination", &console_home(region))
        .append_pair("SigninToken", token.expose())
        .finish();
    Ok(SecretString::new(format!("{endpoint}?{query}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use time::macros::datetime;

    struct Recorded(Mutex<Vec<(String, String)>>);

    impl Federation for Recorded {
        async fn signin_token(
            &self,
            endpoint: &str,
            session: &SecretString,
        ) -> Result<SecretString> {
            self.0
                .lock()
                .unwrap()
                .push((endpoint.to_string(), session.expose().to_string()));
            Ok(SecretString::new("tok-en/+"))
        }
    }

    fn creds(token: &str) -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: SecretString::new("secret"),
            session_token: SecretString::new(token),
            expires_at: datetime!(2099-06-01 13:00 UTC),
        }
    }

    #[tokio::test]
    async fn the_session_goes_to_the_partitions_endpoint_and_the_url_opens_its_console() {
        let fed = Recorded(Mutex::new(vec![]));
        let url = signin_url(&fed, &creds("session-token"), "us-gov-west-1")
            .await
            .unwrap();
        let (endpoint, session) = fed.0.lock().unwrap()[0].clone();
        assert_eq!(endpoint, "https://signin.amazonaws-us-gov.com/federation");
        let doc: serde_json::Value = serde_json::from_str(&session).unwrap();
        assert_eq!(doc["sessionId"], "ASIAEXAMPLE");
        assert_eq!(doc["sessionKey"], "secret");
        assert_eq!(doc["sessionToken"], "session-token");
        let u = url::Url::parse(url.expose()).unwrap();
        let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
        assert_eq!(q["Action"], "login");
        assert_eq!(q["SigninToken"], "tok-en/+");
        assert_eq!(
            q["Destination"],
            "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"
        );
        assert!(!format!("{url:?}").contains("tok-en"), "Debug hides it");
        assert_eq!(
            console_home("eu-west-1"),
            "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(
            federation_endpoint("aws-cn").unwrap(),
            "https://signin.amazonaws.cn/federation"
        );
    }

    #[tokio::test]
    async fn long_term_keys_are_not_for_the_console() {
        let fed = Recorded(Mutex::new(vec![]));
        let e = signin_url(&fed, &creds(""), "us-east-1").await.unwrap_err();
        assert!(e.message.contains("temporary credentials"), "{}", e.message);
        assert!(fed.0.lock().unwrap().is_empty());
    }
}
