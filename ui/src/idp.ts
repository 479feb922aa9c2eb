// First-run setup: where each identity provider shows its AWS app link (the words and examples
// the setup shows). Which IdP a pasted link belongs to and what is wrong with it is the backend's
// answer (check_link), so the URL rules are written once, in Rust.
import type { IdpKind } from "./api";

export type IdpId = IdpKind;

export interface IdpInfo {
  id: IdpId;
  label: string;
  /** The chooser's label. */
  short: string;
  /** Where the AWS app's login URL is, one or two sentences. */
  where: string;
  /** Example URL patterns (upper-case words are placeholders). */
  examples: string[];
}

// In step with docs/idp/*.md (the longer guides).
export const IDPS: readonly IdpInfo[] = [
  {
    id: "okta",
    label: "Okta",
    short: "Okta",
    where:
      "In your Okta dashboard, right-click the AWS tile and copy the link address. Admins: Applications ▸ the AWS app ▸ General ▸ App Embed Link.",
    examples: ["https://ORG.okta.com/home/amazon_aws/APPID/272"],
  },
  {
    id: "entra",
    label: "Entra ID",
    short: "Entra ID",
    where:
      "At myapps.microsoft.com, the AWS tile's ⋯ menu ▸ Copy link. Admins: Enterprise applications ▸ the AWS app ▸ Properties ▸ User access URL.",
    examples: [
      "https://launcher.myapps.microsoft.com/api/signin/APPID?tenantId=TENANT",
      "https://myapps.microsoft.com/signin/APPID?tenantId=TENANT",
    ],
  },
  {
    id: "adfs",
    label: "ADFS",
    short: "ADFS",
    where:
      "HOST is your federation service (the host of your AD FS sign-in page, e.g. sts.corp.example); keep loginToRp so AD FS goes straight on to AWS.",
    examples: ["https://HOST/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices"],
  },
  {
    id: "google",
    label: "Google Workspace",
    short: "Google",
    where:
      "In the Google apps launcher (the grid at the top right of Gmail), right-click the AWS app and copy the link. Admins: Apps ▸ Web and mobile apps ▸ the AWS app ▸ Test SAML login.",
    examples: ["https://accounts.google.com/o/saml2/initsso?idpid=IDPID&spid=SPID&forceauthn=false"],
  },
  {
    id: "keycloak",
    label: "Keycloak",
    short: "Keycloak",
    where:
      "The last part is the AWS client's IDP-Initiated SSO URL name (Clients ▸ the AWS client ▸ Settings ▸ Access settings); ask your admin for it.",
    examples: ["https://HOST/realms/REALM/protocol/saml/clients/amazon-aws"],
  },
  {
    id: "ping",
    label: "Ping",
    short: "Ping",
    where:
      "PingOne: the AWS app's Configuration tab ▸ Initiate Single Sign-On URL, or the AWS tile's link. PingFederate: the IdP-initiated link of the AWS SP connection.",
    examples: [
      "https://auth.pingone.com/ENV/saml20/idp/startsso?spEntityId=urn:amazon:webservices",
      "https://sso.connect.pingidentity.com/sso/sp/initsso?saasid=SAASID&idpid=IDPID",
      "https://HOST/idp/startSSO.ping?PartnerSpId=urn:amazon:webservices",
    ],
  },
  {
    id: "onelogin",
    label: "OneLogin",
    short: "OneLogin",
    where:
      "In the OneLogin portal, right-click the AWS tile and copy the link address. Admins: the app's SSO tab ▸ SAML 2.0 Endpoint (HTTP) also works with most connectors.",
    examples: ["https://ORG.onelogin.com/launch/APPID", "https://ORG.onelogin.com/trust/saml2/http-post/sso/APPID"],
  },
  {
    id: "jumpcloud",
    label: "JumpCloud",
    short: "JumpCloud",
    where: "The AWS app's SSO tab ▸ IdP URL; or, in the JumpCloud User Portal, right-click the AWS tile and copy the link address.",
    examples: ["https://sso.jumpcloud.com/saml2/aws"],
  },
];

export function idpInfo(id: IdpId): IdpInfo {
  return IDPS.find((i) => i.id === id)!;
}

/** Common AWS regions for the region chooser (any other region can be typed). */
export const REGIONS: readonly { code: string; name: string }[] = [
  { code: "us-east-1", name: "US East (N. Virginia)" },
  { code: "us-east-2", name: "US East (Ohio)" },
  { code: "us-west-1", name: "US West (N. California)" },
  { code: "us-west-2", name: "US West (Oregon)" },
  { code: "ca-central-1", name: "Canada (Central)" },
  { code: "eu-west-1", name: "Europe (Ireland)" },
  { code: "eu-west-2", name: "Europe (London)" },
  { code: "eu-west-3", name: "Europe (Paris)" },
  { code: "eu-central-1", name: "Europe (Frankfurt)" },
  { code: "eu-central-2", name: "Europe (Zurich)" },
  { code: "eu-north-1", name: "Europe (Stockholm)" },
  { code: "eu-south-1", name: "Europe (Milan)" },
  { code: "ap-south-1", name: "Asia Pacific (Mumbai)" },
  { code: "ap-southeast-1", name: "Asia Pacific (Singapore)" },
  { code: "ap-southeast-2", name: "Asia Pacific (Sydney)" },
  { code: "ap-northeast-1", name: "Asia Pacific (Tokyo)" },
  { code: "ap-northeast-2", name: "Asia Pacific (Seoul)" },
  { code: "sa-east-1", name: "South America (São Paulo)" },
  { code: "me-central-1", name: "Middle East (UAE)" },
  { code: "af-south-1", name: "Africa (Cape Town)" },
  { code: "us-gov-west-1", name: "AWS GovCloud (US-West)" },
  { code: "cn-north-1", name: "China (Beijing)" },
];
