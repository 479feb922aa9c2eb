// The backend's checks (check_profile, check_link, registry_hosts) answered by the real rules:
// `dockpass ui-check` (dockpass_core::app::checks), so the component tests never copy a rule.
// Plain JavaScript because it runs Node's child_process (the UI's types are the browser's).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

// vitest runs in ui/ (npm --prefix ui test); the workspace builds into ../target.
const BIN = process.env.DOCKPASS_BIN || resolve(process.cwd(), "../target/debug/dockpass");

export const CHECKS = new Set(["check_profile", "check_link", "registry_hosts"]);

export function realCheck(cmd, args, others) {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: the UI tests ask the real rules through it; build it first (cargo build -p dockpass-cli)`);
  }
  const out = execFileSync(BIN, ["ui-check"], { input: JSON.stringify({ cmd, args: { ...args, others } }), stdio: ["pipe", "pipe", "pipe"] });
  return JSON.parse(out.toString());
}
