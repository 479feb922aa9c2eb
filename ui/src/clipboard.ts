// Copies text to the clipboard: the async Clipboard API when the webview has it and allows it, else
// the old way (a hidden textarea, select, execCommand("copy")), which some webviews still need.

/** Resolves once `text` is on the clipboard; rejects when neither way worked. */
export async function copyText(text: string): Promise<void> {
  const clip = typeof navigator === "undefined" ? undefined : navigator.clipboard;
  if (clip && typeof clip.writeText === "function") {
    try {
      await clip.writeText(text);
      return;
    } catch {
      // Not allowed here (no permission, not focused, not a secure context): try the old way.
    }
  }
  if (!copyWithTextarea(text)) throw new Error("The clipboard is not available here.");
}

function copyWithTextarea(text: string): boolean {
  if (typeof document === "undefined" || typeof document.execCommand !== "function") return false;
  const focused = document.activeElement as HTMLElement | null;
  const ta = document.createElement("textarea");
  ta.value = text;
  ta.setAttribute("readonly", "");
  ta.setAttribute("aria-hidden", "true");
  ta.tabIndex = -1;
  // Set through the CSSOM, which the CSP (style-src 'self') allows, unlike a style attribute.
  ta.style.position = "fixed";
  ta.style.top = "0";
  ta.style.left = "-9999px";
  ta.style.opacity = "0";
  document.body.appendChild(ta);
  try {
    ta.select();
    ta.setSelectionRange(0, text.length);
    return document.execCommand("copy");
  } catch {
    return false;
  } finally {
    ta.remove();
    focused?.focus?.({ preventScroll: true });
  }
}
