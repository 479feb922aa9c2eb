// The profile list, with each profile's state at a glance.
import type { Status } from "../api";
import { useNow } from "../clock";
import { countdownNext, earliest, formatCountdown, parseTime } from "../format";
import { effectiveState, effectiveStateNext, STATE_LABEL } from "../status";
import { IconPlus, Logo } from "./icons";

interface Props {
  profiles: string[];
  selected: string | null;
  adding: boolean;
  sessionOf: (p: string) => Status;
  thresholdOf: (p: string) => number;
  configPath: string | null;
  onSelect: (p: string) => void;
  onAdd: () => void;
}

export function Sidebar({ profiles, selected, adding, sessionOf, thresholdOf, configPath, onSelect, onAdd }: Props) {
  const now = useNow((t) =>
    earliest(
      t,
      ...profiles.flatMap((p) => {
        const s = sessionOf(p);
        const exp = parseTime(s.expires_at);
        return [effectiveStateNext(s, t, thresholdOf(p)), exp === null ? null : countdownNext(exp, t)];
      }),
    ),
  );
  return (
    <nav class="sidebar" aria-label="Profiles">
      <div class="brand">
        <Logo />
        <span>Dockpass</span>
      </div>
      <div class="side-label">Profiles</div>
      <ul class="profile-list">
        {profiles.map((p) => {
          const s = sessionOf(p);
          const st = effectiveState(s, now, thresholdOf(p));
          const role = s.role_name ? { name: s.role_name } : null;
          const exp = parseTime(s.expires_at);
          const live = (st === "active" || st === "expiring") && exp !== null;
          const current = p === selected && !adding;
          return (
            <li key={p}>
              <button
                type="button"
                class={current ? "profile-item current" : "profile-item"}
                aria-current={current ? "page" : undefined}
                data-testid="profile-item"
                data-profile={p}
                data-state={st}
                onClick={() => onSelect(p)}
              >
                <span class={`dot state-${st}`} title={STATE_LABEL[st]} aria-hidden="true" />
                <span class="profile-text">
                  <span class="profile-name">{p}</span>
                  <span class="profile-sub">
                    {role && st !== "logged_out" ? role.name : STATE_LABEL[st]}
                    {live && exp !== null ? ` · ${formatCountdown(exp - now).split(" ").slice(0, 2).join(" ")}` : ""}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
        {profiles.length === 0 && <li class="side-empty">No profiles yet</li>}
      </ul>
      <button type="button" class={adding ? "side-add current" : "side-add"} data-testid="add-profile" onClick={onAdd}>
        <IconPlus /> Add profile
      </button>
      <div class="side-foot" title={configPath ?? undefined}>
        {configPath && <span class="mono">{shortPath(configPath)}</span>}
      </div>
    </nav>
  );
}

function shortPath(p: string): string {
  const home = /^(\/home\/[^/]+|\/Users\/[^/]+|[A-Za-z]:\\Users\\[^\\]+)/.exec(p);
  return home ? `~${p.slice(home[0].length)}` : p;
}
