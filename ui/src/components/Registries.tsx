// Registry tokens of the session: host, expiry (relative; absolute on hover), status.
import type { RegistryStatus } from "../api";
import { useNow } from "../clock";
import { earliest, formatAbsolute, formatRelative, parseTime, relativeNext } from "../format";
import { tokenState, tokenStateNext } from "../status";
import { IconServer } from "./icons";

const LABEL = { valid: "Valid", expiring: "Expiring", expired: "Expired" } as const;

export function Registries({ registries, thresholdMs, signedIn }: { registries: RegistryStatus[]; thresholdMs: number; signedIn: boolean }) {
  const now = useNow((t) =>
    earliest(
      t,
      ...registries.flatMap((r) => {
        const exp = parseTime(r.expires_at);
        return [tokenStateNext(r.expires_at, t, thresholdMs), exp === null ? null : relativeNext(exp, t)];
      }),
    ),
  );
  return (
    <section class="card" aria-labelledby="registries-title" data-testid="registries">
      <header class="card-head">
        <h3 id="registries-title">
          <IconServer /> Registries
        </h3>
        {registries.length > 0 && <span class="count">{registries.length}</span>}
      </header>
      {registries.length === 0 ? (
        <p class="empty muted">
          {signedIn ? "No registry tokens yet; they appear here once fetched." : "Registry tokens appear here after you sign in."}
        </p>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Expires</th>
                <th scope="col" class="col-status">Status</th>
              </tr>
            </thead>
            <tbody>
              {registries.map((r) => {
                const exp = parseTime(r.expires_at);
                const st = tokenState(r.expires_at, now, thresholdMs);
                return (
                  <tr key={r.host} data-testid="registry-row" data-host={r.host} data-status={st}>
                    <td class="host mono" title={r.host}>
                      {r.host}
                    </td>
                    <td class="nowrap" title={exp === null ? undefined : formatAbsolute(exp)}>
                      {exp === null ? "—" : formatRelative(exp, now)}
                    </td>
                    <td class="col-status">
                      <span class={`pill small token-${st}`}>
                        <span class="dot" aria-hidden="true" />
                        {LABEL[st]}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
