// The settings form's model and rules. The rules mirror the backend's (crates/dockpass-core/src/config.rs)
// so the form never refuses what the backend accepts; the backend still has the last word on save.
import type { ChainSpec, DockerMode, Profile, RegistrySpec } from "./api";
import { parseDuration } from "./format";

export interface RegistryDraft {
  account: string;
  region: string;
  /** Host names separated by commas or spaces. */
  aliases: string;
  /** ECR Public (`public.ecr.aws`): no account, tokens from us-east-1 only. */
  public: boolean;
}

export interface ChainDraft {
  role_arn: string;
  registry: RegistryDraft[];
}

export type SignInSource = "idp" | "aws_profile";

/** Every field as the user types it. */
export interface ProfileDraft {
  name: string;
  source: SignInSource;
  idp_url: string;
  /** More IdP origins, separated by commas or spaces (saved for an IdP profile only). */
  idp_origins: string;
  aws_profile: string;
  region: string;
  /** Accounts this profile may sign in to without asking, separated by commas or spaces. */
  accounts: string;
  credential_process: boolean;
  role: string;
  session_duration: string;
  refresh_before: string;
  docker: DockerMode;
  sts_endpoint: string;
  registry: RegistryDraft[];
  chain: ChainDraft[];
  /** What the loaded profile has that this form does not edit: saved back as it was. */
  extra: Record<string, unknown>;
}

/** Field path (`name`, `registry.0.account`, `chain.1.registry.0.aliases`) → message. */
export type Errors = Record<string, string>;

/** ECR Public's registry host, and the one region it issues tokens in (the backend's PUBLIC_REGION). */
export const PUBLIC_HOST = "public.ecr.aws";
export const PUBLIC_REGION = "us-east-1";

export const emptyRegistry = (): RegistryDraft => ({ account: "", region: "", aliases: "", public: false });
export const emptyChain = (): ChainDraft => ({ role_arn: "", registry: [] });

export function newDraft(): ProfileDraft {
  return {
    name: "",
    source: "idp",
    idp_url: "",
    idp_origins: "",
    aws_profile: "",
    region: "",
    accounts: "",
    credential_process: false,
    role: "",
    session_duration: "",
    refresh_before: "",
    docker: "config",
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
  "region",
  "accounts",
  "credential_process",
  "role",
  "session_duration",
  "refresh_before",
  "docker",
  "sts_endpoint",
  "registry",
  "chain",
] satisfies (keyof Profile)[]);

const registryDraft = (r: RegistrySpec): RegistryDraft => ({
  account: r.account ?? "",
  region: r.region ?? "",
  aliases: (r.aliases ?? []).join(", "),
  public: r.public === true,
});

export function draftFromProfile(p: Profile): ProfileDraft {
  return {
    name: p.name,
    source: p.aws_profile && !p.idp_url ? "aws_profile" : "idp",
    idp_url: p.idp_url ?? "",
    idp_origins: (p.idp_origins ?? []).join(", "),
    aws_profile: p.aws_profile ?? "",
    region: p.region,
    accounts: (p.accounts ?? []).join(", "),
    credential_process: p.credential_process === true,
    role: p.role ?? "",
    session_duration: p.session_duration ?? "",
    refresh_before: p.refresh_before ?? "",
    docker: p.docker ?? "config",
    sts_endpoint: p.sts_endpoint ?? "",
    registry: (p.registry ?? []).map(registryDraft),
    chain: (p.chain ?? []).map((c) => ({ role_arn: c.role_arn, registry: (c.registry ?? []).map(registryDraft) })),
    extra: Object.fromEntries(Object.entries(p).filter(([k]) => !EDITED.has(k))),
  };
}

/** Items separated by commas or white space (aliases, origins, accounts). */
export function splitList(s: string): string[] {
  return s
    .split(/[\s,]+/)
    .map((a) => a.trim())
    .filter((a) => a !== "");
}

export const splitAliases = splitList;

/** A registry row to save; ECR Public keeps no account and no region but us-east-1 (the backend refuses others). */
function cleanRegistry(r: RegistryDraft, withAccount: boolean): RegistrySpec {
  const out: RegistrySpec = {};
  const account = r.account.trim();
  const region = r.region.trim();
  const aliases = splitAliases(r.aliases);
  if (withAccount && account && !r.public) out.account = account;
  if (region && (!r.public || region === PUBLIC_REGION)) out.region = region;
  if (aliases.length) out.aliases = aliases;
  if (r.public) out.public = true;
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
  if (d.source === "idp") {
    set("idp_url", d.idp_url);
    // Only an IdP profile has IdP origins (the backend refuses them with aws_profile).
    const origins = splitList(d.idp_origins);
    if (origins.length) p.idp_origins = origins;
  } else {
    set("aws_profile", d.aws_profile);
  }
  const accounts = splitList(d.accounts);
  if (accounts.length) p.accounts = accounts;
  if (d.credential_process) p.credential_process = true;
  set("role", d.role);
  set("session_duration", d.session_duration);
  set("refresh_before", d.refresh_before);
  p.docker = d.docker;
  set("sts_endpoint", d.sts_endpoint);
  if (d.registry.length) p.registry = d.registry.map((r) => cleanRegistry(r, true));
  if (d.chain.length) {
    p.chain = d.chain.map((c): ChainSpec => {
      const spec: ChainSpec = { role_arn: c.role_arn.trim() };
      if (c.registry.length) spec.registry = c.registry.map((r) => cleanRegistry(r, false));
      return spec;
    });
  }
  return p;
}

// ---- single rules (each returns a message, or null when fine) ----

export function checkName(name: string, otherNames: readonly string[]): string | null {
  const n = name.trim();
  if (n === "") return "Give the profile a name";
  if (!/^[A-Za-z0-9._-]+$/.test(n)) return "Use letters, digits, '.', '_' and '-' only";
  if (otherNames.includes(n)) return `A profile named “${n}” already exists`;
  return null;
}

/** Whether a URL's host (as `URL.hostname` writes it) is this machine: what the backend allows http:// for. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(h) || h === "[::1]";
}

/** An https:// URL; http:// only on this machine (the backend's check_url: anything else would
 *  carry sign-ins in clear text). */
export function checkUrl(u: string): string | null {
  const t = u.trim();
  let url: URL | null = null;
  if (/^https?:\/\/./i.test(t) && !/\s/.test(t)) {
    try {
      url = new URL(t);
    } catch {
      url = null;
    }
  }
  if (!url || !url.hostname) return "Enter an https:// URL";
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    return "http:// sends your sign-in in clear text; use https:// (http:// only for localhost or 127.0.0.1)";
  }
  return null;
}

/** `us-east-1`, `cn-north-1`, `us-gov-west-1`, `us-isob-east-1`. */
export function isRegion(s: string): boolean {
  const parts = s.split("-");
  return parts.length >= 3 && parts.every((p) => /^[a-z0-9]+$/.test(p)) && /^\d+$/.test(parts[parts.length - 1]);
}

export function checkRegion(r: string, required: boolean): string | null {
  const t = r.trim();
  if (t === "") return required ? "Enter an AWS region such as us-east-1" : null;
  return isRegion(t) ? null : "Not an AWS region; write e.g. us-east-1";
}

export function checkAccount(a: string): string | null {
  const t = a.trim();
  if (t === "") return null;
  return /^\d{12}$/.test(t) ? null : "An AWS account id has 12 digits";
}

export function checkDuration(v: string, minSeconds: number, minLabel: string): string | null {
  if (v.trim() === "") return null;
  const r = parseDuration(v);
  if (!r.ok) return r.error;
  return r.seconds < minSeconds ? `Use at least ${minLabel}` : null;
}

export function checkAlias(a: string): string | null {
  if (a.includes("://")) return `“${a}”: leave out the scheme (https://)`;
  if (a.includes("/")) return `“${a}”: a host name only, without a path`;
  return null;
}

export function checkAliases(s: string): string | null {
  for (const a of splitAliases(s)) {
    const e = checkAlias(a);
    if (e) return e;
  }
  return null;
}

/** A role ARN as IAM writes it: arn:PARTITION:iam::ACCOUNT:role/PATH/NAME. */
export function checkRoleArn(arn: string): string | null {
  const t = arn.trim();
  if (t === "") return "Enter the role ARN to assume";
  const f = t.split(":");
  if (f.length < 6 || f[0] !== "arn") return "Write arn:aws:iam::ACCOUNT:role/NAME";
  const [, partition, service, region, account] = f;
  const resource = f.slice(5).join(":");
  if (!/^aws(-[a-z0-9]+)*$/.test(partition)) return `Unknown partition “${partition}”`;
  if (service !== "iam" || region !== "") return "Not an IAM ARN; write arn:aws:iam::ACCOUNT:role/NAME";
  if (!/^\d{12}$/.test(account)) return "The ARN needs a 12-digit account id";
  if (!resource.startsWith("role/")) return "Not a role ARN; write arn:aws:iam::ACCOUNT:role/NAME";
  const rest = resource.slice(5);
  const name = rest.slice(rest.lastIndexOf("/") + 1);
  if (!/^[A-Za-z0-9+=,.@_-]{1,64}$/.test(name)) return "The ARN must end in a role name (letters, digits, +=,.@_-)";
  if (!/^[\x21-\x7e]*$/.test(rest)) return "The role path has invalid characters";
  return null;
}

/** The optional preselected role: a role ARN, ACCOUNT/NAME or a bare NAME. */
export function checkRoleSelector(v: string): string | null {
  const t = v.trim();
  if (t === "") return null;
  if (t.startsWith("arn:")) return checkRoleArn(t);
  return /\s/.test(t) ? "A role ARN, ACCOUNT/NAME or a role name, without spaces" : null;
}

/** ECR Public has no account (the backend: "ECR Public (public = true) has no account; remove account"). */
export function checkPublicAccount(account: string): string | null {
  return account.trim() === "" ? null : "ECR Public has no account; remove it";
}

/** ECR Public issues tokens in us-east-1 only (the backend refuses any other region). */
export function checkPublicRegion(region: string): string | null {
  const t = region.trim();
  return t === "" || t === PUBLIC_REGION ? null : `ECR Public issues tokens in ${PUBLIC_REGION} only; remove the region`;
}

function checkRegistryRows(rows: RegistryDraft[], prefix: string, withAccount: boolean, errors: Errors) {
  rows.forEach((r, i) => {
    const p = `${prefix}.${i}`;
    const acc = withAccount ? (r.public ? checkPublicAccount(r.account) : checkAccount(r.account)) : null;
    if (acc) errors[`${p}.account`] = acc;
    const reg = checkRegion(r.region, false) ?? (r.public ? checkPublicRegion(r.region) : null);
    if (reg) errors[`${p}.region`] = reg;
    const al = checkAliases(r.aliases);
    if (al) errors[`${p}.aliases`] = al;
  });
}

/** All problems of a draft; `otherNames` are the names of the other profiles (for uniqueness). */
export function validateDraft(d: ProfileDraft, otherNames: readonly string[]): Errors {
  const errors: Errors = {};
  const add = (key: string, msg: string | null) => {
    if (msg) errors[key] = msg;
  };
  add("name", checkName(d.name, otherNames));
  if (d.source === "idp") {
    add("idp_url", d.idp_url.trim() === "" ? "Enter your identity provider's AWS app URL" : checkUrl(d.idp_url));
  } else if (d.aws_profile.trim() === "") {
    add("aws_profile", "Enter the name of a profile in your AWS config");
  }
  add("region", checkRegion(d.region, true));
  add("role", checkRoleSelector(d.role));
  add("session_duration", checkDuration(d.session_duration, 900, "15m (the AWS minimum)"));
  add("refresh_before", checkDuration(d.refresh_before, 60, "1m"));
  if (d.sts_endpoint.trim() !== "") add("sts_endpoint", checkUrl(d.sts_endpoint));
  checkRegistryRows(d.registry, "registry", true, errors);
  d.chain.forEach((c, i) => {
    add(`chain.${i}.role_arn`, checkRoleArn(c.role_arn));
    checkRegistryRows(c.registry, `chain.${i}.registry`, false, errors);
  });
  return errors;
}

export const isValid = (e: Errors) => Object.keys(e).length === 0;
