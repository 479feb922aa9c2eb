// The role picker: roles grouped by account, a filter, full keyboard use. It remembers nothing;
// the backend does.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Role, RolePicker as Picker } from "../api";
import { flatten, groupRoles } from "../picker";
import { IconCheck, IconSearch } from "./icons";
import { Modal } from "./Modal";

interface Props {
  picker: Picker;
  onPick: (profile: string, roleArn: string) => void;
  onCancel: (profile: string) => void;
}

export function RolePicker({ picker, onPick, onCancel }: Props) {
  const [filter, setFilter] = useState("");
  const groups = useMemo(() => groupRoles(picker.roles, filter, picker.account_names), [picker.roles, picker.account_names, filter]);
  const flat = useMemo(() => flatten(groups), [groups]);
  const [active, setActive] = useState(() => Math.max(0, flat.findIndex((r) => r.role_arn === picker.current)));
  const listRef = useRef<HTMLDivElement>(null);
  const activeRole: Role | undefined = flat[Math.min(active, flat.length - 1)];

  useEffect(() => {
    const el = listRef.current?.querySelector<HTMLElement>('[aria-selected="true"]');
    el?.scrollIntoView?.({ block: "nearest" });
  }, [active, filter]);

  const pick = (r: Role | undefined) => {
    if (r) onPick(picker.profile, r.role_arn);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const n = flat.length;
    const move = (i: number) => {
      e.preventDefault();
      if (n > 0) setActive(Math.max(0, Math.min(n - 1, i)));
    };
    switch (e.key) {
      case "ArrowDown":
        return move(active + 1 >= n ? 0 : active + 1);
      case "ArrowUp":
        return move(active - 1 < 0 ? n - 1 : active - 1);
      case "PageDown":
        return move(active + 5);
      case "PageUp":
        return move(active - 5);
      case "Home":
        if (e.ctrlKey || e.metaKey) move(0);
        return;
      case "End":
        if (e.ctrlKey || e.metaKey) move(n - 1);
        return;
      case "Enter":
        e.preventDefault();
        pick(activeRole);
        return;
    }
  };

  const total = new Set(picker.roles.map((r) => r.role_arn)).size;
  const activeId = activeRole ? `role-opt-${flat.indexOf(activeRole)}` : undefined;

  return (
    <Modal labelledBy="picker-title" describedBy="picker-desc" onEscape={() => onCancel(picker.profile)} class="picker" testId="role-picker">
      <header class="dialog-head">
        <h2 id="picker-title">Choose a role</h2>
        <p id="picker-desc" class="muted">
          Profile <strong>{picker.profile}</strong> · {total} {total === 1 ? "role" : "roles"} in{" "}
          {new Set(picker.roles.map((r) => r.account)).size} {new Set(picker.roles.map((r) => r.account)).size === 1 ? "account" : "accounts"}
        </p>
      </header>
      <div class="picker-search">
        <IconSearch class="search-icon" />
        <input
          type="search"
          data-autofocus
          data-testid="role-filter"
          placeholder="Filter by name, account, path or ARN"
          aria-label="Filter roles"
          role="combobox"
          aria-expanded="true"
          aria-controls="role-list"
          aria-activedescendant={activeId}
          autoComplete="off"
          spellcheck={false}
          value={filter}
          onInput={(e) => {
            setFilter(e.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
      </div>
      <div class="picker-list" id="role-list" role="listbox" aria-label="Roles" ref={listRef}>
        {flat.length === 0 && (
          <p class="picker-empty muted">{total === 0 ? "The sign-in offered no roles." : `No role matches “${filter}”.`}</p>
        )}
        {groups.map((g) => (
          <div role="group" aria-label={g.name ? `Account ${g.name} (${g.account})` : `Account ${g.account}`} class="picker-group" key={g.account}>
            <div class="picker-group-head" aria-hidden="true">
              <span>Account</span> {g.name && <strong data-testid="picker-account-name">{g.name}</strong>} <span class="mono">{g.account}</span>
              <span class="count">{g.roles.length}</span>
            </div>
            {g.roles.map((r) => {
              const i = flat.indexOf(r);
              const selected = r === activeRole;
              return (
                <div
                  key={r.role_arn}
                  id={`role-opt-${i}`}
                  role="option"
                  aria-selected={selected}
                  class={selected ? "role-option active" : "role-option"}
                  data-testid="role-option"
                  data-role-arn={r.role_arn}
                  onMouseMove={() => i !== active && setActive(i)}
                  onClick={() => pick(r)}
                >
                  <div class="role-line">
                    <span class="role-name">{r.name}</span>
                    {r.path !== "/" && <span class="chip mono">{r.path}</span>}
                    {r.role_arn === picker.current && (
                      <span class="role-current">
                        <IconCheck size={12} /> current
                      </span>
                    )}
                  </div>
                  <div class="role-arn mono">{r.role_arn}</div>
                </div>
              );
            })}
          </div>
        ))}
      </div>
      <footer class="dialog-foot">
        <span class="keys muted">
          <kbd>↑</kbd>
          <kbd>↓</kbd> move <kbd>Enter</kbd> choose <kbd>Esc</kbd> cancel
        </span>
        <button type="button" class="btn" onClick={() => onCancel(picker.profile)}>
          Cancel
        </button>
        <button type="button" class="btn primary" disabled={!activeRole} onClick={() => pick(activeRole)}>
          Use role
        </button>
      </footer>
    </Modal>
  );
}
