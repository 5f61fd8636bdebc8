// The dashboard suite, written against any ClusterLauncher: a real executable, a real browser,
// and the ordinary v2 API as the source of truth the page is checked against.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { repoRoot } from "../support/servers.ts";
import { chromiumMissingReason, launchBrowser, type Browser } from "./browser.ts";
import type { ClusterLauncher, ClusterUnderTest } from "./launcher.ts";

export const SCREENSHOT_DIR = join(repoRoot, "test-output/screenshots");
const VIEWS = ["cluster", "keys", "watches", "log"] as const;
/** Generous: CI is a shared 2-core machine, and a browser step there can take seconds. */
const TEST_TIMEOUT_MS = 60_000;

/** Poll until `check` holds; fail with the last observed value. */
export async function eventually<T>(observe: () => Promise<T>, check: (v: T) => boolean, opts: { timeoutMs?: number; what: string }): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: T;
  for (;;) {
    last = await observe();
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what}; last saw ${JSON.stringify(last)}`);
    await Bun.sleep(100);
  }
}

async function putKey(base: string, key: string, value: string): Promise<void> {
  const r = await fetch(`${base}/v2/keys${key}`, { method: "PUT", body: new URLSearchParams({ value }) });
  expect(r.status).toBeLessThan(300);
  await r.arrayBuffer();
}

/** A write that may be refused while the cluster elects a leader: the HTTP status. */
async function tryPut(base: string, key: string, value: string): Promise<number> {
  try {
    const r = await fetch(`${base}/v2/keys${key}`, { method: "PUT", body: new URLSearchParams({ value }), signal: AbortSignal.timeout(5000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

async function getValue(base: string, key: string): Promise<string | null> {
  const r = await fetch(`${base}/v2/keys${key}`);
  const body = (await r.json()) as { node?: { value?: string } };
  return r.status === 200 ? (body.node?.value ?? null) : null;
}

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().textContent()) ?? "";
}

export function dashboardSuite(label: string, launch: ClusterLauncher): void {
  const shots = join(SCREENSHOT_DIR, label.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, ""));
  const skip = chromiumMissingReason();
  if (skip) console.warn(skip);
  describe.skipIf(skip !== null)(`dashboard: ${label}`, () => {
    let cluster: ClusterUnderTest;
    let browser: Browser;
    let page: Page;
    let base: string;
    /** Every host the page asked for anything: no CDN, fonts or scripts from elsewhere. */
    const requestedHosts = new Set<string>();
    // Unique per run, so a suite pointed at a long-lived cluster can run twice.
    const dir = `/e2e-${Date.now().toString(36)}`;

    beforeAll(async () => {
      cluster = await launch();
      base = cluster.members[0]!.clientURL;
      browser = await launchBrowser();
      page = await browser.context.newPage();
      page.on("request", (r) => requestedHosts.add(new URL(r.url()).hostname));
      mkdirSync(shots, { recursive: true });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await cluster?.stop();
    }, 30_000);

    test("the Cluster view names the leader and term that the API reports", async () => {
      await page.goto(`${base}/dashboard#/cluster`);
      await page.getByTestId("fact-term").waitFor();
      const timing = await page.evaluate(() => ({
        loadMs: (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).loadEventEnd,
        liveMs: performance.getEntriesByName("etcbun:first-hello")[0]?.startTime ?? -1,
      }));
      // Reported, not asserted: timings on a shared CI machine say little (benchmarks live in bench/).
      console.log(`dashboard: load event at ${Math.round(timing.loadMs)} ms, first live data at ${Math.round(timing.liveMs)} ms`);

      const self = (await (await fetch(`${base}/v2/stats/self`)).json()) as { leaderInfo: { leader: string } };
      const { members } = (await (await fetch(`${base}/v2/members`)).json()) as { members: { id: string; name: string }[] };
      const keys = await fetch(`${base}/v2/keys/`);
      await keys.arrayBuffer();
      const term = keys.headers.get("X-Raft-Term");
      const leader = members.find((m) => m.id === self.leaderInfo.leader);
      expect(leader).toBeDefined();

      await eventually(() => text(page, "fact-term"), (t) => t === term, { what: `term ${term}` });
      await eventually(() => text(page, "fact-leader"), (t) => t === leader!.name, { what: `leader ${leader!.name}` });
      const leaderCard = page.locator(`[data-testid="member-card"][data-member-id="${leader!.id}"]`);
      expect(await leaderCard.locator(".leader-badge").count()).toBe(1);
      expect(await page.getByTestId("member-card").count()).toBe(members.length);
      expect([...requestedHosts]).toEqual(["127.0.0.1"]);
    }, TEST_TIMEOUT_MS);

    test("from a follower, the Cluster view shows every member's progress as the leader sees it", async () => {
      const leaderInfo = (await (await fetch(`${base}/v2/members/leader`)).json()) as { clientURLs: string[] };
      const follower = cluster.members.find((m) => m.clientURL !== leaderInfo.clientURLs[0]);
      if (!follower) return; // a single member is its own leader: nothing to borrow
      await page.goto(`${follower.clientURL}/dashboard#/cluster`);
      await page.getByTestId("progress-from-leader").waitFor();
      const matchIndexes = await eventually(
        () => page.getByTestId("match-index").allTextContents(),
        (xs) => xs.length === cluster.members.length && xs.every((x) => /^\d+$/.test(x)),
        { what: "a match index for every member" },
      );
      expect(matchIndexes.map(Number).every((n) => n > 0)).toBe(true);
    }, TEST_TIMEOUT_MS);

    test("a key created in the Keys view reads back through the API", async () => {
      await page.goto(`${base}/dashboard#/keys`);
      await page.getByTestId("create-key").fill(`${dir}/created`);
      await page.getByTestId("create-value").fill("from the browser");
      await page.getByTestId("create-submit").click();
      await eventually(() => getValue(base, `${dir}/created`), (v) => v === "from the browser", { what: "the created key via the API" });
      await page.getByTestId("key-editor").waitFor();
      expect(await page.getByTestId("key-editor").textContent()).toContain(`${dir}/created`);
      // The new directory shows up in the tree without a manual reload.
      await page.locator(`[data-testid="tree-node"][data-key="${dir}"]`).waitFor();

      // A key with a TTL shows it counting down.
      await page.getByTestId("create-key").fill(`${dir}/expiring`);
      await page.getByTestId("create-value").fill("soon gone");
      await page.getByTestId("create-ttl").fill("100");
      await page.getByTestId("create-submit").click();
      await eventually(() => text(page, "ttl"), (t) => /^\d+ s left/.test(t) && Number(t.split(" ")[0]) <= 100, { what: "a TTL countdown" });
    }, TEST_TIMEOUT_MS);

    test("a key written through the API appears in the Watches view live", async () => {
      await page.goto(`${base}/dashboard#/watches`);
      await page.getByTestId("watches-view").waitFor();
      await page.getByTestId("watch-key").fill(dir);
      await page.getByTestId("watch-start").click();
      // The page's own watch shows up in the member's list of watched keys.
      await eventually(() => page.getByTestId("watched-keys").textContent().catch(() => ""), (t) => (t ?? "").includes(dir), {
        what: `${dir} in the watched keys`,
      });
      const value = `live ${Date.now()}`;
      await putKey(base, `${dir}/watched`, value);
      const row = page.locator(`[data-testid="store-events"] li[data-key="${dir}/watched"]`);
      await eventually(() => row.first().textContent().catch(() => ""), (t) => (t ?? "").includes(value), { what: "the change in the feed" });
      await eventually(() => text(page, "browser-watch"), (t) => t.includes(value), { what: "the change in the page's own watch" });

      // Paused, the log holds still and counts what arrives; resumed, it shows it.
      await page.getByTestId("events-pause").click();
      await putKey(base, `${dir}/while-paused`, "held");
      await eventually(() => text(page, "events-pause"), (t) => t.includes("1 new"), { what: "the paused log counting a change" });
      expect(await page.locator(`[data-testid="store-events"] li[data-key="${dir}/while-paused"]`).count()).toBe(0);
      await page.getByTestId("events-pause").click();
      await page.locator(`[data-testid="store-events"] li[data-key="${dir}/while-paused"]`).waitFor();

      // The filter narrows the log to matching keys.
      await page.getByTestId("events-filter").fill("while-paused");
      await eventually(() => page.locator('[data-testid="store-events"] li[data-key]').count(), (n) => n === 1, { what: "one filtered row" });
      await page.getByTestId("events-filter").fill("");
    }, TEST_TIMEOUT_MS);

    test("an edit that loses a compare-and-swap race shows the conflict and changes nothing", async () => {
      await putKey(base, `${dir}/cas`, "original");
      await page.goto(`${base}/dashboard#/keys`);
      await page.getByTestId("keys-search").fill(`${dir}/cas`);
      await page.getByTestId("keys-search").press("Enter");
      await page.getByTestId("search-results").getByText(`${dir}/cas`).click();
      await eventually(() => page.getByTestId("editor-value").inputValue(), (v) => v === "original", { what: "editor loaded" });
      await page.locator(`[data-testid="tree-node"][data-key="${dir}/cas"]`).waitFor();
      await page.getByTestId("editor-value").fill("mine");
      await putKey(base, `${dir}/cas`, "theirs");
      await page.getByTestId("editor-save").click();
      await eventually(() => text(page, "conflict"), (t) => t.includes("theirs"), { what: "the conflict message" });
      expect(await getValue(base, `${dir}/cas`)).toBe("theirs");
    }, TEST_TIMEOUT_MS);

    test("the theme toggle cycles auto, light and dark and overrides the system", async () => {
      await page.emulateMedia({ colorScheme: "dark" });
      await page.goto(`${base}/dashboard#/cluster`);
      const theme = () => page.evaluate(() => document.documentElement.dataset.theme ?? "");
      const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await eventually(theme, (t) => t === "dark", { what: "auto follows the dark system theme" });
      const darkBackground = await background();
      await page.getByTestId("theme-toggle").click();
      expect(await text(page, "theme-toggle")).toContain("light");
      expect(await theme()).toBe("light");
      expect(await background()).not.toBe(darkBackground);
      await page.getByTestId("theme-toggle").click();
      expect(await theme()).toBe("dark");
      await page.getByTestId("theme-toggle").click();
      expect(await text(page, "theme-toggle")).toContain("auto");
      await page.emulateMedia({ colorScheme: "light" });
      await eventually(theme, (t) => t === "light", { what: "auto follows the light system theme" });
    }, TEST_TIMEOUT_MS);

    test("screenshots of every view, light and dark", async () => {
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const v of VIEWS) {
          await page.goto(`${base}/dashboard#/${v}`);
          await page.getByTestId(`${v}-view`).waitFor();
          await Bun.sleep(300);
          await page.screenshot({ path: join(shots, `${v}-${scheme}.png`) });
        }
      }
    }, TEST_TIMEOUT_MS);

    // Last: it kills the leader, after loading the page from it.
    test("when its member dies the page says so, offers the others, and follows the new leader", async () => {
      const leaderInfo = (await (await fetch(`${base}/v2/members/leader`)).json()) as { name: string; clientURLs: string[] };
      const victim = cluster.members.find((m) => m.clientURL === leaderInfo.clientURLs[0]);
      expect(victim).toBeDefined();
      const others = cluster.members.filter((m) => m !== victim);
      await page.emulateMedia({ colorScheme: "light" });
      await page.goto(`${victim!.clientURL}/dashboard#/watches`);
      await eventually(() => page.getByTestId("connection").getAttribute("data-state"), (s) => s === "live", { what: "a live feed" });
      // A watch started from the page, which has seen one change before the member dies.
      const watched = `${dir}/failover`;
      await page.getByTestId("watch-key").fill(watched);
      await page.getByTestId("watch-start").click();
      await eventually(() => page.getByTestId("watched-keys").textContent().catch(() => ""), (t) => (t ?? "").includes(watched), {
        what: "the page's watch registered",
      });
      await putKey(victim!.clientURL, `${watched}/before`, "1");
      const pageWatch = page.getByTestId("browser-watch").last();
      await eventually(() => pageWatch.textContent(), (t) => (t ?? "").includes(`${watched}/before`), { what: "the change before" });
      await page.getByTestId("tab-cluster").click();

      await victim!.stop();
      await page.getByTestId("lost-banner").waitFor({ timeout: 10_000 });
      expect(await page.getByTestId("lost-banner").textContent()).toContain(victim!.name);
      await page.screenshot({ path: join(shots, "member-lost-light.png") });
      expect(await page.getByTestId("switch-member").count()).toBe(others.length);
      if (others.length === 0) return;
      // A change made while the page is cut off, which the moved watch must not miss.
      await eventually(() => tryPut(others[0]!.clientURL, `${watched}/during`, "2"), (status) => status >= 200 && status < 300, {
        what: "a write accepted by the survivors",
        timeoutMs: 20_000,
      });
      await page.getByTestId("switch-member").first().click();
      await eventually(() => page.getByTestId("connection").getAttribute("data-state"), (s) => s === "live", { what: "the feed of another member" });
      expect(await text(page, "fact-self")).not.toContain(victim!.name);
      // The survivors elect a new leader, and the page shows it.
      await eventually(() => text(page, "fact-leader"), (t) => t !== victim!.name && !t.startsWith("none"), {
        what: "a new leader",
        timeoutMs: 20_000,
      });
      await page.screenshot({ path: join(shots, "after-failover-light.png") });

      // The page's watch moved to the new member and resumed after the last index it had seen.
      await page.getByTestId("tab-watches").click();
      const watchText = await eventually(() => pageWatch.textContent(), (t) => (t ?? "").includes(`${watched}/during`), {
        what: "the change made during the failover",
      });
      expect(watchText!.split(`${watched}/before`).length - 1).toBe(1);

      // The Keys view follows too: writes go to the new member (cross-origin, CORS as etcd 3.4).
      const survivor = others.find((m) => m.clientURL === new URL(page.url()).searchParams.get("member"));
      expect(survivor).toBeDefined();
      await page.getByTestId("tab-keys").click();
      await page.getByTestId("create-key").fill(`${dir}/after-failover`);
      await page.getByTestId("create-value").fill("still writable");
      await page.getByTestId("create-submit").click();
      await eventually(() => getValue(survivor!.clientURL, `${dir}/after-failover`), (v) => v === "still writable", {
        what: "the key written after failover",
      });
    }, TEST_TIMEOUT_MS);
  });
}
