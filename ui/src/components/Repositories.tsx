// The repository browser of a live session: the repositories of its registries (the backend keeps
// the list for the session; Refresh fetches it again), a filter, and each repository's images on
// demand, with copyable `docker pull` commands. It never polls.
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, toApiError, type ApiError, type Image, type Repository, type RepositoryList, type Status } from "../api";
import { copyText } from "../clipboard";
import { useNow } from "../clock";
import { formatAbsolute, formatBytes, formatDate, formatSince, parseTime, sinceNext } from "../format";
import { choices, filterRepos, NO_FILTER, prepareRepos, pullByDigest, pullByTag, shortDigest, sortImages, type RepoFilter } from "../repos";
import { IconAlert, IconBox, IconCheck, IconChevron, IconCopy, IconRefresh, IconSearch } from "./icons";

/** Images shown at first; the rest behind "Show all". */
export const IMAGE_LIMIT = 100;
/** How long "Copied" shows. */
export const COPIED_MS = 1500;

/**
 * The browser when the session is live (active or expiring), else nothing. It starts afresh, and
 * loads the list, for each profile, role and set of registries; a countdown tick changes none of them.
 */
export function RepositoriesSection({ status }: { status: Status }) {
  const expired = useExpired(status.expires_at);
  if ((status.state !== "active" && status.state !== "expiring") || expired) return null;
  const hosts = status.registries.map((r) => r.host).sort().join(" ");
  return <Repositories key={`${status.profile}\n${status.role_arn ?? ""}\n${hosts}`} profile={status.profile} />;
}

/** True once `expiresAt` has passed; re-renders the caller at that moment, not every second. */
function useExpired(expiresAt: string | null): boolean {
  const exp = parseTime(expiresAt);
  const expired = exp !== null && exp <= Date.now();
  const [, setTick] = useState(0);
  useEffect(() => {
    if (exp === null || expired) return;
    const t = setTimeout(() => setTick((n) => n + 1), Math.min(exp - Date.now() + 20, 2 ** 31 - 1));
    return () => clearTimeout(t);
  }, [exp, expired]);
  return expired;
}

type Images = { state: "loading" } | { state: "ok"; images: Image[] } | { state: "error"; error: ApiError };
type Copied = { text: string; ok: boolean };

export function Repositories({ profile }: { profile: string }) {
  const [list, setList] = useState<RepositoryList | null>(null);
  const [loading, setLoading] = useState(false);
  const [failure, setFailure] = useState<{ error: ApiError; refresh: boolean } | null>(null);
  const [filter, setFilter] = useState<RepoFilter>(NO_FILTER);
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const [images, setImages] = useState<Record<string, Images>>({});
  const [copied, setCopied] = useState<Copied | null>(null);
  // Answers that come after unmounting, or to a request a newer one replaced, are dropped.
  const alive = useRef(true);
  const listGen = useRef(0);
  const imagesGen = useRef(0);
  const openRef = useRef(open);
  openRef.current = open;
  const copyTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const loadImages = (repo: Repository) => {
    const gen = imagesGen.current;
    const set = (v: Images) => alive.current && gen === imagesGen.current && setImages((m) => ({ ...m, [repo.uri]: v }));
    setImages((m) => ({ ...m, [repo.uri]: { state: "loading" } }));
    api.listImages(profile, repo.registry, repo.name).then(
      (list) => set({ state: "ok", images: sortImages(list) }),
      (e) => set({ state: "error", error: toApiError(e) }),
    );
  };

  const load = (refresh: boolean) => {
    const gen = ++listGen.current;
    const current = () => alive.current && gen === listGen.current;
    setLoading(true);
    setFailure(null);
    api.listRepositories(profile, refresh).then(
      (l) => {
        if (!current()) return;
        setList(l);
        setLoading(false);
        // The images may have changed too: load them again for the repositories still open.
        imagesGen.current++;
        const still = (l.repositories ?? []).filter((r) => openRef.current.has(r.uri));
        setOpen(new Set(still.map((r) => r.uri)));
        setImages({});
        still.forEach(loadImages);
      },
      (e) => {
        if (!current()) return;
        setFailure({ error: toApiError(e), refresh });
        setLoading(false);
      },
    );
  };

  useEffect(() => {
    alive.current = true;
    load(false);
    return () => {
      alive.current = false;
      if (copyTimer.current) clearTimeout(copyTimer.current);
    };
  }, []);

  const copy = (text: string) => {
    const flash = (ok: boolean) => {
      if (!alive.current) return;
      setCopied({ text, ok });
      if (copyTimer.current) clearTimeout(copyTimer.current);
      copyTimer.current = setTimeout(() => setCopied(null), COPIED_MS);
    };
    copyText(text).then(
      () => flash(true),
      () => flash(false),
    );
  };

  const toggle = (repo: Repository) => {
    const next = new Set(open);
    if (next.delete(repo.uri)) {
      setOpen(next);
      return;
    }
    next.add(repo.uri);
    setOpen(next);
    const have = images[repo.uri];
    if (!have || have.state === "error") loadImages(repo);
  };

  const repos = useMemo(() => list?.repositories ?? [], [list]);
  const entries = useMemo(() => prepareRepos(repos), [repos]);
  const registries = useMemo(() => choices(repos, "registry"), [repos]);
  const regions = useMemo(() => choices(repos, "region"), [repos]);
  // A chosen registry or region that a refresh took away counts as "all".
  const f: RepoFilter = {
    query: filter.query,
    registry: registries.includes(filter.registry) ? filter.registry : "",
    region: regions.includes(filter.region) ? filter.region : "",
  };
  const shown = useMemo(() => filterRepos(entries, f), [entries, f.query, f.registry, f.region]);
  const now = Date.now();

  return (
    <section class="card repos" aria-labelledby="repos-title" aria-busy={loading} data-testid="repos">
      <header class="card-head">
        <h3 id="repos-title">
          <IconBox /> Repositories
        </h3>
        {list && <span class="count">{repos.length}</span>}
        <span class="spacer" />
        {list && <Fetched at={list.fetched_at} />}
        <button type="button" class="btn small" data-testid="repos-refresh" disabled={loading} onClick={() => load(true)} title="Fetch the list again">
          {loading ? <span class="spinner small" aria-hidden="true" /> : <IconRefresh />} Refresh
        </button>
      </header>

      {failure && (
        <div class="inline-error repos-error" role="alert" data-testid="repos-error" data-code={failure.error.code}>
          <IconAlert />
          <div class="grow">
            <div>{failure.error.message}</div>
            <div class="code mono">{failure.error.code}</div>
          </div>
          <button type="button" class="btn small" onClick={() => load(failure.refresh)}>
            Try again
          </button>
        </div>
      )}

      {(list?.errors ?? []).map((w) => (
        <p class="repos-warning" data-testid="repos-warning" data-registry={w.registry} data-code={w.error.code} title={`${w.registry}: ${w.error.message}`} key={w.registry}>
          <IconAlert />
          <span class="mono">{w.registry}</span>
          <span class="repos-warning-text">{w.error.message}</span>
        </p>
      ))}

      {!list && loading && (
        <p class="empty muted loading-line" role="status">
          <span class="spinner" aria-hidden="true" /> Loading repositories…
        </p>
      )}

      {list &&
        (repos.length === 0 ? (
          <p class="empty muted" data-testid="repos-empty">
            No repositories in these registries
          </p>
        ) : (
          <>
            <div class="repos-toolbar">
              <div class="repos-search">
                <IconSearch class="search-icon" />
                <input
                  type="search"
                  data-testid="repos-search"
                  placeholder="Filter by name or URI"
                  aria-label="Filter repositories by name or URI"
                  autocomplete="off"
                  spellcheck={false}
                  value={filter.query}
                  onInput={(e) => setFilter({ ...filter, query: e.currentTarget.value })}
                />
              </div>
              <select
                data-testid="repos-filter-registry"
                aria-label="Registry"
                value={f.registry}
                onChange={(e) => setFilter({ ...filter, registry: e.currentTarget.value })}
              >
                <option value="">All registries</option>
                {registries.map((r) => (
                  <option value={r} key={r}>
                    {r}
                  </option>
                ))}
              </select>
              <select data-testid="repos-filter-region" aria-label="Region" value={f.region} onChange={(e) => setFilter({ ...filter, region: e.currentTarget.value })}>
                <option value="">All regions</option>
                {regions.map((r) => (
                  <option value={r} key={r}>
                    {r}
                  </option>
                ))}
              </select>
              <span class="repos-count muted" data-testid="repos-count" data-shown={shown.length} data-total={repos.length} aria-live="polite">
                {shown.length} of {repos.length} repositories
              </span>
            </div>
            {shown.length === 0 ? (
              <p class="empty muted">No repositories match the filter.</p>
            ) : (
              <ul class="repo-list">
                {shown.map((r) => (
                  <RepoRow key={r.uri} repo={r} open={open.has(r.uri)} images={images[r.uri]} now={now} copied={copied} onToggle={toggle} onCopy={copy} onRetry={loadImages} />
                ))}
              </ul>
            )}
          </>
        ))}
      <span class="sr-only" role="status">
        {copied ? (copied.ok ? `Copied ${copied.text}` : "Could not copy to the clipboard") : ""}
      </span>
    </section>
  );
}

/** `fetched 5m ago`, kept current by the shared clock (only this line re-renders, when it changes). */
function Fetched({ at }: { at: string }) {
  const t = parseTime(at);
  const now = useNow((n) => (t === null ? null : sinceNext(t, n)));
  if (t === null) return null;
  return (
    <span class="fetched muted" data-testid="repos-fetched" title={formatAbsolute(t)}>
      fetched {formatSince(t, now)}
    </span>
  );
}

interface RowProps {
  repo: Repository;
  open: boolean;
  images: Images | undefined;
  now: number;
  copied: Copied | null;
  onToggle: (r: Repository) => void;
  onCopy: (text: string) => void;
  onRetry: (r: Repository) => void;
}

function RepoRow({ repo, open, images, now, copied, onToggle, onCopy, onRetry }: RowProps) {
  const created = parseTime(repo.created_at);
  const panelId = `repo-images-${repo.uri.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  return (
    <li class={open ? "repo open" : "repo"} data-testid="repo-row" data-name={repo.name} data-registry={repo.registry} data-expanded={open}>
      <div
        class="repo-line"
        onClick={() => {
          // Selecting the URI with the mouse is not a click on the row.
          if (!window.getSelection?.()?.toString()) onToggle(repo);
        }}
      >
        <div class="repo-main">
          <button
            type="button"
            class="repo-toggle"
            data-testid="repo-toggle"
            aria-expanded={open}
            aria-controls={open ? panelId : undefined}
            onClick={(e) => {
              e.stopPropagation();
              onToggle(repo);
            }}
          >
            <IconChevron class="chevron" />
            <span class="repo-name">{repo.name}</span>
          </button>
          <span class="repo-uri mono" data-testid="repo-uri" title={repo.uri}>
            {repo.uri}
          </span>
        </div>
        <span class="repo-created muted" title={created === null ? undefined : `Created ${formatAbsolute(created)}`}>
          {created === null ? "" : formatDate(created)}
        </span>
        <CopyButton text={repo.uri} copied={copied} onCopy={onCopy} testId="repo-copy-uri" class="btn ghost small copy-uri" title={`Copy ${repo.uri}`} replace>
          <span>Copy URI</span>
        </CopyButton>
      </div>
      {open && <ImageList id={panelId} repo={repo} images={images} now={now} copied={copied} onCopy={onCopy} onRetry={onRetry} />}
    </li>
  );
}

function ImageList({ id, repo, images, now, copied, onCopy, onRetry }: Omit<RowProps, "open" | "onToggle"> & { id: string }) {
  const [all, setAll] = useState(false);
  let body;
  if (!images || images.state === "loading") {
    body = (
      <p class="images-state muted" role="status">
        <span class="spinner" aria-hidden="true" /> Loading images…
      </p>
    );
  } else if (images.state === "error") {
    body = (
      <div class="inline-error" role="alert" data-testid="images-error" data-code={images.error.code}>
        <IconAlert />
        <div class="grow">
          <div>{images.error.message}</div>
          <div class="code mono">{images.error.code}</div>
        </div>
        <button type="button" class="btn small" onClick={() => onRetry(repo)}>
          Try again
        </button>
      </div>
    );
  } else if (images.images.length === 0) {
    body = <p class="images-state muted">No images in this repository</p>;
  } else {
    const list = images.images;
    const visible = all ? list : list.slice(0, IMAGE_LIMIT);
    body = (
      <>
        <div class="table-wrap">
          <table class="table images-table">
            <thead>
              <tr>
                <th scope="col">Tags</th>
                <th scope="col" class="col-digest">
                  Digest
                </th>
                <th scope="col" class="col-pushed">
                  Pushed
                </th>
                <th scope="col" class="col-size">
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {visible.map((img) => (
                <ImageRow key={img.digest} uri={repo.uri} image={img} now={now} copied={copied} onCopy={onCopy} />
              ))}
            </tbody>
          </table>
        </div>
        {list.length > visible.length && (
          <div class="images-more">
            <button type="button" class="btn small" onClick={() => setAll(true)}>
              Show all {list.length} images
            </button>
          </div>
        )}
      </>
    );
  }
  return (
    <div class="repo-images" id={id} data-testid="repo-images" data-state={images?.state ?? "loading"}>
      {body}
    </div>
  );
}

/**
 * A copy button for each tag the backend lets into a pull command (`pull_tags`); any other tag is
 * whatever was pushed and a copied command runs in a shell, so it shows as text only. By digest
 * when no tag can be pulled and the backend allows the digest (`pull_digest`).
 */
function ImageRow({ uri, image, now, copied, onCopy }: { uri: string; image: Image; now: number; copied: Copied | null; onCopy: (t: string) => void }) {
  const pushed = parseTime(image.pushed_at);
  const pullable = new Set(image.pull_tags);
  const byDigest = image.pull_digest && !image.tags.some((t) => pullable.has(t)) ? pullByDigest(uri, image.digest) : null;
  return (
    <tr data-testid="image-row" data-digest={image.digest}>
      <td>
        <div class="image-tags">
          {image.tags.length === 0 && <span class="untagged muted">untagged</span>}
          {image.tags.map((t) => {
            if (!pullable.has(t)) {
              return (
                <span key={t} class="tag-text mono" data-testid="tag-text" title={`“${t}” is not a valid tag, so no docker pull command is offered`}>
                  {t}
                </span>
              );
            }
            const cmd = pullByTag(uri, t);
            return (
              <CopyButton key={t} text={cmd} command={cmd} copied={copied} onCopy={onCopy} testId="copy-pull" class="tag-copy" title={`Copy: ${cmd}`}>
                <span class="mono">{t}</span>
              </CopyButton>
            );
          })}
          {byDigest && (
            <CopyButton text={byDigest} command={byDigest} copied={copied} onCopy={onCopy} testId="copy-pull" class="tag-copy" title={`Copy: ${byDigest}`}>
              <span class="mono">by digest</span>
            </CopyButton>
          )}
        </div>
      </td>
      <td class="col-digest mono digest" title={image.digest}>
        {shortDigest(image.digest)}
      </td>
      <td class="col-pushed nowrap" title={pushed === null ? undefined : formatAbsolute(pushed)}>
        {pushed === null ? "—" : formatSince(pushed, now)}
      </td>
      <td class="col-size nowrap">{image.size_bytes === null ? "—" : formatBytes(image.size_bytes)}</td>
    </tr>
  );
}

interface CopyProps {
  text: string;
  /** The exact `docker pull` command, for data-command. */
  command?: string;
  copied: Copied | null;
  onCopy: (text: string) => void;
  testId: string;
  class: string;
  title: string;
  /** Show "Copied" instead of the label (else after it). */
  replace?: boolean;
  children: ComponentChildren;
}

/** A button that copies `text`; it says "Copied" (or "Copy failed") for a moment afterwards. */
function CopyButton({ text, command, copied, onCopy, testId, class: cls, title, replace, children }: CopyProps) {
  const mine = copied?.text === text ? copied : null;
  const note = mine && <span class="copy-note">{mine.ok ? "Copied" : "Copy failed"}</span>;
  return (
    <button
      type="button"
      class={mine ? `${cls} ${mine.ok ? "copied" : "copy-failed"}` : cls}
      data-testid={testId}
      data-command={command}
      title={title}
      onClick={(e) => {
        e.stopPropagation();
        onCopy(text);
      }}
    >
      {mine?.ok ? <IconCheck size={14} /> : mine ? <IconAlert size={14} /> : <IconCopy size={14} />}
      {replace && note ? note : children}
      {!replace && note}
    </button>
  );
}
