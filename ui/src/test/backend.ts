// A fake backend for component tests: mockIPC answers the commands, and events go through the
// real `listen` machinery (mockIPC's shouldMockEvents).
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { act } from "@testing-library/preact";
import type { ConfigView, EventMap, Overview } from "../api";
import { config as sampleConfig, overview as sampleOverview, repositoryList } from "./fixtures";
import { CHECKS, realCheck } from "./realChecks";

type Handler = (args: Record<string, unknown>) => unknown;

export interface FakeBackend {
  calls: { cmd: string; args: Record<string, unknown> }[];
  argsOf: (cmd: string) => Record<string, unknown>[];
  emit: <K extends keyof EventMap>(name: K, payload: EventMap[K]) => Promise<void>;
}

export function fakeBackend(opts: { overview?: Overview; config?: ConfigView; handlers?: Record<string, Handler> } = {}): FakeBackend {
  const calls: FakeBackend["calls"] = [];
  const ov = opts.overview ?? sampleOverview();
  const conf = opts.config ?? sampleConfig();
  mockIPC(
    (cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args: a });
      const h = opts.handlers?.[cmd];
      if (h) return h(a);
      if (CHECKS.has(cmd)) {
        const now = (opts.handlers?.config_get?.({}) as ConfigView | undefined) ?? conf;
        return realCheck(cmd, a, now.profiles.map((p) => p.name));
      }
      if (cmd === "overview") return ov;
      if (cmd === "config_get") return conf;
      if (cmd === "list_repositories") return repositoryList(a.profile as string, []);
      if (cmd === "list_images") return [];
      return null;
    },
    { shouldMockEvents: true },
  );
  return {
    calls,
    argsOf: (cmd) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
    emit: async (name, payload) => {
      await act(async () => {
        await emit(name, payload);
      });
    },
  };
}
