// First-run setup: which identity provider a login URL belongs to, where its AWS app link is,
// and what is wrong with a pasted URL. Pure functions, no DOM.
import { isLoopbackHost } from "./validate";

export type IdpId = "okta" | "entra" | "adfs" | "google" | "keycloak" | "ping" | "onelogin" | "jumpcloud";

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

/** Parses what the user pasted; null unless it is an absolute URL with a host. */
function parse(url: string): URL | null {
  const t = url.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) return null;
  try {
    const u = new URL(t);
    return u.hostname ? u : null;
  } catch {
    return null;
  }
}

const hostIs = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/** The identity provider a login URL belongs to, from its host or its path; null when unknown. */
export function recognizeIdp(url: string): IdpId | null {
  const u = parse(url) ?? parse(`https://${url.trim()}`);
  if (!u) return null;
  const host = u.hostname.toLowerCase().replace(/\.$/, "");
  const path = u.pathname.toLowerCase();
  if (["okta.com", "oktapreview.com", "okta-emea.com", "okta-gov.com", "okta.mil"].some((d) => hostIs(host, d))) return "okta";
  if (path.startsWith("/home/amazon_aws/")) return "okta";
  if (["myapps.microsoft.com", "login.microsoftonline.com", "account.activedirectory.windowsazure.com", "myapplications.microsoft.com"].some((d) => hostIs(host, d)))
    return "entra";
  if (host === "accounts.google.com" || host === "admin.google.com") return "google";
  if (["pingidentity.com", "pingone.com", "pingone.eu", "pingone.asia", "pingone.ca", "pingone.com.au"].some((d) => hostIs(host, d))) return "ping";
  if (path.startsWith("/idp/startsso.ping") || path.endsWith(".ping")) return "ping";
  if (hostIs(host, "onelogin.com")) return "onelogin";
  if (hostIs(host, "jumpcloud.com")) return "jumpcloud";
  if (/^\/adfs\//.test(path)) return "adfs";
  if (/^(\/auth)?\/realms\/[^/]+\/protocol\/saml/.test(path)) return "keycloak";
  return null;
}

export type Severity = "error" | "warning";

export interface UrlProblem {
  severity: Severity;
  /** One line: what is wrong, and what to do. */
  message: string;
  /** A corrected URL to offer, e.g. with https:// added. */
  fix?: string;
}

const AWS_SIGNIN = ["signin.aws.amazon.com", "signin.amazonaws-us-gov.com", "signin.amazonaws.cn"];
const AWS_CONSOLE = ["console.aws.amazon.com", "console.amazonaws-us-gov.com", "console.amazonaws.cn"];

/** Recognised IdP host, but not its AWS app link (a portal or home page): what to copy instead. */
function portalProblem(id: IdpId, u: URL): string | null {
  const path = u.pathname.toLowerCase();
  const query = u.search.toLowerCase();
  switch (id) {
    case "okta":
      return path.startsWith("/home/") || path.startsWith("/app/") || path.startsWith("/sso/")
        ? null
        : "This is the Okta dashboard, not its AWS app: copy the AWS tile's link (…/home/amazon_aws/APPID/272).";
    case "entra":
      if (u.hostname.toLowerCase() === "login.microsoftonline.com")
        return "This is the tenant's SAML endpoint, which shows an error page when opened: use the AWS app's User access URL.";
      return path.includes("/signin/") || path.includes("/api/signin")
        ? null
        : "This is the My Apps portal, not its AWS app: copy the AWS app's link (…/signin/APPID?tenantId=…).";
    case "google":
      if (!path.startsWith("/o/saml2/initsso"))
        return "This is not the AWS app's link: copy it from the Google apps launcher (…/o/saml2/initsso?idpid=…&spid=…).";
      return /[?&]forceauthn=true/.test(query)
        ? "With forceauthn=true Google asks for your password at every renewal: use forceauthn=false."
        : null;
    case "adfs":
      return path.includes("idpinitiatedsignon") && !query.includes("logintorp=") && !query.includes("relaystate=")
        ? "Add ?loginToRp=urn:amazon:webservices so ADFS signs you in to AWS directly."
        : null;
    default:
      return null;
  }
}

/**
 * What is wrong with an IdP login URL, most important first; null when it looks right.
 * Errors make the URL unusable (the login window could never capture a sign-in); warnings
 * let the user go on.
 */
export function checkIdpUrl(url: string): UrlProblem | null {
  const t = url.trim();
  if (t === "") return { severity: "error", message: "Paste your identity provider's link to the AWS app." };
  if (/\s/.test(t)) return { severity: "error", message: "The URL has spaces in it: paste the link alone." };
  const u = parse(t);
  if (!u) {
    const fixed = parse(`https://${t.replace(/^\/+/, "")}`);
    if (fixed && fixed.hostname.includes(".") && !/^[a-z][a-z0-9+.-]*:/i.test(t)) {
      return { severity: "error", message: "Not a full URL: add https:// in front.", fix: fixed.href };
    }
    return { severity: "error", message: "Not a URL: paste the full link, starting with https://." };
  }
  const scheme = u.protocol.toLowerCase();
  if (scheme !== "https:" && scheme !== "http:") {
    return { severity: "error", message: `A ${scheme.replace(":", "")} link cannot open in the login window: use the https:// link.` };
  }
  const host = u.hostname.toLowerCase().replace(/\.$/, "");
  if (AWS_SIGNIN.some((d) => hostIs(host, d))) {
    return {
      severity: "error",
      message: "This is AWS sign-in (where your IdP sends you), not your IdP: use the AWS app's link from your IdP.",
    };
  }
  if (AWS_CONSOLE.some((d) => hostIs(host, d))) {
    return { severity: "error", message: "This is the AWS console, not your IdP: use the AWS app's link from your IdP." };
  }
  if (hostIs(host, "awsapps.com")) {
    return {
      severity: "warning",
      message: "This is the IAM Identity Center portal; Dockpass needs a SAML IdP's AWS app link (use aws_profile with SSO instead).",
    };
  }
  if (scheme === "http:") {
    const https = new URL(u.href);
    https.protocol = "https:";
    // The backend refuses http:// anywhere but this machine, so that is an error, not a warning.
    return isLoopbackHost(u.hostname)
      ? { severity: "warning", message: "Not https: fine for a local test IdP, never for your company's." }
      : { severity: "error", message: "Not https: your password would travel unencrypted; use the https:// link.", fix: https.href };
  }
  const id = recognizeIdp(t);
  const portal = id ? portalProblem(id, u) : null;
  if (portal) return { severity: "warning", message: portal };
  return null;
}

/** A profile name from the URL: the Okta/OneLogin org, the Keycloak realm, the company's domain; else "default". */
export function suggestProfileName(url: string): string {
  const u = parse(url) ?? parse(`https://${url.trim()}`);
  if (!u) return "default";
  const host = u.hostname.toLowerCase().replace(/\.$/, "");
  const id = recognizeIdp(url);
  const clean = (s: string | undefined) =>
    (s ?? "")
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^[-.]+|[-.]+$/g, "")
      .slice(0, 40);
  let name = "";
  if (id === "okta" || id === "onelogin") {
    const org = host.split(".")[0];
    if (!["login", "sso", "www"].includes(org) && host.split(".").length > 2) name = org.replace(/-admin$/, "");
  } else if (id === "keycloak") {
    name = /\/realms\/([^/]+)/.exec(u.pathname)?.[1] ?? "";
    if (name === "master") name = "";
  } else if (id === null || id === "adfs") {
    if (!isLoopbackHost(host) && !host.endsWith(".localhost") && !/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
      const labels = host.split(".");
      const generic = new Set(["adfs", "sts", "sso", "login", "auth", "idp", "fs", "id", "www", "signin", "keycloak", "iam"]);
      const company = labels.slice(0, -1).filter((l) => !generic.has(l));
      name = company[company.length - 1] ?? "";
      // example.co.uk: skip the second-level label of a country domain
      if (labels.length >= 3 && ["co", "com", "org", "net", "ac", "gov"].includes(name) && company.length >= 2) name = company[company.length - 2];
    }
  }
  name = clean(name);
  return name || "default";
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

/** The ECR registry host of an account in a region (`cn-` regions are in amazonaws.com.cn). */
export function ecrHostOf(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}
