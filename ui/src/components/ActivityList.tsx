// Recent activity, newest first (the backend sends it that way; events are prepended).
import type { Activity } from "../api";
import { useNow } from "../clock";
import { dayNext, formatAbsolute, formatEventTime, parseTime } from "../format";
import { IconActivity } from "./icons";

export function ActivityList({ items, showProfile }: { items: Activity[]; showProfile: boolean }) {
  // Times of today show the time of day, older ones the date: that changes at midnight.
  const now = useNow((t) => (items.length > 0 ? dayNext(t) : null));
  return (
    <section class="card" aria-labelledby="activity-title">
      <header class="card-head">
        <h3 id="activity-title">
          <IconActivity /> Recent activity
        </h3>
      </header>
      {items.length === 0 ? (
        <p class="empty muted">Nothing has happened yet. Sign-ins, role switches and refreshes show up here.</p>
      ) : (
        <ol class="activity">
          {items.map((a, i) => {
            const t = parseTime(a.at);
            return (
              <li key={`${a.at}-${i}`} class={`activity-item kind-${a.kind}`} data-testid="activity-item" data-kind={a.kind}>
                <span class="kind-dot" aria-hidden="true" />
                <time class="when mono" dateTime={a.at} title={t === null ? undefined : formatAbsolute(t)}>
                  {t === null ? a.at : formatEventTime(t, now)}
                </time>
                {showProfile && <span class="tag">{a.profile}</span>}
                <span class="message">{a.message}</span>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
