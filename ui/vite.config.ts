/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// `vite build` writes the app to dist/ (tauri.conf.json: frontendDist "../ui/dist").
// `vite build --mode mock` writes a copy with the dev-only `?mock` backend to dist-mock/ (never shipped).
export default defineConfig(({ mode }) => ({
  base: "./",
  clearScreen: false,
  define: {
    __DOCKPASS_MOCK__: JSON.stringify(mode === "mock"),
  },
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  server: { port: 1420, strictPort: true },
  build: {
    outDir: mode === "mock" ? "dist-mock" : "dist",
    emptyOutDir: true,
    target: "es2021",
    // No inline scripts or styles: the app's CSP is script-src 'self'; style-src 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: true,
  },
  preview: { port: 4173, strictPort: true },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
    env: { TZ: "UTC" },
  },
}));
