import { render } from "preact";
import { App } from "./App";
import "./styles.css";

declare const __DOCKPASS_MOCK__: boolean;

// Linux: short font stacks (styles.css, `:root.linux`), set before the first render.
if (/Linux/.test(navigator.userAgent) && !/Android/.test(navigator.userAgent)) {
  document.documentElement.classList.add("linux");
}

async function start() {
  // Dev only: `?mock` fakes the backend with sample data. The production build leaves this out entirely.
  if ((import.meta.env.DEV || __DOCKPASS_MOCK__) && new URLSearchParams(location.search).has("mock")) {
    const { installMock } = await import("./dev/mock");
    installMock(new URLSearchParams(location.search).get("mock") ?? "");
  }
  render(<App />, document.getElementById("app")!);
}

void start();
