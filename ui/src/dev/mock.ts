// Dev-only stand-in for the backend (`npm run dev`, then open /?mock). Never part of the production
// bundle: main.tsx imports it only when import.meta.env.DEV or the `mock` build mode is set.
// Variants: ?mock, ?mock=empty (first-run setup), ?mock=setup-fail (the first sign-in fails),
// ?mock=walk-signin, ?mock=walk-registries, ?mock=walk-done (the setup driven to that step), ?mock=picker, ?mock=settings, ?mock=new, ?mock=error, ?mock=signin,
// ?mock=repos-partial (one registry cannot be listed), ?mock=repos-fail (the first listing fails),
// ?mock=trust (a sign-in from a new issuer into a new account waits for the user),
// ?mock=trust-waiting (the same question, already waiting in the overview when the window opens)
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import type { Activity, ConfigView, Image, Overview, Profile, RegistryProposal, RegistrySpec, Repository, RepositoryList, Role, Status, TrustQuestion } from "../api";

const iso = (msFromNow: number) => new Date(Math.floor((Date.now() + msFromNow) / 1000) * 1000).toISOString().replace(".000Z", "Z");
const H = 3600_000;
const ECR_PUBLIC = { host: "public.ecr.aws", region: "us-east-1" };
const M = 60_000;

function role(account: string, path: string, name: string, provider = "Okta"): Role {
  return {
    role_arn: `arn:aws:iam::${account}:role${path}${name}`,
    principal_arn: `arn:aws:iam::${account}:saml-provider/${provider}`,
    account,
    name,
    path,
    partition: "aws",
  };
}

const ROLES: Role[] = [
  role("123456789012", "/", "Developer"),
  role("123456789012", "/", "ReadOnly"),
  role("123456789012", "/platform/", "PlatformAdmin"),
  role("210987654321", "/", "EcrReader"),
  role("210987654321", "/ci/", "BuildAgent"),
  role("555566667777", "/", "Developer"),
];

const PROFILES: Profile[] = [
  {
    name: "corp",
    idp_url: "https://corp.example.okta.com/home/amazon_aws/0oa1/272",
    region: "us-east-1",
    role: "arn:aws:iam::123456789012:role/Developer",
    session_duration: "8h",
    refresh_before: "10m",
    docker: "config",
    registry: [
      { account: "123456789012", region: "us-east-1" },
      { account: "123456789012", region: "eu-west-1", aliases: ["registry.corp.example"] },
      { public: true },
    ],
    chain: [{ role_arn: "arn:aws:iam::210987654321:role/EcrReader", registry: [{ region: "us-east-1" }] }],
  },
  { name: "staging", idp_url: "https://corp.example.okta.com/home/amazon_aws/0oa2/272", region: "eu-west-1", docker: "helper" },
  { name: "sandbox", aws_profile: "sandbox-saml", region: "us-west-2" },
];

function sessions(): Status[] {
  return [
    {
      profile: "corp",
      state: "active",
      role_arn: "arn:aws:iam::123456789012:role/Developer",
      role_name: "Developer",
      role_path: "/",
      account: "123456789012",
      expires_at: iso(7 * H + 5 * M + 12_000),
      subject: "dev@example.com",
      registries: [
        { host: "123456789012.dkr.ecr.us-east-1.amazonaws.com", kind: "private", expires_at: iso(11 * H + 42 * M) },
        { host: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", kind: "private", expires_at: iso(11 * H + 42 * M) },
        { host: "registry.corp.example", kind: "alias", expires_at: iso(11 * H + 42 * M) },
        { host: "public.ecr.aws", kind: "public", expires_at: iso(11 * H + 42 * M) },
        { host: "210987654321.dkr.ecr.us-east-1.amazonaws.com", kind: "private", expires_at: iso(6 * M) },
      ],
      chain: [{ role_arn: "arn:aws:iam::210987654321:role/EcrReader", account: "210987654321", name: "EcrReader", path: "/", expires_at: iso(42 * M + 17_000) }],
      refresh_before_s: 600,
    },
    {
      profile: "staging",
      state: "expiring",
      role_arn: "arn:aws:iam::210987654321:role/ci/BuildAgent",
      role_name: "BuildAgent",
      role_path: "/ci/",
      account: "210987654321",
      expires_at: iso(8 * M + 30_000),
      subject: "dev@example.com",
      registries: [{ host: "210987654321.dkr.ecr.eu-west-1.amazonaws.com", kind: "private", expires_at: iso(8 * M) }],
      refresh_before_s: 600,
    },
    { profile: "sandbox", state: "logged_out", role_arn: null, account: null, expires_at: null, registries: [], refresh_before_s: 600, role_name: null, role_path: null },
  ];
}

function activity(): Activity[] {
  const a = (ms: number, profile: string, kind: Activity["kind"], message: string): Activity => ({ at: iso(-ms), profile, kind, message });
  return [
    a(2 * M, "corp", "refresh", "Refreshed 5 registry tokens"),
    a(14 * M, "staging", "info", "Session expires in 10 minutes; silent re-login scheduled"),
    a(53 * M, "corp", "login", "Signed in as Developer @ 123456789012"),
    a(55 * M, "corp", "switch", "Switched role to Developer @ 123456789012"),
    a(3 * H, "sandbox", "logout", "Signed out; removed 2 docker logins"),
    a(26 * H, "staging", "error", "ECR GetAuthorizationToken failed: network unreachable (retrying in 30s)"),
  ];
}

// ---------- repositories ----------

const REPO_NAMES = [
  "team/api", "team/web", "team/worker", "team/scheduler", "team/migrations", "team/docs",
  "platform/base-images/debian", "platform/base-images/alpine", "platform/base-images/distroless",
  "platform/ingress", "platform/otel-collector", "platform/vault-agent", "platform/node-exporter",
  "payments/gateway", "payments/ledger", "payments/fraud-scoring", "payments/reconciler",
  "data/etl-runner", "data/airflow", "data/notebook", "data/spark",
  "ml/trainer", "ml/serving", "ml/feature-store",
  "legacy/archive", "tools/ci-runner", "tools/terraform", "tools/kubectl", "sandbox/hello-world", "team/empty",
];

/** A stable pseudo-random number in [0, 1) for a string and a salt. */
function rand(s: string, salt = 0): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  h = Math.imul(h ^ (h >>> 15), 2246822507);
  return ((h ^ (h >>> 13)) >>> 0) / 4294967296;
}

function ecrHost(host: string): { account: string; region: string } {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host);
  return m ? { account: m[1], region: m[2] } : { account: "", region: "" };
}

/** The repositories of a session's ECR registries: most names in the first, some in the others. */
function repositories(status: Status | undefined): Repository[] {
  const hosts = (status?.registries ?? []).map((r) => r.host).filter((h) => ecrHost(h).account !== "");
  const out: Repository[] = [];
  hosts.forEach((host, i) => {
    const { account, region } = ecrHost(host);
    const names = i === 0 ? REPO_NAMES : REPO_NAMES.filter((n) => rand(n + host) < 0.35);
    for (const name of names) {
      out.push({ registry: host, region, account, name, uri: `${host}/${name}`, created_at: iso(-Math.floor(rand(name + host, 1) * 700 + 3) * 24 * H) });
    }
  });
  return out;
}

/** Demo tags the backend would not put in a pull command (it applies the OCI tag grammar; the
 *  mock only names them). */
const UNPULLABLE_TAGS = new Set(["release/2025-11"]);

function images(registry: string, name: string): Image[] {
  if (name === "team/empty") return [];
  const key = `${registry}/${name}`;
  const n = 1 + Math.floor(rand(key, 2) * 28);
  const base = 20 + Math.floor(rand(key, 3) * 400);
  const out: Image[] = [];
  for (let i = 0; i < n; i++) {
    const hex = Array.from({ length: 8 }, (_, j) => Math.floor(rand(key, 100 + i * 8 + j) * 4294967296).toString(16).padStart(8, "0")).join("");
    const tags: string[] = [];
    const r = rand(key, 1000 + i);
    if (i === 0) tags.push("latest", `v1.${n - 1}.0`);
    else if (r < 0.7) tags.push(`v1.${n - 1 - i}.${Math.floor(r * 10) % 4}`);
    else if (r < 0.85) tags.push(`sha-${hex.slice(0, 7)}`);
    if (i === 1 && r < 0.5) tags.push("stable");
    if (i === 2) tags.push("release/2025-11");
    out.push({
      tags,
      digest: `sha256:${hex}`,
      pull_tags: tags.filter((t) => !UNPULLABLE_TAGS.has(t)),
      pull_digest: true,
      pushed_at: i === n - 1 && r > 0.9 ? null : iso(-(i * 2.5 + rand(key, 2000 + i)) * 24 * H - 37 * M),
      size_bytes: r > 0.95 ? null : Math.floor((base + rand(key, 3000 + i) * 40) * 1_048_576),
    });
  }
  return out;
}

const fetchedAt = new Map<string, string>();
let listFailures = 0;

function listRepositories(status: Status | undefined, profile: string, refresh: boolean, variant: string): RepositoryList {
  if (variant === "repos-fail" && listFailures++ === 0) {
    throw { code: "network", message: "Cannot reach api.ecr.us-east-1.amazonaws.com: connection timed out after 30s." };
  }
  if (refresh || !fetchedAt.has(profile)) fetchedAt.set(profile, iso(0));
  let repos = repositories(status);
  const errors: RepositoryList["errors"] = [];
  if (variant === "repos-partial") {
    const failing = "210987654321.dkr.ecr.us-east-1.amazonaws.com";
    repos = repos.filter((r) => r.registry !== failing);
    errors.push({
      registry: failing,
      error: { code: "sts_failed", message: "AccessDeniedException: EcrReader is not authorized to perform ecr:DescribeRepositories" },
    });
  }
  return { profile, repositories: repos, fetched_at: fetchedAt.get(profile)!, errors };
}

const delay = <T>(ms: number, f: () => T) => new Promise<T>((resolve, reject) => setTimeout(() => {
  try {
    resolve(f());
  } catch (e) {
    reject(e);
  }
}, ms));

/** The accounts of the assertion's roles as registries; configured when the profile covers them. */
function proposals(profile: Profile | undefined, status: Status | undefined): RegistryProposal[] {
  const byAccount = new Map<string, string[]>();
  for (const r of ROLES) byAccount.set(r.account, [...(byAccount.get(r.account) ?? []), r.name]);
  const region = profile?.region ?? "us-east-1";
  const covered = (account: string) =>
    (profile?.registry ?? []).length === 0
      ? account === status?.account
      : (profile?.registry ?? []).some((g) => !g.public && (g.account ?? status?.account) === account && (g.region ?? region) === region);
  return [...byAccount].map(([account, roles]) => ({ account, region, roles, configured: covered(account) }));
}

/** Profile corp signing in with another issuer, to a role in an account it has not used. */
const TRUST: TrustQuestion = {
  profile: "corp",
  role_arn: ROLES[5].role_arn,
  role_name: ROLES[5].name,
  issuer: "http://www.okta.com/exk9other",
  known_issuer: "http://www.okta.com/exk1corp",
  new_issuer: true,
  account: ROLES[5].account,
  known_accounts: ["123456789012", "210987654321"],
  new_account: true,
};

export function installMock(variant: string) {
  const walk = variant.startsWith("walk-") ? variant.slice(5) : null;
  const empty = variant === "empty" || variant === "setup-fail" || walk !== null;
  let loginFailures = variant === "setup-fail" ? 1 : 0;
  let autostart = false;
  let config: ConfigView = empty
    ? { path: "/home/dev/.config/dockpass/config.toml", profiles: [], exists: false, ecr_public: ECR_PUBLIC }
    : { path: "/home/dev/.config/dockpass/config.toml", profiles: PROFILES, exists: true, ecr_public: ECR_PUBLIC };
  const state: Overview =
    empty
      ? { profiles: [], selected: null, sessions: [], roles: {}, activity: [], warnings: [], picker: null, trust: null, progress: [] }
      : { profiles: config.profiles.map((p) => p.name), selected: "corp", sessions: sessions(), roles: { corp: ROLES, staging: ROLES.slice(3, 5) }, activity: activity(), warnings: [], picker: null, trust: null, progress: [] };
  if (variant === "error") {
    state.sessions[0] = {
      ...state.sessions[0],
      state: "error",
      error: { code: "sts_failed", message: "STS AssumeRoleWithSAML failed: the SAML assertion has expired. Sign in again." },
    };
  }
  if (variant === "signin") state.selected = "sandbox";
  let held: TrustQuestion | null = variant === "trust-waiting" ? TRUST : null;
  if (held) state.trust = held;

  const later = (ms: number, f: () => void) => setTimeout(f, ms);
  const log = (profile: string, kind: Activity["kind"], message: string) => void emit("activity", { at: iso(0), profile, kind, message });

  /** The end of a sign-in as `r`: progress, the new session, a line of activity. */
  const signIn = (profile: string, r: Role) => {
    later(100, () => void emit("login-progress", { profile, phase: "assuming_role" }));
    later(900, () => void emit("login-progress", { profile, phase: "writing_docker_config" }));
    later(1500, () => {
      const s: Status = {
        profile,
        state: "active",
        role_arn: r.role_arn,
        role_name: r.name,
        role_path: r.path,
        account: r.account,
        expires_at: iso(8 * H),
        subject: "dev@example.com",
        refresh_before_s: 600,
        registries: [{ host: `${r.account}.dkr.ecr.us-east-1.amazonaws.com`, kind: "private", expires_at: iso(12 * H) }],
      };
      state.sessions = [...state.sessions.filter((x) => x.profile !== profile), s];
      state.roles = { ...state.roles, [profile]: ROLES };
      void emit("session-changed", s);
      void emit("login-progress", { profile, phase: "done" });
      log(profile, "login", `Signed in as ${r.name} @ ${r.account}`);
    });
  };
  /** Takes the held sign-in of `profile` away, as the backend does for either answer. */
  const release = (profile: string): TrustQuestion | null => {
    const q = held && held.profile === profile ? held : null;
    held = null;
    state.trust = null;
    later(10, () => void emit("trust-prompt-closed", { profile }));
    return q;
  };

  mockIPC(
    (cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      const profile = a.profile as string;
      switch (cmd) {
        case "overview":
          return state;
        case "config_get":
          return config;
        case "config_save": {
          const profiles = a.profiles as Profile[];
          if (profiles.some((p) => p.name === "fail")) {
            throw { code: "config", message: `invalid config ${config.path}, line 1, key \`profile[0].name\`: "fail" is reserved for this demo` };
          }
          config = { ...config, profiles, exists: true };
          later(10, () => void emit("config-changed", config));
          return config;
        }
        // The checks are the backend's rules; this stand-in finds nothing wrong (the real ones
        // are tested in Rust and in the app under WebDriver).
        case "check_profile":
          return { errors: {} };
        case "check_link":
          return { idp: null, portal: null, problem: null, suggested_name: "default" };
        case "registry_hosts":
          return (a.registries as { account: string; region: string }[]).map((r) => ({
            host: `${r.account}.dkr.ecr.${r.region}.amazonaws.com (illustrative)`,
            problem: null,
          }));
        case "login":
          later(200, () => void emit("login-progress", { profile, phase: "opening" }));
          later(900, () => void emit("login-progress", { profile, phase: "waiting_for_idp" }));
          if (loginFailures > 0) {
            loginFailures--;
            later(2500, () => void emit("login-progress", { profile, phase: "failed", message: "The SAML response has expired (NotOnOrAfter 2025-11-26T10:05:00Z); sign in again." }));
            return null;
          }
          later(2500, () => void emit("role-picker", { profile, roles: ROLES, current: null }));
          return null;
        case "switch_role": {
          const cur = state.sessions.find((s) => s.profile === profile)?.role_arn ?? null;
          later(50, () => void emit("role-picker", { profile, roles: state.roles[profile] ?? ROLES, current: cur }));
          return null;
        }
        case "pick_role": {
          const r = ROLES.find((x) => x.role_arn === a.roleArn)!;
          // Picking the role in the account corp has not used holds the sign-in, as the backend does.
          if (profile === "corp" && r.account === TRUST.account) {
            held = { ...TRUST, role_arn: r.role_arn, new_issuer: false, issuer: TRUST.known_issuer };
            state.trust = held;
            later(50, () => void emit("trust-prompt", held!));
            return null;
          }
          signIn(profile, r);
          return null;
        }
        case "confirm_trust": {
          const q = release(profile);
          if (!q) throw { code: "usage", message: `no sign-in of profile ${profile} waits for a confirmation` };
          const issuer = `issuer ${q.issuer ?? "(none)"}`;
          log(profile, "info", `Trusted ${q.new_issuer && q.new_account ? `${issuer} and account ${q.account}` : q.new_issuer ? issuer : `account ${q.account}`}`);
          signIn(profile, ROLES.find((x) => x.role_arn === q.role_arn)!);
          return null;
        }
        case "reject_trust": {
          const q = release(profile);
          if (q) {
            later(10, () => void emit("login-progress", { profile, phase: "cancelled" }));
            log(profile, "error", `Did not sign in: you did not trust ${q.new_issuer ? `issuer ${q.issuer ?? "(none)"}` : `account ${q.account}`}`);
          }
          return null;
        }
        case "cancel_pick":
          later(10, () => void emit("login-progress", { profile, phase: "cancelled" }));
          return null;
        case "logout": {
          const s: Status = { profile, state: "logged_out", role_arn: null, account: null, expires_at: null, registries: [], refresh_before_s: 600, role_name: null, role_path: null };
          later(100, () => {
            void emit("session-changed", s);
            log(profile, "logout", "Signed out; removed docker logins");
          });
          return null;
        }
        case "propose_registries": {
          const status = state.sessions.find((x) => x.profile === profile);
          return delay(300, () => proposals(config.profiles.find((p) => p.name === profile), status));
        }
        case "add_registries": {
          const regs = a.registries as { account: string; region: string }[];
          const status = state.sessions.find((x) => x.profile === profile);
          const p = config.profiles.find((x) => x.name === profile);
          if (!p) throw { code: "usage", message: `no profile ${profile}` };
          // A profile without registries had the role's account in its region: keep it.
          const before: RegistrySpec[] = p.registry?.length ? p.registry : status?.account ? [{ account: status.account, region: p.region }] : [];
          const next = { ...p, registry: [...before, ...regs] };
          config = { ...config, profiles: config.profiles.map((x) => (x === p ? next : x)) };
          later(10, () => void emit("config-changed", config));
          if (status) {
            const s: Status = { ...status, registries: [...status.registries, ...regs.map((r) => ({ host: `${r.account}.dkr.ecr.${r.region}.amazonaws.com`, kind: "private" as const, expires_at: iso(12 * H) }))] };
            state.sessions = state.sessions.map((x) => (x.profile === profile ? s : x));
            later(400, () => void emit("session-changed", s));
          }
          return delay(600, () => config);
        }
        case "autostart_get":
          return autostart;
        case "autostart_set":
          autostart = a.enabled === true;
          return delay(150, () => autostart);
        case "select_profile":
          state.selected = profile;
          return null;
        case "list_repositories": {
          const status = state.sessions.find((x) => x.profile === profile);
          return delay(a.refresh ? 900 : 350, () => listRepositories(status, profile, a.refresh === true, variant));
        }
        case "list_images": {
          const name = a.name as string;
          if (name === "legacy/archive") {
            return delay(500, () => {
              throw { code: "sts_failed", message: "RepositoryNotFoundException: The repository 'legacy/archive' does not exist in the registry" };
            });
          }
          return delay(400, () => images(a.registry as string, name));
        }
        default:
          throw { code: "usage", message: `the mock does not know command ${cmd}` };
      }
    },
    { shouldMockEvents: true },
  );

  const click = (sel: string, ms: number) => later(ms, () => document.querySelector<HTMLElement>(sel)?.click());
  if (variant === "picker") later(300, () => void emit("role-picker", { profile: "corp", roles: ROLES, current: ROLES[0].role_arn }));
  if (variant === "trust") {
    later(300, () => {
      held = TRUST;
      state.trust = held;
      void emit("login-progress", { profile: "corp", phase: "waiting_for_idp" });
      void emit("trust-prompt", TRUST);
    });
  }
  if (variant === "settings") click('[data-testid="tab-settings"]', 200);
  if (variant === "new") {
    click('[data-testid="add-profile"]', 200);
    later(400, () => {
      const type = (name: string, v: string) => {
        const el = document.querySelector<HTMLInputElement>(`input[name="${name}"]`);
        if (!el) return;
        el.value = v;
        el.dispatchEvent(new Event("input", { bubbles: true }));
        el.dispatchEvent(new Event("blur"));
      };
      type("name", "dev team");
      type("idp_url", "corp.example.okta.com/app");
      type("region", "us-east-1");
      type("session_duration", "10m");
    });
  }
  if (walk) {
    // The first-run setup, driven like a user would: URL, save, the picker, a proposal, add.
    later(300, () => {
      const el = document.querySelector<HTMLInputElement>('[data-testid="setup-idp-url"]');
      if (!el) return;
      el.value = "https://acme.okta.com/home/amazon_aws/0oa1b2c3d4e5f6g7h8i9/272";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    if (walk !== "connect") click('[data-testid="setup-save"]', 500);
    if (walk === "registries" || walk === "done") {
      click('[data-testid="role-option"]', 3200);
      click('[data-testid="proposal"][data-account="210987654321"] [data-testid="proposal-check"]', 5600);
    }
    if (walk === "done") click('[data-testid="setup-add"]', 6000);
  }
  if (variant === "error") later(300, () => document.querySelector<HTMLElement>('[data-testid="switch-role"], [data-testid="sign-in"]')?.click());
  if (variant === "error") {
    // the sign-in click above fails with a banner
    const orig = window.__TAURI_INTERNALS__.invoke;
    window.__TAURI_INTERNALS__.invoke = (cmd: string, args: unknown, opts: unknown) =>
      cmd === "login" ? Promise.reject({ code: "network", message: "Cannot reach corp.example.okta.com: connection timed out after 30s. Check your network or proxy (HTTPS_PROXY)." }) : orig(cmd, args, opts);
  }
  if (variant === "signin") {
    click('[data-testid="sign-in"]', 300);
  }
}

declare global {
  interface Window {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    __TAURI_INTERNALS__: any;
  }
}
