// Finding a server's pid by its data dir and reading its resident memory.
import { expect, test } from "bun:test";
import { spawn } from "bun";
import { parseVmRssKiB, pidWithArg, vmRssKiB } from "./rss.ts";

test("VmRSS is read in KiB from a status text", () => {
  expect(parseVmRssKiB("Name:\tetcd\nVmPeak:\t  900 kB\nVmRSS:\t   34792 kB\nRssAnon:\t 1 kB\n")).toBe(34792);
  expect(() => parseVmRssKiB("Name:\tkthreadd\n")).toThrow();
});

test("a process is found by a unique argument and its RSS is read", async () => {
  const marker = `/tmp/etcbun-rss-test-${process.pid}-${Date.now()}`;
  // The child says when its runtime is up: right after exec its RSS is still tiny.
  const proc = spawn([process.execPath, "-e", "console.log('up'); setTimeout(() => {}, 10000)", marker], { stdout: "pipe", stderr: "ignore" });
  try {
    await proc.stdout.getReader().read();
    const pid = pidWithArg(marker);
    expect(pid).toBe(proc.pid);
    expect(vmRssKiB(pid)).toBeGreaterThan(1000);
  } finally {
    proc.kill("SIGKILL");
    await proc.exited;
  }
  expect(() => pidWithArg(marker)).toThrow(/found 0/);
});
