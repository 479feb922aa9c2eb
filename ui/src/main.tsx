import { render } from "preact";
import { App } from "./App";
import "./styles.css";

declare const __DOCKPASS_MOCK__: boolean;

async function start() {
  // Dev only: `?mock` fakes the backend with sample data. The production build leaves this out entirely.
  if ((import.meta.env.DEV || __DOCKPASS_MOCK__) && new URLSearchParams(location.search).has("mock")) {
    const { installMock } = await import("./dev/mock");
    installMock(new URLSearchParams(location.search).get("mock") ?? "");
  }
  render(<App />, document.getElementById("app")!);
}

void start();
