// The IPC contract with the Rust side (src-tauri). Only these commands, events and types are used.
import { invoke } from "@tauri-apps/api/core";
import { emit, listen, type UnlistenFn } from "@tauri-apps/api/event";

export type SessionState = "logged_out" | "active" | "expiring" | "expired" | "error";

export interface Role {
  role_arn: string;
  principal_arn: string;
  account: string;
  name: string;
  path: string;
  partition: string;
}

export interface RegistryStatus {
  host: string;
  /** RFC 3339 UTC */
  expires_at: string;
}

/** A role assumed from the session's role (role chaining); renewed automatically well before it ends. */
export interface ChainStatus {
  role_arn: string;
  account: string;
  /** RFC 3339 UTC; chained credentials live an hour at most. */
  expires_at: string;
}

export interface ApiError {
  /** The backend's stable code (`config`, `network`, `untrusted`, …; crates/dockpass-core/src/error.rs). */
  code: string;
  message: string;
}

export interface Status {
  profile: string;
  state: SessionState;
  role_arn: string | null;
  account: string | null;
  expires_at: string | null;
  registries: RegistryStatus[];
  error?: ApiError;
  subject?: string | null;
  /** Where the session's secrets are: "keychain" or "memory". */
  secrets?: string;
  /** The chained roles of the session; omitted when there are none. */
  chain?: ChainStatus[];
}

export interface RegistrySpec {
  account?: string;
  region?: string;
  aliases?: string[];
  /** ECR Public (`public.ecr.aws`, tokens from us-east-1): no account, no other region. Sent only when true. */
  public?: boolean;
}

export interface ChainSpec {
  role_arn: string;
  registry?: RegistrySpec[];
}

export type DockerMode = "config" | "helper";

export interface Profile {
  name: string;
  idp_url?: string;
  /** More origins (`https://host[:port]`) whose pages may hand over the SAML response (idp_url profiles only). */
  idp_origins?: string[];
  aws_profile?: string;
  region: string;
  /** AWS accounts this profile may sign in to without asking (besides those it used). */
  accounts?: string[];
  /** Serve the session's AWS credentials to the AWS CLI (`credential_process`). Sent only when true. */
  credential_process?: boolean;
  role?: string;
  session_duration?: string;
  refresh_before?: string;
  docker?: DockerMode;
  sts_endpoint?: string;
  registry?: RegistrySpec[];
  chain?: ChainSpec[];
}

export interface ConfigView {
  path: string;
  profiles: Profile[];
  exists: boolean;
}

export type ActivityKind = "login" | "logout" | "switch" | "refresh" | "error" | "info";

export interface Activity {
  /** RFC 3339 */
  at: string;
  profile: string;
  kind: ActivityKind;
  message: string;
}

export interface Overview {
  profiles: string[];
  selected: string | null;
  sessions: Status[];
  /** The last assertion's roles per profile. */
  roles: Record<string, Role[]>;
  activity: Activity[];
  /** Why the config file could not be used (missing or broken); the editor can fix it. */
  config_error?: ApiError;
  /** One-line warnings, e.g. no keychain: secrets stay in memory. */
  warnings?: string[];
  /** A sign-in waiting for the role choice (its event may have come before this window). */
  picker?: RolePicker | null;
  /** A sign-in held until the user trusts its new issuer or account (like `picker`). */
  trust?: TrustQuestion | null;
}

export interface RolePicker {
  profile: string;
  roles: Role[];
  /** role_arn of the role in use, if any */
  current: string | null;
}

/**
 * A sign-in held back because its SAML assertion comes from another IdP issuer than the profile
 * used before, or its role is in an account the profile has not used (trust on first use).
 */
export interface TrustQuestion {
  profile: string;
  /** The role the sign-in would use. */
  role_arn: string;
  /** The assertion's issuer (null when it names none), and the one the profile knew. */
  issuer: string | null;
  known_issuer: string | null;
  new_issuer: boolean;
  /** The role's account, and the accounts the profile knew (used or listed in `accounts`). */
  account: string;
  known_accounts: string[];
  new_account: boolean;
}

export type LoginPhase =
  | "opening"
  | "waiting_for_idp"
  | "assuming_role"
  | "writing_docker_config"
  | "done"
  | "cancelled"
  | "failed";

export interface LoginProgress {
  profile: string;
  phase: LoginPhase;
  message?: string;
}

/** A container repository in one of the session's registries. */
export interface Repository {
  /** Registry host, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com` or `public.ecr.aws`. */
  registry: string;
  region: string;
  account: string;
  /** e.g. `team/api` */
  name: string;
  /** e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api` */
  uri: string;
  /** RFC 3339 UTC */
  created_at: string | null;
}

/** A registry whose repositories could not be listed. */
export interface RegistryFailure {
  registry: string;
  error: ApiError;
}

export interface RepositoryList {
  profile: string;
  repositories: Repository[];
  /** RFC 3339 UTC: when this list was fetched (the backend keeps it for the session). */
  fetched_at: string;
  /** Registries that could not be listed; the others still are. */
  errors: RegistryFailure[];
}

export interface Image {
  /** Empty for an untagged image. */
  tags: string[];
  /** `sha256:…` */
  digest: string;
  /** RFC 3339 UTC */
  pushed_at: string | null;
  size_bytes: number | null;
  /** The tags that may go into a `docker pull` command (the backend applies the OCI tag grammar). */
  pull_tags: string[];
  /** Whether the digest may go into a `docker pull` command. */
  pull_digest: boolean;
}

/** An account of the last sign-in's assertion, as a registry the setup can add (`propose_registries`). */
export interface RegistryProposal {
  account: string;
  /** The profile's region unless the backend knows better; the user may change it. */
  region: string;
  /** Role names of the assertion in that account. */
  roles: string[];
  /** Already covered by the profile's registries (or its default registry). */
  configured: boolean;
}

/** Payloads of the events the backend emits. */
export interface EventMap {
  "session-changed": Status;
  activity: Activity;
  "role-picker": RolePicker;
  "role-picker-closed": { profile: string };
  "trust-prompt": TrustQuestion;
  "trust-prompt-closed": { profile: string };
  "login-progress": LoginProgress;
  "config-changed": ConfigView;
  overview: Overview;
}

export type EventName = keyof EventMap;

export const EVENT_NAMES: EventName[] = [
  "overview",
  "session-changed",
  "activity",
  "role-picker",
  "role-picker-closed",
  "trust-prompt",
  "trust-prompt-closed",
  "login-progress",
  "config-changed",
];

/** Commands reject with {code, message}; anything else (a string, an Error) is normalised to that shape. */
export function toApiError(e: unknown): ApiError {
  if (e && typeof e === "object") {
    const o = e as Record<string, unknown>;
    if (typeof o.message === "string") {
      return { code: typeof o.code === "string" ? o.code : "internal", message: o.message };
    }
  }
  if (typeof e === "string" && e.trim() !== "") return { code: "internal", message: e };
  return { code: "internal", message: "Something went wrong and the app gave no details." };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

export const api = {
  overview: () => call<Overview>("overview"),
  configGet: () => call<ConfigView>("config_get"),
  configSave: (profiles: Profile[]) => call<ConfigView>("config_save", { profiles }),
  login: (profile: string) => call<void>("login", { profile }),
  pickRole: (profile: string, roleArn: string) => call<void>("pick_role", { profile, roleArn }),
  cancelPick: (profile: string) => call<void>("cancel_pick", { profile }),
  /** Signs in with the held assertion after all: the user trusts its new issuer or account. */
  confirmTrust: (profile: string) => call<void>("confirm_trust", { profile }),
  /** Drops the held sign-in; nothing is asked of AWS. */
  rejectTrust: (profile: string) => call<void>("reject_trust", { profile }),
  switchRole: (profile: string) => call<void>("switch_role", { profile }),
  logout: (profile: string) => call<void>("logout", { profile }),
  selectProfile: (profile: string) => call<void>("select_profile", { profile }),
  /** The session's repositories; the backend keeps the list for the session unless `refresh`. */
  listRepositories: (profile: string, refresh: boolean) => call<RepositoryList>("list_repositories", { profile, refresh }),
  /** The images of one repository (`registry` is the host, `name` the repository name). */
  listImages: (profile: string, registry: string, name: string) => call<Image[]>("list_images", { profile, registry, name }),
  /** The accounts of the profile's last assertion, as registries to add (after a sign-in). */
  proposeRegistries: (profile: string) => call<RegistryProposal[]>("propose_registries", { profile }),
  /** Adds registries to the profile (config file) and fetches their tokens; the config as saved. */
  addRegistries: (profile: string, registries: { account: string; region: string }[]) =>
    call<ConfigView>("add_registries", { profile, registries }),
  /** Whether Dockpass starts when the user logs in to the desktop. */
  autostartGet: () => call<boolean>("autostart_get"),
  /** Turns starting at login on or off; the new state. */
  autostartSet: (enabled: boolean) => call<boolean>("autostart_set", { enabled }),
};

export function on<K extends EventName>(name: K, handler: (payload: EventMap[K]) => void): Promise<UnlistenFn> {
  return listen<EventMap[K]>(name, (event) => handler(event.payload));
}

/** Tells the app the window has painted its first frame with data ("ui-painted"): only the
 *  benchmarks listen (src-tauri/src/bench.rs, when DOCKPASS_BENCH_READY_FILE is set). */
export function notePainted(): Promise<void> {
  return emit("ui-painted");
}
