// Pure logic of the repository browser: sorting, the filters' choices, filtering, pull commands.
import type { Image, Repository } from "./api";
import { parseTime } from "./format";

/** A repository with what the filter needs, worked out once per list rather than per keystroke. */
export interface RepoEntry {
  repo: Repository;
  /** Lower-case name and URI. */
  haystack: string;
}

export interface RepoFilter {
  query: string;
  /** A registry host, or "" for all. */
  registry: string;
  /** A region, or "" for all. */
  region: string;
}

export const NO_FILTER: RepoFilter = { query: "", registry: "", region: "" };

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted by name (then registry, for the same name in two registries). */
export function prepareRepos(repos: Repository[]): RepoEntry[] {
  return repos
    .map((repo) => ({ repo, haystack: `${repo.name}\n${repo.uri}`.toLowerCase() }))
    .sort((a, b) => byText(a.repo.name, b.repo.name) || byText(a.repo.registry, b.repo.registry));
}

/** The distinct, sorted values of one field, for a filter's choices. */
export function choices(repos: Repository[], field: "registry" | "region"): string[] {
  return [...new Set(repos.map((r) => r[field]).filter((v) => v !== ""))].sort(byText);
}

/** The entries whose name or URI contains every word of the query (any case), in the chosen registry and region. */
export function filterRepos(entries: RepoEntry[], f: RepoFilter): Repository[] {
  const words = f.query.toLowerCase().split(/\s+/).filter((w) => w !== "");
  const out: Repository[] = [];
  for (const e of entries) {
    if (f.registry && e.repo.registry !== f.registry) continue;
    if (f.region && e.repo.region !== f.region) continue;
    if (words.some((w) => !e.haystack.includes(w))) continue;
    out.push(e.repo);
  }
  return out;
}

/** `docker pull URI:TAG`. Only for a tag in the image's `pull_tags`: the backend decides which tags
 *  are safe in a command the user pastes into a shell; no grammar is repeated here. */
export const pullByTag = (uri: string, tag: string) => `docker pull ${uri}:${tag}`;

/** `docker pull URI@sha256:…`, only when the image's `pull_digest` is true. */
export const pullByDigest = (uri: string, digest: string) => `docker pull ${uri}@${digest}`;

/** `1a2b3c4d5e6f` for `sha256:1a2b3c4d5e6f…`, as `docker images` shows it. */
export function shortDigest(digest: string): string {
  const i = digest.indexOf(":");
  const hex = i >= 0 ? digest.slice(i + 1) : digest;
  return i >= 0 && digest.slice(0, i) !== "sha256" ? `${digest.slice(0, i)}:${hex.slice(0, 12)}` : hex.slice(0, 12);
}

/** Newest push first; images without a push time last. */
export function sortImages(images: Image[]): Image[] {
  const t = (i: Image) => parseTime(i.pushed_at) ?? -Infinity;
  return [...images].sort((a, b) => t(b) - t(a) || byText(a.digest, b.digest));
}
