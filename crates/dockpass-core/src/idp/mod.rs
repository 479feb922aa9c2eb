//! The sign-in at the identity provider: which page may hand over a SAML response (the login
//! window's rule) and which issuer and accounts a profile trusts. Reading the response itself
//! is `dockpass-saml`. `link` checks the IdP link the setup is given.

pub mod capture;
pub mod link;
pub mod trust;
