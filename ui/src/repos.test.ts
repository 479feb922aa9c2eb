import { describe, expect, it } from "vitest";
import { choices, filterRepos, NO_FILTER, prepareRepos, pullByDigest, pullByTag, shortDigest, sortImages } from "./repos";
import { EAST, image, repo, WEST } from "./test/fixtures";

const REPOS = [repo(WEST, "team/web"), repo(EAST, "team/api"), repo(EAST, "Platform/Base"), repo(WEST, "team/api"), repo("public.ecr.aws", "tools/cli")];

describe("repositories", () => {
  it("sorts by name, then registry", () => {
    expect(prepareRepos(REPOS).map((e) => `${e.repo.name} ${e.repo.region}`)).toEqual([
      "Platform/Base us-east-1",
      "team/api eu-west-1",
      "team/api us-east-1",
      "team/web eu-west-1",
      "tools/cli us-east-1",
    ]);
  });

  it("offers each registry and region once, sorted", () => {
    expect(choices(REPOS, "registry")).toEqual([EAST, WEST, "public.ecr.aws"].sort());
    expect(choices(REPOS, "region")).toEqual(["eu-west-1", "us-east-1"]);
  });

  it("filters by name and URI in any case, and by registry and region", () => {
    const e = prepareRepos(REPOS);
    const names = (f: Partial<typeof NO_FILTER>) => filterRepos(e, { ...NO_FILTER, ...f }).map((r) => r.uri);
    expect(names({})).toHaveLength(5);
    expect(names({ query: "platform" })).toEqual([`${EAST}/Platform/Base`]);
    expect(names({ query: "EU-WEST" })).toEqual([`${WEST}/team/api`, `${WEST}/team/web`]);
    expect(names({ query: "  api   west " })).toEqual([`${WEST}/team/api`]);
    expect(names({ registry: EAST })).toEqual([`${EAST}/Platform/Base`, `${EAST}/team/api`]);
    expect(names({ region: "eu-west-1", query: "web" })).toEqual([`${WEST}/team/web`]);
    expect(names({ query: "nothing-like-this" })).toEqual([]);
  });
});

describe("images", () => {
  it("pull commands by tag and by digest", () => {
    expect(pullByTag(`${EAST}/team/api`, "v1.2")).toBe(`docker pull ${EAST}/team/api:v1.2`);
    expect(pullByDigest(`${EAST}/team/api`, "sha256:ab12")).toBe(`docker pull ${EAST}/team/api@sha256:ab12`);
  });

  it("short digests as docker shows them", () => {
    expect(shortDigest("sha256:0123456789abcdef0123")).toBe("0123456789ab");
    expect(shortDigest("sha512:0123456789abcdef0123")).toBe("sha512:0123456789ab");
    expect(shortDigest("weird")).toBe("weird");
  });

  it("newest push first, unknown times last", () => {
    const list = [
      image(["old"], "sha256:1", { pushed_at: "2025-01-01T00:00:00Z" }),
      image(["none"], "sha256:2", { pushed_at: null }),
      image(["new"], "sha256:3", { pushed_at: "2025-06-01T00:00:00Z" }),
    ];
    expect(sortImages(list).map((i) => i.tags[0])).toEqual(["new", "old", "none"]);
    expect(list[0].tags[0]).toBe("old");
  });
});
