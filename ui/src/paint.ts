// The main window's first paint, for the benchmarks (benches/bench_app.py): once the UI has
// rendered with its first overview and config, the second animation frame after that starts
// only when the first one has been painted; then the app is told ("ui-painted"). The app
// listens only when DOCKPASS_BENCH_READY_FILE is set; otherwise the event goes nowhere.
import { notePainted } from "./api";

let sent = false;

export function reportFirstPaint(): void {
  if (sent || typeof requestAnimationFrame !== "function") return;
  sent = true;
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      notePainted().catch(() => {});
    }),
  );
}
