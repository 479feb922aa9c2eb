import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup } from "@testing-library/preact";
import { afterEach, vi } from "vitest";

afterEach(() => {
  cleanup();
  clearMocks();
  vi.useRealTimers();
});
