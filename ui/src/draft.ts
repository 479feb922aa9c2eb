// The settings form's model: a profile as the user types it (lists as text), and the profile it
// stands for. No rule lives here: the backend checks the profile (`check_profile`, the rules the
// config file is loaded with) and the form shows its answer under each field.
import type { AuthTarget, ChainSpec, DockerMode, LoginMode, Profile, RegistrySpec } from "./api";

export interface RegistryDraft {
  account: string;
  region: string;
  /** Host names separated by commas or spaces. */
  aliases: string;
  /** ECR Public (`public.ecr.aws`): no account, tokens from us-east-1 only. */
  public: boolean;
  /** IAM Identity Center: the role's name in this registry's account (saved for such profiles). */
  role: string;
}

export interface ChainDraft {
  role_arn: string;
  registry: RegistryDraft[];
}

export type SignInSource = "idp" | "aws_profile" | "identity_center";

/** The auth files the tokens go to: "" is the default (docker, plus the containers' file where
 *  podman, buildah or skopeo is installed). */
export type TargetsChoice = "" | "docker" | "containers" | "both";

/** Every field as the user types it. */
export interface ProfileDraft {
  name: string;
  source: SignInSource;
  idp_url: string;
  /** More IdP origins, separated by commas or spaces (saved for an IdP profile only). */
  idp_origins: string;
  aws_profile: string;
  /** IAM Identity Center: the access portal URL and its region, or a session of the AWS config. */
  sso_start_url: string;
  sso_region: string;
  sso_session: string;
  region: string;
  /** Accounts this profile may sign in to without asking, separated by commas or spaces; a name
   *  after `=` (`111111111111 = prod`) is shown instead of the number. */
  accounts: string;
  credential_process: boolean;
  role: string;
  /** More roles of the same sign-in (`roles`), as ACCOUNT/NAME or ARNs separated by commas or
   *  spaces; editable here while every entry is a bare role (entries with registries or chains
   *  stay as loaded, in `extra`). */
  roles: string;
  rolesEditable: boolean;
  session_duration: string;
  refresh_before: string;
  docker: DockerMode;
  targets: TargetsChoice;
  /** Where the user signs in (an IdP profile only). */
  login: LoginMode;
  /** The loopback ACS URL's port as typed (saved with `login = "loopback"` only). */
  loopback_port: string;
  sts_endpoint: string;
  registry: RegistryDraft[];
  chain: ChainDraft[];
  /** What the loaded profile has that this form does not edit: saved back as it was. */
  extra: Record<string, unknown>;
}

/** Field path (`name`, `registry.0.account`, `chain.1.registry.0.aliases`) → message. */
export type Errors = Record<string, string>;

export const emptyRegistry = (): RegistryDraft => ({ account: "", region: "", aliases: "", public: false, role: "" });
export const emptyChain = (): ChainDraft => ({ role_arn: "", registry: [] });

export function newDraft(): ProfileDraft {
  return {
    name: "",
    source: "idp",
    idp_url: "",
    idp_origins: "",
    aws_profile: "",
    sso_start_url: "",
    sso_region: "",
    sso_session: "",
    region: "",
    accounts: "",
    credential_process: false,
    role: "",
    roles: "",
    rolesEditable: true,
    session_duration: "",
    refresh_before: "",
    docker: "config",
    targets: "",
    login: "window",
    loopback_port: "",
    sts_endpoint: "",
    registry: [],
    chain: [],
    extra: {},
  };
}

/** The profile fields this form edits; any other field of a loaded profile goes into `extra`. */
const EDITED = new Set<string>([
  "name",
  "idp_url",
  "idp_origins",
  "aws_profile",
  "sso_start_url",
  "sso_region",
  "sso_session",
  "region",
  "accounts",
  "credential_process",
  "role",
  "session_duration",
  "refresh_before",
  "docker",
  "targets",
  "login",
  "loopback_port",
  "sts_endpoint",
  "registry",
  "chain",
] satisfies (keyof Profile)[]);

const registryDraft = (r: RegistrySpec): RegistryDraft => ({
  account: r.account ?? "",
  region: r.region ?? "",
  aliases: (r.aliases ?? []).join(", "),
  public: r.public === true,
  role: r.role ?? "",
});

export function draftFromProfile(p: Profile): ProfileDraft {
  return {
    name: p.name,
    source: p.aws_profile && !p.idp_url ? "aws_profile" : (p.sso_start_url || p.sso_session) && !p.idp_url ? "identity_center" : "idp",
    idp_url: p.idp_url ?? "",
    idp_origins: (p.idp_origins ?? []).join(", "),
    aws_profile: p.aws_profile ?? "",
    sso_start_url: p.sso_start_url ?? "",
    sso_region: p.sso_region ?? "",
    sso_session: p.sso_session ?? "",
    region: p.region,
    accounts: accountsText(p.accounts),
    credential_process: p.credential_process === true,
    role: p.role ?? "",
    session_duration: p.session_duration ?? "",
    refresh_before: p.refresh_before ?? "",
    docker: p.docker ?? "config",
    targets: targetsChoice(p.targets ?? []),
    login: p.login ?? "window",
    loopback_port: p.loopback_port != null ? String(p.loopback_port) : "",
    sts_endpoint: p.sts_endpoint ?? "",
    registry: (p.registry ?? []).map(registryDraft),
    chain: (p.chain ?? []).map((c) => ({ role_arn: c.role_arn, registry: (c.registry ?? []).map(registryDraft) })),
    roles: rolesEditable(p) ? (p.roles ?? []).join(", ") : "",
    rolesEditable: rolesEditable(p),
    extra: Object.fromEntries(Object.entries(p).filter(([k]) => !EDITED.has(k) && !(k === "roles" && rolesEditable(p)))),
  };
}

/** Whether every entry of `roles` is a bare role (the form edits those as one text box). */
const rolesEditable = (p: Profile) => (p.roles ?? []).every((r) => typeof r === "string");

function targetsChoice(t: AuthTarget[]): TargetsChoice {
  const docker = t.includes("docker");
  const containers = t.includes("containers");
  return docker && containers ? "both" : docker ? "docker" : containers ? "containers" : "";
}

const TARGETS: Record<TargetsChoice, AuthTarget[]> = { "": [], docker: ["docker"], containers: ["containers"], both: ["docker", "containers"] };

/** The accounts as typed: `111111111111 = prod, 222222222222`. */
function accountsText(a: Profile["accounts"]): string {
  if (!a) return "";
  if (Array.isArray(a)) return a.join(", ");
  return Object.entries(a)
    .map(([id, name]) => (name ? `${id} = ${name}` : id))
    .join(", ");
}

/** The accounts to save: a list, or a table once one has a name (`ID = NAME`); items are
 *  separated by commas or new lines, bare ids also by spaces. */
function accountsFromText(text: string): Profile["accounts"] | undefined {
  const named: [string, string][] = [];
  for (const item of text.split(/[,\n]+/)) {
    const eq = item.indexOf("=");
    if (eq >= 0) named.push([item.slice(0, eq).trim(), item.slice(eq + 1).trim()]);
    else for (const id of splitList(item)) named.push([id, ""]);
  }
  if (named.length === 0) return undefined;
  if (named.every(([, name]) => name === "")) return named.map(([id]) => id);
  return Object.fromEntries(named);
}

/** Items separated by commas or white space (aliases, origins, accounts). */
export function splitList(s: string): string[] {
  return s
    .split(/[\s,]+/)
    .map((a) => a.trim())
    .filter((a) => a !== "");
}

export const splitAliases = splitList;

/** A registry row to save, as typed (the form empties account and region when ECR Public is ticked). */
function cleanRegistry(r: RegistryDraft, withAccount: boolean, withRole = false): RegistrySpec {
  const out: RegistrySpec = {};
  const account = r.account.trim();
  const region = r.region.trim();
  const aliases = splitAliases(r.aliases);
  if (withAccount && account) out.account = account;
  if (region) out.region = region;
  if (aliases.length) out.aliases = aliases;
  if (r.public) out.public = true;
  const role = r.role.trim();
  if (withRole && role) out.role = role;
  return out;
}

/** The profile to save: trimmed, with empty optional fields and lists left out; fields the form
 *  does not edit are kept as loaded. */
export function profileFromDraft(d: ProfileDraft): Profile {
  const p: Profile = { ...(d.extra as Partial<Profile>), name: d.name.trim(), region: d.region.trim() };
  const set = <K extends keyof Profile>(key: K, v: string) => {
    const t = v.trim();
    if (t) p[key] = t as Profile[K];
  };
  // The chosen source's field is always sent, so an empty one is reported under it.
  if (d.source === "idp") {
    p.idp_url = d.idp_url.trim();
    // Only an IdP profile has IdP origins (the backend refuses them with aws_profile).
    const origins = splitList(d.idp_origins);
    if (origins.length) p.idp_origins = origins;
    if (d.login !== "window") p.login = d.login;
    const port = d.loopback_port.trim();
    // As typed: a port that is not a number is the backend's to report, under its field.
    if (d.login === "loopback" && port) p.loopback_port = (/^\d+$/.test(port) ? Number(port) : port) as number;
  } else if (d.source === "identity_center") {
    // A session of the AWS config, else the portal and its region (sent even when empty, so an
    // empty one is reported under its field).
    if (d.sso_session.trim()) p.sso_session = d.sso_session.trim();
    else {
      p.sso_start_url = d.sso_start_url.trim();
      p.sso_region = d.sso_region.trim();
    }
  } else {
    p.aws_profile = d.aws_profile.trim();
  }
  const accounts = accountsFromText(d.accounts);
  if (accounts) p.accounts = accounts;
  if (d.credential_process) p.credential_process = true;
  set("role", d.role);
  // Only an IdP profile has more roles of one sign-in (the backend refuses them otherwise).
  const roles = splitList(d.roles);
  if (d.rolesEditable && d.source === "idp" && roles.length) p.roles = roles;
  set("session_duration", d.session_duration);
  set("refresh_before", d.refresh_before);
  p.docker = d.docker;
  if (d.targets) p.targets = TARGETS[d.targets];
  set("sts_endpoint", d.sts_endpoint);
  if (d.registry.length) p.registry = d.registry.map((r) => cleanRegistry(r, true, d.source === "identity_center"));
  if (d.chain.length) {
    p.chain = d.chain.map((c): ChainSpec => {
      const spec: ChainSpec = { role_arn: c.role_arn.trim() };
      if (c.registry.length) spec.registry = c.registry.map((r) => cleanRegistry(r, false));
      return spec;
    });
  }
  return p;
}

/** The backend's field paths (`registry[0].account`) as the form names its fields (`registry.0.account`). */
export function formErrors(errors: Record<string, string | undefined>): Errors {
  const out: Errors = {};
  for (const [k, v] of Object.entries(errors)) if (v !== undefined) out[k.replace(/\[(\d+)\]/g, ".$1")] = v;
  return out;
}

export const isValid = (e: Errors) => Object.keys(e).length === 0;
