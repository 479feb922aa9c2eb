//! The federation endpoint over HTTPS (reqwest: rustls on aws-lc, the proxy from
//! `HTTPS_PROXY`/`NO_PROXY`). The answer is read whole but bounded; its token is a secret.

use super::Aws;
use crate::aws::console::Federation;
use crate::{err, Code, Result, SecretString};
use std::time::Duration;

/// A sign-in token is a few kilobytes; an answer much larger is not the endpoint's.
const MAX_ANSWER: usize = 64 * 1024;

impl Federation for Aws {
    async fn signin_token(&self, endpoint: &str, session: &SecretString) -> Result<SecretString> {
        let net = |e: reqwest::Error| {
            // The URL carries the session: never in the message.
            let e = e.without_url();
            err(
                Code::Network,
                format!(
                    "cannot reach the AWS federation endpoint ({e}); check your network or proxy"
                ),
            )
        };
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(net)?;
        let query = zeroize::Zeroizing::new(
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("Action", "getSigninToken")
                .append_pair("Session", session.expose())
                .finish(),
        );
        let resp = client
            .get(format!("{endpoint}?{}", query.as_str()))
            .send()
            .await
            .map_err(net)?;
        let status = resp.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(err(
                Code::StsFailed,
                format!(
                    "the AWS federation endpoint failed (HTTP {}); try again",
                    status.as_u16()
                ),
            ));
        }
        if !status.is_success() {
            return Err(err(
                Code::StsRejected,
                format!(
                    "the AWS federation endpoint refused the session (HTTP {}); sign in again",
                    status.as_u16()
                ),
            ));
        }
        // Read at most MAX_ANSWER: a token is a few kilobytes.
        let mut resp = resp;
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(net)? {
            if body.len() + chunk.len() > MAX_ANSWER {
                body.clear();
                break;
            }
            body.extend_from_slice(&chunk);
        }
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        doc.get("SigninToken")
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .map(SecretString::new)
            .ok_or_else(|| {
                err(
                    Code::StsFailed,
                    "the AWS federation endpoint answered without a sign-in token; try again",
                )
            })
    }
}
