// Wires the backend to the reducer: listen to every event first, then load the overview once.
// Events that arrive before the overview is in are applied after it, in order.
import { api, on, type ConfigView, type Overview } from "./api";
import type { Action } from "./state";

export interface Connection {
  /** Resolves once the first overview and config are in; rejects with {code, message}. */
  ready: Promise<void>;
  /** Loads the overview and config again (after a failed start). */
  reload: () => Promise<void>;
  close: () => void;
}

export function connect(dispatch: (a: Action) => void): Connection {
  let loaded = false;
  let closed = false;
  const queue: Action[] = [];
  const push = (a: Action) => {
    if (closed) return;
    if (loaded) dispatch(a);
    else queue.push(a);
  };

  const subscriptions = [
    on("overview", (overview) => push({ type: "overview", overview })),
    on("session-changed", (status) => push({ type: "session", status })),
    on("activity", (activity) => push({ type: "activity", activity })),
    on("role-picker", (picker) => push({ type: "picker", picker })),
    on("role-picker-closed", (p) => push({ type: "picker-closed", profile: p.profile })),
    on("trust-prompt", (trust) => push({ type: "trust", trust })),
    on("trust-prompt-closed", (p) => push({ type: "trust-closed", profile: p.profile })),
    on("login-progress", (progress) => push({ type: "progress", progress })),
    on("config-changed", (config) => push({ type: "config", config })),
  ];

  const load = async () => {
    await Promise.all(subscriptions);
    const [overview, config]: [Overview, ConfigView] = await Promise.all([api.overview(), api.configGet()]);
    if (closed) return;
    dispatch({ type: "overview", overview });
    dispatch({ type: "config", config });
    loaded = true;
    for (const a of queue.splice(0)) dispatch(a);
  };

  return {
    ready: load(),
    reload: load,
    close: () => {
      closed = true;
      for (const s of subscriptions) s.then((unlisten) => unlisten()).catch(() => {});
    },
  };
}
