//! Any bytes into the SAML entry point: decode (base64 / URL-encoding / form body / HTML
//! page / XML) and parse. Must never panic, hang or blow up memory; every refusal must be a
//! SAML error code with a one-line message; every success must hold roles.
#![no_main]

use dockpass_common::Code;
use dockpass_saml::{parse_response, MAX_INPUT_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match parse_response(data) {
        Ok(a) => {
            assert!(data.len() <= MAX_INPUT_BYTES);
            assert!(!a.roles.is_empty(), "parsed without roles");
            assert!(!a.response_b64.expose().is_empty());
            for r in &a.roles {
                assert!(r.role_arn.starts_with("arn:") && r.principal_arn.starts_with("arn:"));
                assert_eq!(r.account.len(), 12);
            }
            // What callers do next with an assertion: none of it may panic either.
            let _ = a.inspect_json().to_string();
            let _ = format!("{a:?}");
            let _ = a.check_not_expired(time::OffsetDateTime::UNIX_EPOCH);
            let _ = a.check_not_expired(time::macros::datetime!(9999-12-31 23:59:59 UTC));
        }
        Err(e) => {
            assert!(
                matches!(
                    e.code,
                    Code::SamlInvalid
                        | Code::SamlEncrypted
                        | Code::SamlNoRoles
                        | Code::SamlTooLarge
                        | Code::SamlUnsafe
                ),
                "unexpected code {:?}: {}",
                e.code,
                e.message
            );
            assert!(
                !e.message.is_empty() && !e.message.contains('\n'),
                "{:?}",
                e.message
            );
            assert!(
                e.message.len() < 600,
                "message too long: {}",
                e.message.len()
            );
            if data.len() > MAX_INPUT_BYTES {
                assert_eq!(e.code, Code::SamlTooLarge);
            }
        }
    }
});
