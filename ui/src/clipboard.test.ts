import { afterEach, describe, expect, it, vi } from "vitest";
import { copyText } from "./clipboard";

function stubClipboard(writeText: ((t: string) => Promise<void>) | undefined) {
  Object.defineProperty(navigator, "clipboard", { value: writeText ? { writeText } : undefined, configurable: true });
}

function stubExecCommand(impl: (cmd: string) => boolean) {
  const fn = vi.fn(impl);
  Object.defineProperty(document, "execCommand", { value: fn, configurable: true, writable: true });
  return fn;
}

afterEach(() => {
  delete (navigator as { clipboard?: unknown }).clipboard;
  delete (document as { execCommand?: unknown }).execCommand;
});

describe("copyText", () => {
  it("uses the Clipboard API when there is one", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    stubClipboard(writeText);
    const exec = stubExecCommand(() => true);
    await copyText("docker pull a/b:1");
    expect(writeText).toHaveBeenCalledWith("docker pull a/b:1");
    expect(exec).not.toHaveBeenCalled();
  });

  it("falls back to a hidden textarea and execCommand when writeText rejects", async () => {
    stubClipboard(() => Promise.reject(new DOMException("not allowed", "NotAllowedError")));
    const button = document.createElement("button");
    document.body.appendChild(button);
    button.focus();
    let selected = "";
    const exec = stubExecCommand(() => {
      const ta = document.querySelector("textarea")!;
      selected = ta.value.slice(ta.selectionStart, ta.selectionEnd);
      return true;
    });
    await copyText("docker pull a/b@sha256:abc");
    expect(exec).toHaveBeenCalledWith("copy");
    expect(selected).toBe("docker pull a/b@sha256:abc");
    expect(document.querySelector("textarea")).toBeNull();
    expect(document.activeElement).toBe(button);
    button.remove();
  });

  it("falls back when there is no Clipboard API", async () => {
    stubClipboard(undefined);
    const exec = stubExecCommand(() => true);
    await copyText("x");
    expect(exec).toHaveBeenCalledOnce();
  });

  it("rejects when neither way works", async () => {
    stubClipboard(() => Promise.reject(new Error("no")));
    stubExecCommand(() => false);
    await expect(copyText("x")).rejects.toThrow();
    stubExecCommand(() => {
      throw new Error("unsupported");
    });
    await expect(copyText("x")).rejects.toThrow();
    expect(document.querySelector("textarea")).toBeNull();
  });

  it("rejects when there is no clipboard at all", async () => {
    stubClipboard(undefined);
    await expect(copyText("x")).rejects.toThrow();
  });
});
