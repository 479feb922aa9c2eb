// Generated from Rust by dockpass-core (platform::browsers); do not edit.
// cargo test --workspace export_bindings writes it.
export const HOST_NAME = "dev.dockpass.browser";
export const AWS_SIGNIN_HOSTS = ["signin.aws.amazon.com","signin.amazonaws-us-gov.com","signin.amazonaws.cn"];
export const ACS_PATHS = ["/saml","/static/saml","/saml/acs"];
export const ACS_PREFIX = "/saml/acs/";
export const ACS_EXAMPLES = ["https://signin.aws.amazon.com/saml","https://signin.aws.amazon.com/saml/","https://signin.aws.amazon.com/saml?SAMLResponse=x","https://us-east-1.signin.aws.amazon.com/saml","https://eu-west-1.signin.aws.amazon.com/saml/acs/SAMLSP4SHN3UIS2D558H46","https://signin.aws.amazon.com/static/saml","https://SIGNIN.AWS.AMAZON.COM/SAML","https://signin.aws.amazon.com./saml","https://signin.aws.amazon.com:443/saml","https://signin.amazonaws-us-gov.com/saml","https://signin.amazonaws.cn/saml","http://signin.aws.amazon.com/saml"];
export const NOT_ACS_EXAMPLES = ["https://corp.okta.com/app/amazon_aws/exk1/sso/saml","https://signin.aws.amazon.com/console","https://signin.aws.amazon.com.evil.example/saml","https://evilsignin.aws.amazon.com.example/saml","https://login.microsoftonline.com/saml","http://127.0.0.1:3000/saml/sso","about:blank"];
