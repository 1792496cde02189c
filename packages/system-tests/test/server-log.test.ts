// The web server's log (core's createLogger with `stdout: "async"`), in a real child process writing to a real pipe:
// every line arrives, without the process exiting and when it exits at once; and a reader that stops reading (a
// stalled log collector) does not stop the server's event loop — the lines wait and arrive once it reads again.
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import path from "node:path";

import { describe, expect, it } from "vitest";

const CHILD = path.join(import.meta.dirname, "fixtures", "async-log-child.ts");

function start(n: number, mode: "exit" | "stay"): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", CHILD, String(n), mode], {
    cwd: path.join(import.meta.dirname, ".."),
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Resolves once `read()` is true, checking whenever the child writes; rejects after `ms`. */
function until(child: ChildProcess, read: () => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    const check = () => {
      if (!read()) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    child.on("exit", check);
    check();
  });
}

/** The `i` of every complete line so far (a chunk may end mid-line). */
const lineNumbers = (text: string) =>
  text
    .slice(0, text.lastIndexOf("\n") + 1)
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { i: number }).i);

describe("the web server's log", () => {
  it("writes every line while the process runs, in order", async () => {
    const child = start(500, "stay");
    let out = "";
    child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    try {
      await until(child, () => lineNumbers(out).length === 500, 20_000, "500 lines");
      expect(lineNumbers(out)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    } finally {
      child.kill();
    }
  });

  it("writes what is still pending when the process exits at once", async () => {
    const child = start(20_000, "exit");
    let out = "";
    child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    // "close": the process has exited and its pipes are drained.
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    expect(code).toBe(0);
    expect(lineNumbers(out)).toHaveLength(20_000);
  });

  it("keeps the event loop running while nobody reads the pipe, and delivers the lines once someone does", async () => {
    // ~2 MB of lines: far more than a pipe holds (64 KiB), so a synchronous write would block the loop.
    const child = start(20_000, "stay");
    let err = "";
    child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
    child.stdout?.pause();
    try {
      await until(child, () => err.includes("loop free"), 20_000, "the child's event loop");
      let out = "";
      child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
      child.stdout?.resume();
      await until(child, () => lineNumbers(out).length === 20_000, 20_000, "20,000 lines");
    } finally {
      child.kill();
    }
  });
});
