// The settings editor for one profile (or a new one). The backend checks every edit
// (check_profile: the config file's rules) and again on save; its {code, message} error on save is
// shown in the banner.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, type ConfigView, type Profile, type Role } from "../api";
import { useBackendCheck } from "../checks";
import {
  draftFromProfile,
  emptyChain,
  emptyRegistry,
  formErrors,
  isValid,
  newDraft,
  profileFromDraft,
  type ChainDraft,
  type ProfileDraft,
  type RegistryDraft,
  type TargetsChoice,
} from "../draft";
import { ConfirmDialog } from "./ConfirmDialog";
import { SignInPlace } from "./SignInPlace";
import { IconPlus, IconTrash } from "./icons";

interface Props {
  config: ConfigView;
  /** The profile being edited; null for a new one. */
  original: Profile | null;
  knownRoles: Role[];
  onSave: (profiles: Profile[], saved: Profile) => Promise<boolean>;
  onDelete: (profiles: Profile[]) => Promise<boolean>;
  onCancel?: () => void;
  /** App-wide settings (not saved with the profile), shown last. */
  appSection?: ComponentChildren;
}

type Touched = Record<string, true>;

/** The fields with their own input (their problems show under them). */
const SHOWN = new Set(["name", "region", "idp_url", "idp_origins", "loopback_port", "aws_profile", "sso_start_url", "sso_region", "sso_session", "role", "roles", "accounts", "session_duration", "refresh_before", "sts_endpoint"]);

function Field(props: {
  id: string;
  label: string;
  hint?: ComponentChildren;
  error?: string;
  class?: string;
  children: JSX.Element;
}) {
  const { id, label, hint, error, children } = props;
  return (
    <div class={`field${props.class ? ` ${props.class}` : ""}${error ? " invalid" : ""}`}>
      <label for={id}>{label}</label>
      {children}
      {error ? (
        <div class="field-error" id={`${id}-msg`} data-testid="field-error" data-field={id.replace(/^f-/, "")}>
          {error}
        </div>
      ) : hint ? (
        <div class="field-hint" id={`${id}-msg`}>
          {hint}
        </div>
      ) : null}
    </div>
  );
}

export function SettingsForm({ config, original, knownRoles, onSave, onDelete, onCancel, appSection }: Props) {
  const isNew = original === null;
  const initial = useMemo(() => (original ? draftFromProfile(original) : newDraft()), [original]);
  const [draft, setDraft] = useState<ProfileDraft>(initial);
  const [touched, setTouched] = useState<Touched>({});
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const originalName = original?.name ?? null;
  const cleaned = useMemo(() => profileFromDraft(draft), [draft]);
  const initialProfile = useMemo(() => profileFromDraft(initial), [initial]);
  const others = config.profiles.map((p) => p.name).join("\n");
  const check = useBackendCheck(`${others}\n${originalName}\n${JSON.stringify(cleaned)}`, () => api.checkProfile(cleaned, originalName));
  const errors = useMemo(() => formErrors(check.value?.errors ?? {}), [check.value]);
  // The button follows the latest answer; a save asked for while an answer is on its way
  // waits for it (below), so nothing is saved that the backend has not checked.
  const pending = !check.current;
  const valid = isValid(errors);
  const [wantSubmit, setWantSubmit] = useState(false);
  const dirty = isNew || JSON.stringify(cleaned) !== JSON.stringify(initialProfile);

  // Problems show once a field was touched; problems already in the loaded profile show at once.
  const loaded = useBackendCheck(isNew ? "new" : `${others}\n${originalName}\n${JSON.stringify(initialProfile)}`, () =>
    isNew ? Promise.resolve(null) : api.checkProfile(initialProfile, originalName),
  );
  const loadedErrors = useMemo(() => formErrors(loaded.value?.errors ?? {}), [loaded.value]);
  const show = (key: string) => (touched[key] || loadedErrors[key] ? errors[key] : undefined);
  const formRef = useRef<HTMLFormElement>(null);
  const revealErrors = () => {
    setTouched((t) => ({ ...t, ...Object.fromEntries(Object.keys(errors).map((k) => [k, true as const])) }));
    // The first field with a problem in the form's order (the backend's answer is by name).
    const fields = Array.from(formRef.current?.querySelectorAll<HTMLInputElement>("input[name]") ?? []);
    fields.find((f) => errors[f.name] !== undefined)?.focus();
  };

  // When the saved profile changes under the form (after our own save, or an edit elsewhere), take it
  // over unless there are unsaved edits that differ from it.
  const lastInitial = useRef(initial);
  useEffect(() => {
    if (lastInitial.current === initial) return;
    const before = JSON.stringify(profileFromDraft(lastInitial.current));
    const now = JSON.stringify(profileFromDraft(draft));
    lastInitial.current = initial;
    if (now === before || now === JSON.stringify(profileFromDraft(initial))) {
      setDraft(initial);
      setTouched({});
    }
  }, [initial]);
  const touch = (key: string) => !touched[key] && setTouched((t) => ({ ...t, [key]: true }));

  const update = (fn: (d: ProfileDraft) => ProfileDraft, key?: string) => {
    setDraft((d) => fn(d));
    setSaved(false);
    if (key) touch(key);
  };

  /** Props for a text input bound to a top-level draft field. */
  const text = (
    key:
      | "name"
      | "idp_url"
      | "idp_origins"
      | "aws_profile"
      | "sso_start_url"
      | "sso_region"
      | "sso_session"
      | "region"
      | "accounts"
      | "role"
      | "roles"
      | "session_duration"
      | "refresh_before"
      | "sts_endpoint",
  ) => ({
    id: `f-${key}`,
    name: key,
    value: draft[key],
    "aria-invalid": show(key) ? true : undefined,
    "aria-describedby": `f-${key}-msg`,
    onInput: (e: JSX.TargetedEvent<HTMLInputElement>) => {
      const v = e.currentTarget.value;
      update((d) => ({ ...d, [key]: v }), key);
    },
    onBlur: () => touch(key),
  });

  const regInput = (path: string, value: string, set: (v: string) => void) => ({
    id: `f-${path}`,
    name: path,
    value,
    "aria-invalid": show(path) ? true : undefined,
    onInput: (e: JSX.TargetedEvent<HTMLInputElement>) => {
      set(e.currentTarget.value);
      touch(path);
    },
    onBlur: () => touch(path),
  });

  const setRegistry = (i: number, patch: Partial<RegistryDraft>) =>
    update((d) => ({ ...d, registry: d.registry.map((r, j) => (j === i ? { ...r, ...patch } : r)) }));
  const setChain = (i: number, fn: (c: ChainDraft) => ChainDraft) => update((d) => ({ ...d, chain: d.chain.map((c, j) => (j === i ? fn(c) : c)) }));

  const submit = (e: Event) => {
    e.preventDefault();
    if (pending) setWantSubmit(true);
    else void save();
  };
  useEffect(() => {
    if (wantSubmit && !pending) {
      setWantSubmit(false);
      void save();
    }
  }, [wantSubmit, pending]);

  const save = async () => {
    if (!valid || saving) return;
    const profiles = isNew ? [...config.profiles, cleaned] : config.profiles.map((p) => (p === original ? cleaned : p));
    setSaving(true);
    try {
      const ok = await onSave(profiles, cleaned);
      setSaved(ok);
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    setSaving(true);
    try {
      await onDelete(config.profiles.filter((p) => p !== original));
    } finally {
      setSaving(false);
      setConfirmDelete(false);
    }
  };

  const missing = Object.keys(errors).length;
  // A problem no field shows (a value the form cannot edit): said above the form.
  const orphans = Object.entries(errors).filter(([k]) => !SHOWN.has(k) && !/^(registry|chain)\.\d+(\.|$)/.test(k) && !(draft.rolesEditable && /^roles\.\d+\.role$/.test(k)));
  // The `roles` box holds every entry: the first entry's problem shows under it.
  const rolesError = Object.entries(errors).find(([k]) => /^roles\.\d+\.role$/.test(k) && (touched.roles || loadedErrors[k]))?.[1];
  const registryRows = (rows: RegistryDraft[], prefix: string, withAccount: boolean, set: (i: number, patch: Partial<RegistryDraft>) => void, del: (i: number) => void) =>
    rows.map((r, i) => {
      const p = `${prefix}.${i}`;
      const errs = [withAccount && show(`${p}.account`), show(`${p}.region`), show(`${p}.aliases`), show(`${p}.role`)].filter(Boolean) as string[];
      // ECR Public has no account and one region: the inputs stay disabled unless a loaded profile
      // put a value there, which then shows its error and can be cleared.
      const off = (v: string) => r.public && v.trim() === "";
      return (
        <div class={`reg-row${withAccount ? "" : " no-account"}${r.public ? " public" : ""}`} key={p} data-testid="registry-edit-row" data-public={r.public ? "true" : undefined}>
          {withAccount && (
            <input
              {...regInput(`${p}.account`, r.account, (v) => set(i, { account: v }))}
              placeholder={r.public ? "no account" : "role's account"}
              aria-label="Account"
              inputMode="numeric"
              class="mono"
              disabled={off(r.account)}
            />
          )}
          <input
            {...regInput(`${p}.region`, r.region, (v) => set(i, { region: v }))}
            placeholder={r.public ? config.ecr_public.region : draft.region.trim() || "profile region"}
            aria-label="Region"
            disabled={off(r.region)}
          />
          <input {...regInput(`${p}.aliases`, r.aliases, (v) => set(i, { aliases: v }))} placeholder="aliases, e.g. registry.corp.example" aria-label="Aliases" />
          <label class="reg-public" title={`ECR Public: ${config.ecr_public.host}, tokens from ${config.ecr_public.region}`}>
            <input
              type="checkbox"
              name={`${p}.public`}
              data-testid="registry-public"
              checked={r.public}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                set(i, on ? { public: true, account: "", region: "" } : { public: false });
              }}
            />
            ECR Public
          </label>
          <button type="button" class="icon-btn" aria-label="Remove registry" title="Remove registry" onClick={() => del(i)}>
            <IconTrash />
          </button>
          {errs.length > 0 ? (
            <div class="field-error row-error" data-testid="field-error">
              {errs.join(" · ")}
            </div>
          ) : r.public ? (
            <div class="field-hint row-hint" data-testid="registry-public-hint">
              <span class="mono">{config.ecr_public.host}</span> · tokens from {config.ecr_public.region}
            </div>
          ) : (
            r.role.trim() !== "" && (
              <div class="field-hint row-hint" data-testid="registry-role-hint">
                Reached as <span class="mono">{r.role}</span> in this account (IAM Identity Center; the config file's <span class="mono">role</span>)
              </div>
            )
          )}
        </div>
      );
    });

  return (
    <form class="settings" data-testid="settings-form" onSubmit={submit} noValidate ref={formRef}>
      <div class="settings-body">
        {orphans.length > 0 && (
          <div class="field-error" data-testid="form-error" role="alert">
            {orphans.map(([k, m]) => `${k}: ${m}`).join(" · ")}
          </div>
        )}
        <section class="form-section">
          <h3>Profile</h3>
          <div class="grid">
            <Field id="f-name" label="Name" error={show("name")} hint="Letters, digits, '.', '_' and '-'">
              <input {...text("name")} autoComplete="off" spellcheck={false} placeholder="corp" />
            </Field>
            <Field id="f-region" label="Region" error={show("region")} hint="STS region and default ECR region">
              <input {...text("region")} autoComplete="off" spellcheck={false} placeholder="us-east-1" />
            </Field>
          </div>
          <div class="field">
            <span class="label" id="source-label">
              Sign in with
            </span>
            <div class="segmented" role="radiogroup" aria-labelledby="source-label">
              {(["idp", "identity_center", "aws_profile"] as const).map((s) => (
                <label class={draft.source === s ? "seg on" : "seg"} key={s}>
                  <input type="radio" name="source" value={s} checked={draft.source === s} onChange={() => update((d) => ({ ...d, source: s }))} />
                  {s === "idp" ? "Identity provider (SAML)" : s === "identity_center" ? "IAM Identity Center" : "AWS config profile"}
                </label>
              ))}
            </div>
          </div>
          {draft.source === "idp" ? (
            <>
              <Field id="f-idp_url" label="Identity provider URL" error={show("idp_url")} hint="Your IdP's AWS app link; Dockpass opens it to sign in">
                <input {...text("idp_url")} type="url" autoComplete="off" spellcheck={false} placeholder="https://corp.example.okta.com/home/amazon_aws/…" />
              </Field>
              <Field
                id="f-idp_origins"
                label="More sign-in origins"
                error={show("idp_origins")}
                hint="Optional. Origins (https://host) whose pages may also hand over the SAML response, for IdPs that sign in through another site; separate with commas"
              >
                <input {...text("idp_origins")} data-testid="settings-idp-origins" autoComplete="off" spellcheck={false} placeholder="https://login.corp.example" />
              </Field>
              <SignInPlace
                id="settings"
                mode={draft.login}
                port={draft.loopback_port}
                portError={show("loopback_port")}
                onMode={(login) => update((d) => ({ ...d, login }))}
                onPort={(loopback_port) => update((d) => ({ ...d, loopback_port }))}
              />
            </>
          ) : draft.source === "identity_center" ? (
            <>
              <Field id="f-sso_start_url" label="AWS access portal" error={show("sso_start_url")} hint="Your IAM Identity Center portal URL; Dockpass signs in there in your browser">
                <input {...text("sso_start_url")} data-testid="settings-sso-start-url" type="url" autoComplete="off" spellcheck={false} placeholder="https://d-1234567890.awsapps.com/start" />
              </Field>
              <div class="grid">
                <Field id="f-sso_region" label="Identity Center region" error={show("sso_region")} hint="Where your IAM Identity Center is">
                  <input {...text("sso_region")} data-testid="settings-sso-region" autoComplete="off" spellcheck={false} placeholder="us-east-1" />
                </Field>
                <Field id="f-sso_session" label="Or an AWS CLI session" error={show("sso_session")} hint="Optional. An [sso-session NAME] of ~/.aws/config, instead of the two fields before">
                  <input {...text("sso_session")} data-testid="settings-sso-session" autoComplete="off" spellcheck={false} placeholder="acme" />
                </Field>
              </div>
            </>
          ) : (
            <Field id="f-aws_profile" label="AWS profile" error={show("aws_profile")} hint="Credentials come from this profile of your AWS shared config">
              <input {...text("aws_profile")} autoComplete="off" spellcheck={false} placeholder="testSAML" />
            </Field>
          )}
          <Field id="f-role" label="Role" error={show("role")} hint="Optional. A role ARN, ACCOUNT/NAME or a name; else the last used role or the picker">
            <input {...text("role")} list="known-roles" autoComplete="off" spellcheck={false} placeholder="arn:aws:iam::123456789012:role/Developer" />
          </Field>
          {draft.source === "idp" && (
            <Field
              id="f-roles"
              label="More roles of the sign-in"
              error={rolesError}
              hint={
                draft.rolesEditable
                  ? "Optional. Roles of the same sign-in to use at once, as ACCOUNT/NAME; with no Role, the first is the session's"
                  : "This profile's roles have their own registries or chained roles: edit them in the config file"
              }
            >
              <input {...text("roles")} data-testid="settings-roles" class="mono" disabled={!draft.rolesEditable} autoComplete="off" spellcheck={false} placeholder="123456789012/Developer, 210987654321/Deployer" />
            </Field>
          )}
          <Field id="f-accounts" label="Trusted accounts" error={show("accounts")} hint="Optional. AWS accounts this profile may sign in to without asking; separate with commas; 123456789012 = prod names one">
            <input {...text("accounts")} data-testid="settings-accounts" class="mono" autoComplete="off" spellcheck={false} placeholder="123456789012 = prod, 210987654321" />
          </Field>
          <datalist id="known-roles">
            {knownRoles.map((r) => (
              <option key={r.role_arn} value={r.role_arn}>
                {r.name} @ {r.account}
              </option>
            ))}
          </datalist>
        </section>

        <section class="form-section">
          <h3>Session</h3>
          <div class="grid">
            <Field id="f-session_duration" label="Session duration" error={show("session_duration")} hint="Optional; at least 15m, at most 12h or what the IdP allows">
              <input {...text("session_duration")} autoComplete="off" spellcheck={false} placeholder="8h" />
            </Field>
            <Field id="f-refresh_before" label="Refresh before expiry" error={show("refresh_before")} hint="Optional; at least 1m (default 10m)">
              <input {...text("refresh_before")} autoComplete="off" spellcheck={false} placeholder="10m" />
            </Field>
          </div>
          <div class="field">
            <span class="label" id="docker-label">
              Docker credentials
            </span>
            <div class="choices" role="radiogroup" aria-labelledby="docker-label">
              <label class={draft.docker === "config" ? "choice on" : "choice"}>
                <input type="radio" name="docker" value="config" checked={draft.docker === "config"} onChange={() => update((d) => ({ ...d, docker: "config" }))} />
                <span>
                  <strong>Docker config</strong>
                  <span class="muted">Like docker login: writes auths, or your credsStore</span>
                </span>
              </label>
              <label class={draft.docker === "helper" ? "choice on" : "choice"}>
                <input type="radio" name="docker" value="helper" checked={draft.docker === "helper"} onChange={() => update((d) => ({ ...d, docker: "helper" }))} />
                <span>
                  <strong>Credential helper</strong>
                  <span class="muted">docker-credential-dockpass answers from the live session</span>
                </span>
              </label>
            </div>
          </div>
          <Field id="f-targets" label="Write them for" hint="podman, buildah and skopeo read their own auth file ($XDG_RUNTIME_DIR/containers/auth.json) before docker's config">
            <select
              id="f-targets"
              name="targets"
              data-testid="settings-targets"
              value={draft.targets}
              onChange={(e) => {
                const v = e.currentTarget.value as TargetsChoice;
                update((d) => ({ ...d, targets: v }));
              }}
            >
              <option value="">Docker, plus podman, buildah and skopeo where installed</option>
              <option value="docker">Docker only</option>
              <option value="containers">Podman, buildah and skopeo only</option>
              <option value="both">Docker and podman, buildah, skopeo</option>
            </select>
          </Field>
          <label class="check-line">
            <input
              type="checkbox"
              name="credential_process"
              data-testid="settings-credential-process"
              checked={draft.credential_process}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                update((d) => ({ ...d, credential_process: on }));
              }}
            />
            Serve the session's AWS credentials to the AWS CLI (credential_process)
          </label>
          <Field id="f-sts_endpoint" label="STS endpoint" error={show("sts_endpoint")} hint="Optional; else AWS_ENDPOINT_URL_STS, else AWS">
            <input {...text("sts_endpoint")} type="url" autoComplete="off" spellcheck={false} placeholder="https://sts.us-east-1.amazonaws.com" />
          </Field>
        </section>

        <section class="form-section">
          <div class="section-head">
            <h3>Registries</h3>
            <button type="button" class="btn small" data-testid="add-registry" onClick={() => update((d) => ({ ...d, registry: [...d.registry, emptyRegistry()] }))}>
              <IconPlus /> Add registry
            </button>
          </div>
          {draft.registry.length === 0 ? (
            <p class="muted small">None listed: the role's account in the profile's region.</p>
          ) : (
            <div class="reg-table">
              <div class="reg-row reg-head" aria-hidden="true">
                <span>Account</span>
                <span>Region</span>
                <span>Aliases</span>
                <span />
                <span />
              </div>
              {registryRows(
                draft.registry,
                "registry",
                true,
                setRegistry,
                (i) => update((d) => ({ ...d, registry: d.registry.filter((_, j) => j !== i) })),
              )}
            </div>
          )}
        </section>

        <section class="form-section">
          <div class="section-head">
            <h3>Role chain</h3>
            <button type="button" class="btn small" data-testid="add-chain" onClick={() => update((d) => ({ ...d, chain: [...d.chain, emptyChain()] }))}>
              <IconPlus /> Add chained role
            </button>
          </div>
          {draft.chain.length === 0 ? (
            <p class="muted small">Optional: roles assumed from the signed-in role (up to 1 h each) to reach registries in other accounts.</p>
          ) : (
            draft.chain.map((c, i) => (
              <div class="chain" key={`chain-${i}`} data-testid="chain-edit-row">
                <div class="chain-head">
                  <Field id={`f-chain.${i}.role_arn`} label={`Chained role ${i + 1}`} error={show(`chain.${i}.role_arn`)} class="grow">
                    <input
                      {...regInput(`chain.${i}.role_arn`, c.role_arn, (v) => setChain(i, (x) => ({ ...x, role_arn: v })))}
                      class="mono"
                      placeholder="arn:aws:iam::210987654321:role/EcrReader"
                      autoComplete="off"
                      spellcheck={false}
                    />
                  </Field>
                  <button type="button" class="icon-btn" aria-label={`Remove chained role ${i + 1}`} title="Remove chained role" onClick={() => update((d) => ({ ...d, chain: d.chain.filter((_, j) => j !== i) }))}>
                    <IconTrash />
                  </button>
                </div>
                {c.registry.length > 0 && (
                  <div class="reg-table">
                    <div class="reg-row no-account reg-head" aria-hidden="true">
                      <span>Region</span>
                      <span>Aliases</span>
                      <span />
                      <span />
                    </div>
                    {registryRows(
                      c.registry,
                      `chain.${i}.registry`,
                      false,
                      (k, patch) => setChain(i, (x) => ({ ...x, registry: x.registry.map((r, j) => (j === k ? { ...r, ...patch } : r)) })),
                      (k) => setChain(i, (x) => ({ ...x, registry: x.registry.filter((_, j) => j !== k) })),
                    )}
                  </div>
                )}
                <button type="button" class="btn small ghost" onClick={() => setChain(i, (x) => ({ ...x, registry: [...x.registry, emptyRegistry()] }))}>
                  <IconPlus /> Registry through this role
                </button>
              </div>
            ))
          )}
        </section>
        {appSection}
      </div>

      <footer class="settings-foot">
        {!isNew && (
          <button type="button" class="btn ghost danger-text" data-testid="settings-delete" disabled={saving} onClick={() => setConfirmDelete(true)}>
            <IconTrash /> Delete profile
          </button>
        )}
        <span class="spacer" />
        <span class="foot-status muted" aria-live="polite">
          {saving ? (
            "Saving…"
          ) : !valid ? (
            <button type="button" class="link" data-testid="settings-problems" onClick={revealErrors}>
              {missing} {missing === 1 ? "field needs" : "fields need"} attention
            </button>
          ) : saved && !dirty ? (
            "Saved"
          ) : dirty && !isNew ? (
            "Unsaved changes"
          ) : (
            ""
          )}
        </span>
        {(onCancel || (!isNew && dirty)) && (
          <button
            type="button"
            class="btn"
            data-testid="settings-revert"
            onClick={() => {
              if (isNew && onCancel) return onCancel();
              setDraft(initial);
              setTouched({});
            }}
          >
            {isNew ? "Cancel" : "Revert"}
          </button>
        )}
        <button type="submit" class="btn primary" data-testid="settings-save" disabled={!valid || !dirty || saving}>
          {isNew ? "Add profile" : "Save"}
        </button>
      </footer>

      {confirmDelete && original && (
        <ConfirmDialog title={`Delete profile “${original.name}”?`} confirmLabel="Delete profile" danger busy={saving} onConfirm={remove} onCancel={() => setConfirmDelete(false)}>
          <p>It is removed from the config file. Sign out first if you want Dockpass to remove the docker logins it wrote for this profile.</p>
        </ConfirmDialog>
      )}
    </form>
  );
}
