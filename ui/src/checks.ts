// The backend's checks of what the user types (check_profile, check_link, registry_hosts): the
// rules live in Rust, the forms ask and show the answer.
import { useEffect, useState } from "preact/hooks";

export interface Checked<T> {
  /** The latest answer (for an earlier input while the next answer is on its way); null before the first. */
  value: T | null;
  /** Whether `value` answers the current input: forms save only then. */
  current: boolean;
}

/**
 * Asks the backend `ask()` whenever `key` (the input, as text) changes. Answers to older inputs
 * that arrive late are dropped. A failed call counts as answered with nothing to say: the
 * backend checks again when the form saves.
 */
export function useBackendCheck<T>(key: string, ask: () => Promise<T>): Checked<T> {
  const [got, setGot] = useState<{ key: string; value: T | null } | null>(null);
  useEffect(() => {
    let live = true;
    ask().then(
      (value) => live && setGot({ key, value }),
      () => live && setGot((g) => ({ key, value: g?.value ?? null })),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return { value: got?.value ?? null, current: got?.key === key };
}
