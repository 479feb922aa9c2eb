import type { ComponentChildren } from "preact";
import { Modal } from "./Modal";

interface Props {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({ title, children, confirmLabel, danger, busy, onConfirm, onCancel }: Props) {
  return (
    <Modal labelledBy="confirm-title" describedBy="confirm-body" onEscape={onCancel} class="confirm" testId="confirm-dialog">
      <header class="dialog-head">
        <h2 id="confirm-title">{title}</h2>
      </header>
      <div id="confirm-body" class="dialog-body">
        {children}
      </div>
      <footer class="dialog-foot">
        <span class="spacer" />
        <button type="button" class="btn" data-autofocus onClick={onCancel}>
          Cancel
        </button>
        <button type="button" class={danger ? "btn danger" : "btn primary"} data-testid="confirm-ok" disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </footer>
    </Modal>
  );
}
