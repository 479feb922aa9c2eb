// The IPC contract with the Rust side (src-tauri). Only these commands, events and types are used.
import { invoke } from "@tauri-apps/api/core";
import { emit, listen, type UnlistenFn } from "@tauri-apps/api/event";

// The types are generated from the Rust types (ts-rs, `cargo test`; see app::wire in
// dockpass-core): never written here. `./scripts/test` fails when they are stale.
import type { ApiError } from "./bindings/ApiError";
import type { BrowserReadiness } from "./bindings/BrowserReadiness";
import type { Code } from "./bindings/Code";
import type { ConfigView } from "./bindings/ConfigView";
import type { EventMap, EventName } from "./bindings/events";
import type { Image } from "./bindings/Image";
import type { LinkCheck } from "./bindings/LinkCheck";
import type { NewRegistry } from "./bindings/NewRegistry";
import type { Overview } from "./bindings/Overview";
import type { Profile } from "./bindings/Profile";
import type { ProfileCheck } from "./bindings/ProfileCheck";
import type { RegistryHost } from "./bindings/RegistryHost";
import type { RegistryProposal } from "./bindings/RegistryProposal";
import type { RepositoryList } from "./bindings/RepositoryList";

export type { Activity } from "./bindings/Activity";
export type { ActivityKind } from "./bindings/ActivityKind";
export type { ApiError } from "./bindings/ApiError";
export type { BrowserReadiness } from "./bindings/BrowserReadiness";
export type { BrowserReady } from "./bindings/BrowserReady";
export type { ChainSpec } from "./bindings/ChainSpec";
export type { ChainStatus } from "./bindings/ChainStatus";
export type { Code } from "./bindings/Code";
export type { ConfigView } from "./bindings/ConfigView";
export type { AuthTarget } from "./bindings/AuthTarget";
export type { DockerMode } from "./bindings/DockerMode";
export type { LoginMode } from "./bindings/LoginMode";
export type { EcrPublic } from "./bindings/EcrPublic";
export type { EventMap, EventName } from "./bindings/events";
export { EVENT_NAMES } from "./bindings/events";
export type { IdpKind } from "./bindings/IdpKind";
export type { Image } from "./bindings/Image";
export type { LinkCheck } from "./bindings/LinkCheck";
export type { LinkProblem } from "./bindings/LinkProblem";
export type { LoginPhase } from "./bindings/LoginPhase";
export type { LoginProgress } from "./bindings/LoginProgress";
export type { Overview } from "./bindings/Overview";
export type { Profile } from "./bindings/Profile";
export type { ProfileCheck } from "./bindings/ProfileCheck";
export type { RegistryFailure } from "./bindings/RegistryFailure";
export type { RegistryHost } from "./bindings/RegistryHost";
export type { RegistryProposal } from "./bindings/RegistryProposal";
export type { RegistrySpec } from "./bindings/RegistrySpec";
export type { RegistryStatus } from "./bindings/RegistryStatus";
export type { Repository } from "./bindings/Repository";
export type { RepositoryList } from "./bindings/RepositoryList";
export type { Role } from "./bindings/Role";
export type { RolePicker } from "./bindings/RolePicker";
export type { SessionState } from "./bindings/SessionState";
export type { Severity } from "./bindings/Severity";
export type { Status } from "./bindings/Status";
export type { TrustQuestion } from "./bindings/TrustQuestion";

/** Commands reject with {code, message}; anything else (a string, an Error) is normalised to that shape. */
export function toApiError(e: unknown): ApiError {
  if (e && typeof e === "object") {
    const o = e as Record<string, unknown>;
    if (typeof o.message === "string") {
      // The backend's codes are the generated `Code`; anything else became an error here.
      return { code: typeof o.code === "string" ? (o.code as Code) : "internal", message: o.message };
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
  /** Every problem of a profile before it is saved, under its field; `original` is the name it had. */
  checkProfile: (profile: Profile, original: string | null) => call<ProfileCheck>("check_profile", { profile, original }),
  /** The IdP of a pasted link, what is wrong with it, and a profile name from it. */
  checkLink: (url: string) => call<LinkCheck>("check_link", { url }),
  /** The ECR host of each account and region, or what is wrong with the pair. */
  registryHosts: (registries: NewRegistry[]) => call<RegistryHost[]>("registry_hosts", { registries }),
  login: (profile: string) => call<void>("login", { profile }),
  /** Cancels the sign-in under way (in the browser, or its login window). */
  cancelLogin: (profile: string) => call<void>("cancel_login", { profile }),
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
  addRegistries: (profile: string, registries: NewRegistry[]) =>
    call<ConfigView>("add_registries", { profile, registries }),
  /** Whether Dockpass starts when the user logs in to the desktop. */
  autostartGet: () => call<boolean>("autostart_get"),
  /** Turns starting at login on or off; the new state. */
  autostartSet: (enabled: boolean) => call<boolean>("autostart_set", { enabled }),
  /** The browser sign-in on this machine: the extension's folder, browsers that reach Dockpass,
   *  the extension's last answer. */
  browserReadiness: () => call<BrowserReadiness>("browser_readiness"),
  /** Registers Dockpass with the browsers found here (native messaging host manifests). */
  browserInstall: () => call<BrowserReadiness>("browser_install"),
};

export function on<K extends EventName>(name: K, handler: (payload: EventMap[K]) => void): Promise<UnlistenFn> {
  return listen<EventMap[K]>(name, (event) => handler(event.payload));
}

/** Tells the app the window has painted its first frame with data ("ui-painted"): only the
 *  benchmarks listen (src-tauri/src/bench.rs, when DOCKPASS_BENCH_READY_FILE is set). */
export function notePainted(): Promise<void> {
  return emit("ui-painted");
}
