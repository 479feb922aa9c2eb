import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Image, RepositoryList, Status } from "../api";
import { fakeBackend } from "../test/backend";
import { active, EAST, image, loggedOut, repo, repositoryList, WEST } from "../test/fixtures";
import { COPIED_MS, IMAGE_LIMIT, RepositoriesSection } from "./Repositories";

const inHour = () => new Date(Date.now() + 3600_000).toISOString();
const live = (extra: Partial<Status> = {}) =>
  active("corp", inHour(), {
    registries: [
      { host: EAST, kind: "private", expires_at: inHour() },
      { host: WEST, kind: "private", expires_at: inHour() },
    ],
    ...extra,
  });

const REPOS = [repo(EAST, "team/web"), repo(EAST, "team/api"), repo(WEST, "team/api"), repo(WEST, "platform/base"), repo(EAST, "ml/serving")];
const DIGEST = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
const UNTAGGED = "sha256:9e1b7c3d5a0f2e4b6c8d0a1f3e5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b";
const IMAGES: Image[] = [
  image(["v1.2.0", "latest"], DIGEST, { pushed_at: "2025-11-20T08:00:00Z", size_bytes: 12_345_678 }),
  image([], UNTAGGED, { pushed_at: "2025-10-01T08:00:00Z", size_bytes: null }),
];

function backend(opts: { list?: (args: Record<string, unknown>) => RepositoryList; images?: (args: Record<string, unknown>) => Image[] | Promise<Image[]> } = {}) {
  return fakeBackend({
    handlers: {
      list_repositories: opts.list ?? ((a) => repositoryList(a.profile as string, REPOS)),
      list_images: opts.images ?? (() => IMAGES),
    },
  });
}

const rows = () => screen.getAllByTestId("repo-row");
const rowOf = (name: string, registry = EAST) => document.querySelector<HTMLElement>(`[data-testid="repo-row"][data-name="${name}"][data-registry="${registry}"]`)!;
const count = () => screen.getByTestId("repos-count").textContent;
const type = (value: string) => fireEvent.input(screen.getByTestId("repos-search"), { target: { value } });
const choose = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });

let writeText: ReturnType<typeof vi.fn<(t: string) => Promise<void>>>;

beforeEach(() => {
  writeText = vi.fn((_t: string) => Promise.resolve());
  Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
});

afterEach(() => {
  delete (navigator as { clipboard?: unknown }).clipboard;
  delete (document as { execCommand?: unknown }).execCommand;
});

describe("list", () => {
  it("loads once when shown, sorted by name, with a count and when it was fetched", async () => {
    const be = backend();
    render(<RepositoriesSection status={live()} />);
    await screen.findAllByTestId("repo-row");
    expect(be.argsOf("list_repositories")).toEqual([{ profile: "corp", refresh: false }]);
    expect(rows().map((r) => `${r.dataset.name} ${r.dataset.registry}`)).toEqual([
      `ml/serving ${EAST}`,
      `platform/base ${WEST}`,
      `team/api ${WEST}`,
      `team/api ${EAST}`,
      `team/web ${EAST}`,
    ]);
    expect(count()).toBe("5 of 5 repositories");
    expect(within(rowOf("team/api")).getByTestId("repo-uri").textContent).toBe(`${EAST}/team/api`);
    expect(rowOf("team/api").textContent).toContain("Mar 14, 2025");
    expect(screen.getByTestId("repos-fetched").textContent).toMatch(/^fetched /);
    expect(screen.queryByTestId("repo-images")).toBeNull();
  });

  it("search filters by name and URI, in any case", async () => {
    backend();
    render(<RepositoriesSection status={live()} />);
    await screen.findAllByTestId("repo-row");
    type("TEAM/");
    expect(rows().map((r) => r.dataset.name)).toEqual(["team/api", "team/api", "team/web"]);
    expect(count()).toBe("3 of 5 repositories");
    type("eu-west-1");
    expect(rows().map((r) => r.dataset.name)).toEqual(["platform/base", "team/api"]);
    type("no such thing");
    expect(screen.queryAllByTestId("repo-row")).toHaveLength(0);
    expect(count()).toBe("0 of 5 repositories");
    expect(screen.getByText(/No repositories match/)).toBeTruthy();
  });

  it("registry and region filters are built from the data and combine with the search", async () => {
    backend();
    render(<RepositoriesSection status={live()} />);
    await screen.findAllByTestId("repo-row");
    const options = (id: string) => [...screen.getByTestId<HTMLSelectElement>(id).options].map((o) => o.value);
    expect(options("repos-filter-registry")).toEqual(["", WEST, EAST]);
    expect(options("repos-filter-region")).toEqual(["", "eu-west-1", "us-east-1"]);

    choose("repos-filter-registry", WEST);
    expect(rows().map((r) => r.dataset.registry)).toEqual([WEST, WEST]);
    expect(count()).toBe("2 of 5 repositories");

    choose("repos-filter-registry", "");
    choose("repos-filter-region", "us-east-1");
    expect(rows().map((r) => r.dataset.name)).toEqual(["ml/serving", "team/api", "team/web"]);
    type("api");
    expect(rows().map((r) => `${r.dataset.name} ${r.dataset.registry}`)).toEqual([`team/api ${EAST}`]);
    expect(count()).toBe("1 of 5 repositories");
  });

  it("says so when the registries have no repositories", async () => {
    backend({ list: (a) => repositoryList(a.profile as string, []) });
    render(<RepositoriesSection status={live()} />);
    expect((await screen.findByTestId("repos-empty")).textContent).toBe("No repositories in these registries");
    expect(screen.queryByTestId("repos-search")).toBeNull();
  });

  it("a registry that could not be listed is a one-line warning; the others still list", async () => {
    backend({
      list: (a) =>
        repositoryList(a.profile as string, [repo(EAST, "team/api")], {
          errors: [{ registry: WEST, error: { code: "sts_failed", message: "AccessDeniedException: not authorized to perform ecr:DescribeRepositories" } }],
        }),
    });
    render(<RepositoriesSection status={live()} />);
    const warning = await screen.findByTestId("repos-warning");
    expect(warning.dataset.registry).toBe(WEST);
    expect(warning.textContent).toContain(WEST);
    expect(warning.textContent).toContain("AccessDeniedException");
    expect(rows().map((r) => r.dataset.name)).toEqual(["team/api"]);
    expect(screen.queryByTestId("repos-error")).toBeNull();
  });

  it("a failing call shows its error inline (not the banner), and Try again loads again", async () => {
    let fail = true;
    const be = backend({
      list: (a) => {
        if (fail) throw { code: "network", message: "Cannot reach api.ecr.us-east-1.amazonaws.com" };
        return repositoryList(a.profile as string, REPOS);
      },
    });
    render(<RepositoriesSection status={live()} />);
    const error = await screen.findByTestId("repos-error");
    expect(error.textContent).toContain("Cannot reach api.ecr.us-east-1.amazonaws.com");
    expect(error.dataset.code).toBe("network");
    expect(screen.queryByTestId("error-banner")).toBeNull();
    fail = false;
    fireEvent.click(within(error).getByText("Try again"));
    await screen.findAllByTestId("repo-row");
    expect(screen.queryByTestId("repos-error")).toBeNull();
    expect(be.argsOf("list_repositories")).toEqual([
      { profile: "corp", refresh: false },
      { profile: "corp", refresh: false },
    ]);
  });

  it("Refresh fetches again with refresh=true", async () => {
    let fetched = "2025-11-26T11:00:00Z";
    const be = backend({ list: (a) => repositoryList(a.profile as string, REPOS, { fetched_at: fetched }) });
    render(<RepositoriesSection status={live()} />);
    await screen.findAllByTestId("repo-row");
    const before = screen.getByTestId("repos-fetched").textContent;
    fetched = new Date().toISOString();
    fireEvent.click(screen.getByTestId("repos-refresh"));
    await waitFor(() => expect(screen.getByTestId("repos-fetched").textContent).toBe("fetched just now"));
    expect(before).not.toBe("fetched just now");
    expect(be.argsOf("list_repositories")).toEqual([
      { profile: "corp", refresh: false },
      { profile: "corp", refresh: true },
    ]);
  });

  it("a failed refresh keeps the list and retries with refresh=true", async () => {
    let calls = 0;
    const be = backend({
      list: (a) => {
        if (++calls === 2) throw { code: "network", message: "timed out" };
        return repositoryList(a.profile as string, REPOS);
      },
    });
    render(<RepositoriesSection status={live()} />);
    await screen.findAllByTestId("repo-row");
    fireEvent.click(screen.getByTestId("repos-refresh"));
    const error = await screen.findByTestId("repos-error");
    expect(rows()).toHaveLength(5);
    fireEvent.click(within(error).getByText("Try again"));
    await waitFor(() => expect(screen.queryByTestId("repos-error")).toBeNull());
    expect(be.argsOf("list_repositories").map((a) => a.refresh)).toEqual([false, true, true]);
  });
});

describe("when it loads", () => {
  it.each<[string, Status]>([
    ["signed out", loggedOut("corp")],
    ["expired", active("corp", new Date(Date.now() - 1000).toISOString())],
    ["failed", { ...loggedOut("corp"), state: "error", error: { code: "sts_failed", message: "no" } }],
    ["expired per the backend", { ...live(), state: "expired" }],
  ])("not at all when %s", async (_, status) => {
    const be = backend();
    render(<RepositoriesSection status={status} />);
    await act(async () => {});
    expect(screen.queryByTestId("repos")).toBeNull();
    expect(be.argsOf("list_repositories")).toEqual([]);
  });

  it("again for a new role or other registries, not when only the expiry moves", async () => {
    const be = backend();
    const r = render(<RepositoriesSection status={live()} />);
    await screen.findAllByTestId("repo-row");
    r.rerender(<RepositoriesSection status={live({ expires_at: new Date(Date.now() + 7200_000).toISOString() })} />);
    r.rerender(<RepositoriesSection status={{ ...live(), state: "expiring" }} />);
    await act(async () => {});
    expect(be.argsOf("list_repositories")).toHaveLength(1);

    r.rerender(<RepositoriesSection status={live({ role_arn: "arn:aws:iam::123456789012:role/ReadOnly", role_name: "ReadOnly" })} />);
    await waitFor(() => expect(be.argsOf("list_repositories")).toHaveLength(2));
    r.rerender(<RepositoriesSection status={live({ role_arn: "arn:aws:iam::123456789012:role/ReadOnly", role_name: "ReadOnly", registries: [{ host: EAST, kind: "private", expires_at: inHour() }] })} />);
    await waitFor(() => expect(be.argsOf("list_repositories")).toHaveLength(3));
    r.rerender(<RepositoriesSection status={{ ...live(), profile: "staging" }} />);
    await waitFor(() => expect(be.argsOf("list_repositories")).toHaveLength(4));
    expect(be.argsOf("list_repositories")[3]).toEqual({ profile: "staging", refresh: false });
  });

  it("goes away at expiry without a new status", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    backend();
    render(<RepositoriesSection status={live({ expires_at: new Date(Date.now() + 5000).toISOString() })} />);
    await act(async () => {});
    expect(screen.getByTestId("repos")).toBeTruthy();
    act(() => void vi.advanceTimersByTime(5100));
    expect(screen.queryByTestId("repos")).toBeNull();
  });
});

describe("images", () => {
  it("expanding a repository loads its images once, with profile, registry and name", async () => {
    let release: () => void = () => {};
    const be = backend({ images: () => new Promise<Image[]>((res) => (release = () => res(IMAGES))) });
    render(<RepositoriesSection status={live()} />);
    await screen.findAllByTestId("repo-row");
    fireEvent.click(rowOf("team/api", WEST).querySelector(".repo-line")!);
    const panel = within(rowOf("team/api", WEST)).getByTestId("repo-images");
    expect(panel.textContent).toContain("Loading images");
    await waitFor(() => expect(be.argsOf("list_images")).toEqual([{ profile: "corp", registry: WEST, name: "team/api" }]));
    release();
    await within(panel).findAllByTestId("image-row");
    expect(rowOf("team/api", WEST).dataset.expanded).toBe("true");

    const imgs = within(panel).getAllByTestId("image-row");
    expect(imgs.map((i) => i.dataset.digest)).toEqual([DIGEST, UNTAGGED]);
    expect(imgs[0].textContent).toContain("v1.2.0");
    expect(imgs[0].textContent).toContain("latest");
    expect(imgs[0].textContent).toContain("4f53cda18c2b");
    expect(imgs[0].textContent).toContain("12.3 MB");
    expect(imgs[1].textContent).toContain("untagged");
    expect(imgs[1].textContent).toContain("Oct 1, 2025");

    // collapse and open again: the images are kept
    fireEvent.click(within(rowOf("team/api", WEST)).getByRole("button", { name: /team\/api/, expanded: true }));
    expect(screen.queryByTestId("repo-images")).toBeNull();
    fireEvent.click(rowOf("team/api", WEST).querySelector(".repo-line")!);
    expect(within(rowOf("team/api", WEST)).getAllByTestId("image-row")).toHaveLength(2);
    expect(be.argsOf("list_images")).toHaveLength(1);
  });

  it("an images error shows inline with a retry", async () => {
    let fail = true;
    backend({
      images: () => {
        if (fail) throw { code: "sts_failed", message: "RepositoryNotFoundException" };
        return IMAGES;
      },
    });
    render(<RepositoriesSection status={live()} />);
    await screen.findAllByTestId("repo-row");
    fireEvent.click(rowOf("team/web").querySelector(".repo-line")!);
    const err = await within(rowOf("team/web")).findByTestId("images-error");
    expect(err.textContent).toContain("RepositoryNotFoundException");
    expect(screen.queryByTestId("repos-error")).toBeNull();
    fail = false;
    fireEvent.click(within(err).getByText("Try again"));
    await within(rowOf("team/web")).findAllByTestId("image-row");
  });

  it("a repository without images says so", async () => {
    backend({ images: () => [] });
    render(<RepositoriesSection status={live()} />);
    await screen.findAllByTestId("repo-row");
    fireEvent.click(rowOf("ml/serving").querySelector(".repo-line")!);
    await within(rowOf("ml/serving")).findByText("No images in this repository");
  });

  it(`shows the newest ${IMAGE_LIMIT} images, then all on request`, async () => {
    const many = Array.from({ length: IMAGE_LIMIT + 5 }, (_, i) =>
      image([`t${i}`], `sha256:${String(i).padStart(64, "0")}`, { pushed_at: new Date(Date.parse("2025-01-01T00:00:00Z") + i * 60_000).toISOString() }),
    );
    backend({ images: () => many });
    render(<RepositoriesSection status={live()} />);
    await screen.findAllByTestId("repo-row");
    fireEvent.click(rowOf("team/web").querySelector(".repo-line")!);
    const found = await within(rowOf("team/web")).findAllByTestId("image-row");
    expect(found).toHaveLength(IMAGE_LIMIT);
    expect(found[0].textContent).toContain(`t${IMAGE_LIMIT + 4}`);
    fireEvent.click(screen.getByText(`Show all ${IMAGE_LIMIT + 5} images`));
    expect(within(rowOf("team/web")).getAllByTestId("image-row")).toHaveLength(IMAGE_LIMIT + 5);
  });

  it("Refresh loads the images of open repositories again", async () => {
    const be = backend();
    render(<RepositoriesSection status={live()} />);
    await screen.findAllByTestId("repo-row");
    fireEvent.click(rowOf("team/web").querySelector(".repo-line")!);
    await within(rowOf("team/web")).findAllByTestId("image-row");
    fireEvent.click(screen.getByTestId("repos-refresh"));
    await waitFor(() => expect(be.argsOf("list_images")).toHaveLength(2));
    await within(rowOf("team/web")).findAllByTestId("image-row");
  });
});

describe("copy", () => {
  async function openImages() {
    render(<RepositoriesSection status={live()} />);
    await screen.findAllByTestId("repo-row");
    fireEvent.click(rowOf("team/api").querySelector(".repo-line")!);
    return within(rowOf("team/api")).findAllByTestId("image-row");
  }

  it("each tag copies exactly docker pull URI:TAG; an untagged image pulls by digest", async () => {
    backend();
    const imgs = await openImages();
    const uri = `${EAST}/team/api`;
    const buttons = within(imgs[0]).getAllByTestId("copy-pull");
    expect(buttons.map((b) => b.dataset.command)).toEqual([`docker pull ${uri}:v1.2.0`, `docker pull ${uri}:latest`]);
    expect(within(imgs[1]).getAllByTestId("copy-pull").map((b) => b.dataset.command)).toEqual([`docker pull ${uri}@${UNTAGGED}`]);

    fireEvent.click(buttons[1]);
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(`docker pull ${uri}:latest`));
    await waitFor(() => expect(buttons[1].textContent).toContain("Copied"));
    expect(buttons[0].textContent).not.toContain("Copied");
    expect(rowOf("team/api").dataset.expanded).toBe("true");

    fireEvent.click(within(imgs[1]).getByTestId("copy-pull"));
    await waitFor(() => expect(writeText).toHaveBeenLastCalledWith(`docker pull ${uri}@${UNTAGGED}`));
  });

  it("offers a command only for the tags the backend allows; the others are text", async () => {
    backend({
      images: () => [
        image(["v1.2.0", "x && rm -rf ~", "latest", "-bad"], DIGEST, { pull_tags: ["v1.2.0", "latest"] }),
        image([], UNTAGGED, { pushed_at: "2025-10-01T08:00:00Z" }),
      ],
    });
    const imgs = await openImages();
    const uri = `${EAST}/team/api`;
    expect(within(imgs[0]).getAllByTestId("copy-pull").map((b) => b.dataset.command)).toEqual([`docker pull ${uri}:v1.2.0`, `docker pull ${uri}:latest`]);
    const plain = within(imgs[0]).getAllByTestId("tag-text");
    expect(plain.map((t) => t.textContent)).toEqual(["x && rm -rf ~", "-bad"]);
    expect(plain.map((t) => t.tagName)).toEqual(["SPAN", "SPAN"]);
    expect(plain[0].getAttribute("title")).toMatch(/not a valid tag, so no docker pull command is offered/);
    // the tags keep the registry's order
    expect([...imgs[0].querySelectorAll(".image-tags > *")].map((e) => e.textContent)).toEqual(["v1.2.0", "x && rm -rf ~", "latest", "-bad"]);
    expect(within(imgs[1]).getAllByTestId("copy-pull").map((b) => b.dataset.command)).toEqual([`docker pull ${uri}@${UNTAGGED}`]);
  });

  it("by digest only when the backend allows the digest; also when no tag can be pulled", async () => {
    const BAD_DIGEST = "sha256:NOT-HEX";
    backend({
      images: () => [
        image(["release/2025-11"], DIGEST, { pull_tags: [] }),
        image([], BAD_DIGEST, { pull_digest: false, pushed_at: "2025-10-01T08:00:00Z" }),
        image(["bad tag"], UNTAGGED, { pull_tags: [], pull_digest: false, pushed_at: "2025-09-01T08:00:00Z" }),
      ],
    });
    const imgs = await openImages();
    const uri = `${EAST}/team/api`;
    expect(within(imgs[0]).getAllByTestId("copy-pull").map((b) => b.dataset.command)).toEqual([`docker pull ${uri}@${DIGEST}`]);
    expect(within(imgs[0]).getByTestId("tag-text").textContent).toBe("release/2025-11");
    expect(within(imgs[1]).queryAllByTestId("copy-pull")).toEqual([]);
    expect(imgs[1].textContent).toContain("untagged");
    expect(within(imgs[2]).queryAllByTestId("copy-pull")).toEqual([]);
    expect(within(imgs[2]).getByTestId("tag-text").textContent).toBe("bad tag");
  });

  it("the repository's copy button copies its URI and does not open it", async () => {
    backend();
    render(<RepositoriesSection status={live()} />);
    await screen.findAllByTestId("repo-row");
    const btn = within(rowOf("platform/base", WEST)).getByTestId("repo-copy-uri");
    fireEvent.click(btn);
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(`${WEST}/platform/base`));
    await waitFor(() => expect(btn.textContent).toBe("Copied"));
    expect(rowOf("platform/base", WEST).dataset.expanded).toBe("false");
  });

  it('"Copied" shows for a moment', async () => {
    backend();
    const imgs = await openImages();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const btn = within(imgs[0]).getAllByTestId("copy-pull")[0];
    await act(async () => {
      fireEvent.click(btn);
      for (let i = 0; i < 5; i++) await Promise.resolve();
    });
    expect(btn.textContent).toContain("Copied");
    act(() => void vi.advanceTimersByTime(COPIED_MS));
    expect(btn.textContent).not.toContain("Copied");
  });

  it("falls back to execCommand when the Clipboard API refuses", async () => {
    writeText.mockRejectedValue(new DOMException("denied", "NotAllowedError"));
    let copied = "";
    const exec = vi.fn((cmd: string) => {
      copied = document.querySelector("textarea")?.value ?? "";
      return cmd === "copy";
    });
    Object.defineProperty(document, "execCommand", { value: exec, configurable: true, writable: true });
    backend();
    const imgs = await openImages();
    const btn = within(imgs[0]).getAllByTestId("copy-pull")[0];
    fireEvent.click(btn);
    await waitFor(() => expect(exec).toHaveBeenCalledWith("copy"));
    expect(copied).toBe(`docker pull ${EAST}/team/api:v1.2.0`);
    await waitFor(() => expect(btn.textContent).toContain("Copied"));
  });

  it("says when copying failed", async () => {
    writeText.mockRejectedValue(new Error("denied"));
    backend();
    const imgs = await openImages();
    const btn = within(imgs[0]).getAllByTestId("copy-pull")[0];
    fireEvent.click(btn);
    await waitFor(() => expect(btn.textContent).toContain("Copy failed"));
  });
});
