import type { ComponentChildren } from "preact";
import type { ApiError } from "../api";
import { IconAlert, IconX } from "./icons";

export function ErrorBanner({ error, onDismiss, children }: { error: ApiError; onDismiss?: () => void; children?: ComponentChildren }) {
  return (
    <div class="banner" role="alert" data-testid="error-banner" data-code={error.code}>
      <IconAlert class="banner-icon" />
      <div class="banner-text">
        <span class="banner-message">{error.message}</span>
        <span class="code mono">{error.code}</span>
      </div>
      {children}
      {onDismiss && (
        <button type="button" class="icon-btn" aria-label="Dismiss" onClick={onDismiss}>
          <IconX />
        </button>
      )}
    </div>
  );
}
