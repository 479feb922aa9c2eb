// The session of the selected profile: who, which role, how long still, and what to do.
import type { ChainStatus, LoginProgress, Status } from "../api";
import { useNow } from "../clock";
import { countdownNext, dayNext, earliest, formatAbsolute, formatCountdown, formatDay, formatRelative, parseTime, relativeNext } from "../format";
import { RUNNING_PHASES } from "../state";
import { effectiveState, effectiveStateNext, STATE_LABEL } from "../status";
import { IconAlert, IconKey, IconLogin, IconLogout, IconSwitch, IconUser } from "./icons";

const PHASE_TEXT: Record<string, string> = {
  opening: "Opening the sign-in window…",
  waiting_for_idp: "Waiting for you to sign in at your identity provider…",
  assuming_role: "Getting AWS credentials…",
  writing_docker_config: "Writing docker credentials…",
};

interface Props {
  status: Status;
  thresholdMs: number;
  progress?: LoginProgress;
  knownRoles: number;
  onSignIn: () => void;
  /** Cancels a sign-in under way (shown while it waits for the IdP). */
  onCancel?: () => void;
  onSwitchRole: () => void;
  onSignOut: () => void;
}

export function StatePill({ state, small }: { state: Status["state"]; small?: boolean }) {
  return (
    <span class={`pill state-${state}${small ? " small" : ""}`} data-testid={small ? undefined : "session-state"} data-state={state}>
      <span class="dot" aria-hidden="true" />
      {STATE_LABEL[state]}
    </span>
  );
}

/**
 * The roles assumed from the session's role (or from another role of the sign-in). Their
 * credentials live an hour at most and the backend renews them on its own (about every 30
 * minutes), so the expiry is shown quietly. With `signIn`, the other roles the sign-in itself
 * gave (a profile's `roles`, an Identity Center account's role), renewed with the session.
 */
export function ChainList({ chain, now, signIn = false }: { chain: ChainStatus[]; now: number; signIn?: boolean }) {
  const id = signIn ? "signin-roles-title" : "chain-list-title";
  return (
    <div class="chain-list" data-testid={signIn ? "signin-roles" : "chain-list"}>
      <div class="chain-list-head">
        <span class="stat-label" id={id}>
          {signIn ? "Also signed in" : "Chained roles"}
        </span>
        <span class="muted">{signIn ? "renewed with the session" : "renewed automatically"}</span>
      </div>
      <ul aria-labelledby={id}>
        {chain.map((c) => {
          const r = c.name ? { name: c.name, path: c.path } : null;
          const exp = parseTime(c.expires_at);
          return (
            <li class="chain-item" key={c.role_arn} data-testid="chain-row" data-role-arn={c.role_arn}>
              <IconKey size={14} />
              <span class="chain-role" title={c.role_arn}>
                {r?.name ?? c.role_arn}
              </span>
              {r && r.path !== "/" && <span class="chip mono role-path">{r.path}</span>}
              {c.account_name && (
                <span class="account-name chain-account-name" data-testid="chain-account-name">
                  {c.account_name}
                </span>
              )}
              <span class="mono chain-account" title="Account">
                {c.account}
              </span>
              <span class="chain-exp muted" data-testid="chain-expiry" title={exp === null ? undefined : `Expires ${formatAbsolute(exp)}`}>
                {exp === null ? "" : exp > now ? `expires ${formatRelative(exp, now)}` : `expired ${formatRelative(exp, now)}`}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/**
 * When the card next changes after `now`: its state (the threshold, the expiry), the countdown
 * (each minute, each second in the last minutes; then "expired …"), the expiry's day, the chained
 * roles' expiries.
 */
export function sessionCardNext(status: Status, now: number, thresholdMs: number): number | null {
  if (status.state === "logged_out") return null;
  const exp = parseTime(status.expires_at);
  const chain = (status.chain ?? []).map((c) => parseTime(c.expires_at)).filter((t): t is number => t !== null);
  return earliest(
    now,
    effectiveStateNext(status, now, thresholdMs),
    exp === null ? null : exp > now ? (countdownNext(exp, now) ?? exp) : relativeNext(exp, now),
    exp === null ? null : dayNext(now),
    ...chain.map((t) => relativeNext(t, now)),
  );
}

export function SessionCard({ status, thresholdMs, progress, knownRoles, onSignIn, onCancel, onSwitchRole, onSignOut }: Props) {
  const now = useNow((t) => sessionCardNext(status, t, thresholdMs));
  const state = effectiveState(status, now, thresholdMs);
  const exp = parseTime(status.expires_at);
  const role = status.role_name ? { name: status.role_name, path: status.role_path ?? "/" } : null;
  const account = status.account;
  const running = progress ? RUNNING_PHASES.has(progress.phase) : false;
  const live = state === "active" || state === "expiring";
  const canSignIn = state === "logged_out" || state === "expired" || state === "error";
  const hasSession = state !== "logged_out" && (live || status.role_arn !== null);

  const actions = (
    <div class="actions">
      {canSignIn && (
        <button type="button" class="btn primary" data-testid="sign-in" disabled={running} onClick={onSignIn}>
          <IconLogin /> {running ? "Signing in…" : state === "logged_out" ? "Sign in" : "Sign in again"}
        </button>
      )}
      {live && (
        <button
          type="button"
          class="btn"
          data-testid="switch-role"
          disabled={running}
          title={knownRoles > 0 ? `${knownRoles} roles from the last sign-in` : undefined}
          onClick={onSwitchRole}
        >
          <IconSwitch /> Switch role
        </button>
      )}
      {hasSession && (
        <button type="button" class="btn" data-testid="sign-out" disabled={running} onClick={onSignOut}>
          <IconLogout /> Sign out
        </button>
      )}
    </div>
  );

  return (
    <section class={`card session tone-${state}`} data-testid="session" data-state={state} aria-labelledby="session-title">
      <div class="session-top">
        <div class="session-id">
          <div class="session-kicker">
            <StatePill state={state} />
            {status.subject && (
              <span class="subject" title="Signed in as">
                <IconUser size={14} /> <span data-testid="session-subject">{status.subject}</span>
              </span>
            )}
          </div>
          {role ? (
            <>
              <h2 id="session-title" class="role-title">
                <span data-testid="session-role">{role.name}</span>
                {role.path !== "/" && <span class="chip mono role-path">{role.path}</span>}
              </h2>
              <div class="session-meta">
                <span class="muted">Account</span>{" "}
                {status.account_name && (
                  <span class="account-name" data-testid="session-account-name">
                    {status.account_name}
                  </span>
                )}{" "}
                <span class="mono" data-testid="session-account">{account}</span>
              </div>
            </>
          ) : (
            <>
              <h2 id="session-title" class="role-title">
                {state === "error" ? "Sign-in failed" : "You're not signed in"}
              </h2>
              <p class="muted session-hint">
                {state === "error"
                  ? "Dockpass could not get credentials for this profile."
                  : "Sign in at your identity provider to get AWS credentials and docker logins for this profile's registries."}
              </p>
            </>
          )}
        </div>
        {actions}
      </div>

      {exp !== null && state !== "logged_out" && (
        <div class="session-stats">
          <div class="stat">
            <div class="stat-label">{exp <= now ? "Expired" : "Expires in"}</div>
            <div class="stat-value countdown mono" data-testid="session-countdown" title={formatAbsolute(exp)}>
              {exp <= now ? formatRelative(exp, now) : formatCountdown(exp - now)}
            </div>
          </div>
          <div class="stat">
            <div class="stat-label">{exp <= now ? "Expired at" : "Expires at"}</div>
            <div class="stat-value" title={formatAbsolute(exp)}>
              {formatDay(exp, now)}
            </div>
          </div>
          <div class="stat optional">
            <div class="stat-label">Registries</div>
            <div class="stat-value">{status.registries.length}</div>
          </div>
        </div>
      )}

      {status.chain && state !== "logged_out" && status.chain.some((c) => c.sign_in) && (
        <ChainList chain={status.chain.filter((c) => c.sign_in)} now={now} signIn />
      )}
      {status.chain && state !== "logged_out" && status.chain.some((c) => !c.sign_in) && (
        <ChainList chain={status.chain.filter((c) => !c.sign_in)} now={now} />
      )}

      {state === "error" && status.error && (
        <div class="inline-error" role="alert" data-testid="session-error">
          <IconAlert />
          <div>
            <div>{status.error.message}</div>
            <div class="code mono">{status.error.code}</div>
          </div>
        </div>
      )}

      {progress && running && (
        <div class="progress-line" role="status" data-testid="login-progress" data-phase={progress.phase}>
          <span class="spinner" aria-hidden="true" />
          <span class="grow">{progress.message ?? PHASE_TEXT[progress.phase]}</span>
          {onCancel && (progress.phase === "opening" || progress.phase === "waiting_for_idp") && (
            <button type="button" class="btn small ghost" data-testid="cancel-sign-in" onClick={onCancel}>
              Cancel
            </button>
          )}
        </div>
      )}
      {progress && progress.phase === "failed" && !(state === "error" && status.error?.message === progress.message) && (
        <div class="inline-error" role="alert" data-testid="login-progress" data-phase="failed">
          <IconAlert />
          <div>{progress.message ?? "Sign-in failed."}</div>
        </div>
      )}
    </section>
  );
}
