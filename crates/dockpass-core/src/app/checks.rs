//! The UI's check commands (`check_profile`, `check_link`, `registry_hosts`) answered by name
//! from JSON, for a front end without the app's IPC: `dockpass ui-check`, through which the web
//! UI's component tests get the real rules' answers instead of a copy of them.

use crate::{err, Code, Result};
use serde_json::Value;

/// Answers one check command. `args` are the command's arguments as the UI sends them; for
/// `check_profile` also `others`, the names of the profiles already saved (the app takes them
/// from its config).
pub fn answer(cmd: &str, args: &Value) -> Result<Value> {
    let bad = |what: &str| err(Code::Usage, format!("{cmd}: {what}"));
    let out = match cmd {
        "check_profile" => {
            let profile = args.get("profile").ok_or_else(|| bad("no profile"))?;
            let original = args.get("original").and_then(Value::as_str);
            let saved = args
                .get("others")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str);
            serde_json::to_value(crate::config::check::check_profile(
                profile, saved, original,
            ))
        }
        "check_link" => {
            let url = args
                .get("url")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("no url"))?;
            serde_json::to_value(crate::idp::link::check_link(url))
        }
        "registry_hosts" => {
            let list: Vec<crate::app::setup::NewRegistry> =
                serde_json::from_value(args.get("registries").cloned().unwrap_or_default())
                    .map_err(|e| bad(&format!("registries: {e}")))?;
            serde_json::to_value(crate::app::setup::hosts(&list))
        }
        _ => {
            return Err(bad(
                "unknown check; one of check_profile, check_link, registry_hosts",
            ))
        }
    };
    out.map_err(|e| err(Code::Internal, format!("{cmd}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_each_check_like_the_app() {
        let p =
            json!({ "name": "corp", "idp_url": "https://idp.example/x", "region": "Frankfurt" });
        let got = answer(
            "check_profile",
            &json!({ "profile": p, "original": "corp", "others": ["corp", "b"] }),
        )
        .unwrap();
        assert_eq!(
            got["errors"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["region"]
        );
        let got = answer(
            "check_profile",
            &json!({ "profile": p, "original": null, "others": ["corp"] }),
        )
        .unwrap();
        assert!(got["errors"]["name"]
            .as_str()
            .unwrap()
            .contains("defined twice"));
        let got = answer("check_link", &json!({ "url": "https://acme.okta.com/" })).unwrap();
        assert_eq!(got["idp"], "okta");
        assert_eq!(got["suggested_name"], "acme");
        let got = answer(
            "registry_hosts",
            &json!({ "registries": [{ "account": "123456789012", "region": "cn-north-1" }] }),
        )
        .unwrap();
        assert_eq!(
            got[0]["host"],
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(answer("nope", &json!({})).unwrap_err().code, Code::Usage);
        assert_eq!(
            answer("check_link", &json!({})).unwrap_err().code,
            Code::Usage
        );
    }
}
