// Settings of the app itself (all profiles), applied at once: start at login.
import { useEffect, useState } from "preact/hooks";
import { api, toApiError, type ApiError } from "../api";

export function AppSettings() {
  /** null until the backend answered. */
  const [on, setOn] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      api.autostartGet().then(
        (v) => live && setOn(v),
        (e) => live && setError(toApiError(e)),
      );
    void load();
    // The tray's "Start at login" may have changed it while the window was in the background.
    window.addEventListener("focus", load);
    return () => {
      live = false;
      window.removeEventListener("focus", load);
    };
  }, []);

  const toggle = async (want: boolean) => {
    setBusy(true);
    setError(null);
    try {
      setOn(await api.autostartSet(want));
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="form-section" data-testid="app-settings">
      <div class="section-head">
        <h3>Dockpass</h3>
        <span class="muted small">All profiles · applies at once</span>
      </div>
      <label class="check-line">
        <input
          type="checkbox"
          data-testid="autostart-toggle"
          checked={on === true}
          disabled={on === null || busy}
          onChange={(e) => void toggle(e.currentTarget.checked)}
        />
        <span>
          Start Dockpass when I log in
          <span class="muted"> · in the tray, so docker logins stay fresh</span>
        </span>
      </label>
      {error && (
        <div class="field-error" role="alert" data-testid="autostart-error">
          {error.message}
        </div>
      )}
    </section>
  );
}
