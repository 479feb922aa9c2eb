//! The sign-in at the identity provider: which page may hand over a SAML response (the login
//! window's rule) and which issuer and accounts a profile trusts. Reading the response itself
//! is `dockpass-saml`. `link` checks the IdP link the setup is given. A sign-in in the user's own browser
//! comes back through the extension (`extension`) or a loopback ACS URL (`loopback`), one
//! response per attempt (`handover`).

pub mod capture;
pub mod embedded;
pub mod extension;
pub mod handover;
pub(crate) mod http;
pub mod link;
pub mod loopback;
pub mod oauth;
pub mod trust;
