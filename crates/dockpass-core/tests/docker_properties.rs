//! Properties of publish and remove over arbitrary docker configs (random keys, nesting,
//! unicode, order): a publish changes only our hosts' entries, and a remove of what it wrote
//! gives back the rest exactly (same keys, same values, same order).

use dockpass_core::docker::{self, Credential};
use dockpass_core::SecretString;
use proptest::prelude::*;
use serde_json::{Map, Value};

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9_.-]{0,12}",
        "[\\u{00e0}-\\u{00ff}\\u{4e00}-\\u{4e20}\\u{1f600}-\\u{1f610}]{1,6}",
        Just("proxies".to_string()),
        Just("psFormat".to_string()),
        Just("currentContext".to_string()),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1.0e9f64..1.0e9).prop_map(Value::from),
        ".{0,20}".prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A docker config the file store applies to: no `credsStore` or `credHelpers` (those call
/// helpers), others' `auths` entries of every form docker accepts.
fn config() -> impl Strategy<Value = Map<String, Value>> {
    let auth_entry = prop_oneof![
        Just(Value::Null),
        "[A-Za-z0-9+/]{4,24}={0,2}".prop_map(|a| serde_json::json!({ "auth": a })),
        ("[A-Za-z0-9+/]{4,24}", ".{0,10}")
            .prop_map(|(a, e)| serde_json::json!({ "auth": a, "email": e })),
        Just(serde_json::json!({})),
    ];
    let auths = prop::collection::vec(("[a-z0-9.-]{1,20}(:[0-9]{2,5})?", auth_entry), 0..4);
    (
        prop::collection::vec((key(), value()), 0..6),
        prop::option::of(auths),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(mut kv, auths, at)| {
            kv.retain(|(k, _)| k != "auths" && k != "credsStore" && k != "credHelpers");
            if let Some(a) = auths {
                let obj: Map<String, Value> = a
                    .into_iter()
                    .filter(|(h, _)| !h.ends_with(".ours.example"))
                    .collect();
                let i = at.index(kv.len() + 1);
                kv.insert(i, ("auths".to_string(), Value::Object(obj)));
            }
            kv.into_iter().collect()
        })
}

fn ours() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[a-z]{1,8}\\.ours\\.example", 1..4)
}

fn text(v: &Map<String, Value>) -> String {
    serde_json::to_string(v).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn publish_touches_only_our_hosts_and_remove_gives_the_rest_back(
        before in config(),
        hosts in ours(),
        pretty in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let original = if pretty {
            serde_json::to_string_pretty(&before).unwrap()
        } else {
            serde_json::to_string(&before).unwrap()
        };
        std::fs::write(&path, &original).unwrap();
        let creds: Vec<Credential> = hosts
            .iter()
            .map(|h| Credential {
                host: h.clone(),
                username: "AWS".into(),
                secret: SecretString::new(format!("token-for-{h}")),
            })
            .collect();

        let written = docker::publish(&docker::AuthFile::docker(&path), &creds).unwrap();
        let after: Map<String, Value> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        // Ours are there...
        for h in &hosts {
            prop_assert!(after["auths"][h.as_str()]["auth"].is_string());
        }
        // ...and without them the file is what it was, order included.
        let mut stripped = after.clone();
        if let Some(Value::Object(a)) = stripped.get_mut("auths") {
            a.retain(|k, _| !hosts.contains(k));
        }
        let mut expected = before.clone();
        if !expected.contains_key("auths") {
            expected.insert("auths".into(), Value::Object(Map::new()));
        }
        prop_assert_eq!(text(&stripped), text(&expected));

        let report = docker::remove(&docker::AuthFile::docker(&path), &written).unwrap();
        let mut removed = report.removed.clone();
        removed.sort();
        let mut want: Vec<String> = hosts.clone();
        want.sort();
        want.dedup();
        prop_assert_eq!(removed, want);
        let back: Map<String, Value> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        prop_assert_eq!(text(&back), text(&before));
    }
}
