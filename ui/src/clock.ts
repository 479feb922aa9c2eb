// One shared local clock for every countdown: it ticks on each wall-clock second while something
// listens, so all countdowns change together. Nothing here talks to the backend.
import { useEffect, useState } from "preact/hooks";

type Listener = (now: number) => void;

const listeners = new Set<Listener>();
let timer: ReturnType<typeof setTimeout> | null = null;

function schedule() {
  // Fire at the next whole second, so a countdown to a whole-second expiry steps evenly. A timer
  // that fires a little early just schedules the next one a moment later.
  const delay = 1000 - (Date.now() % 1000);
  timer = setTimeout(() => {
    const now = Date.now();
    for (const l of [...listeners]) l(now);
    if (listeners.size > 0) schedule();
    else timer = null;
  }, delay);
}

export function subscribeClock(l: Listener): () => void {
  listeners.add(l);
  if (timer === null) schedule();
  return () => {
    listeners.delete(l);
    if (listeners.size === 0 && timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  };
}

/** The current time, re-rendering the caller every second. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    return subscribeClock(setNow);
  }, []);
  return now;
}
