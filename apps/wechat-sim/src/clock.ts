// The simulator's clock. Simulated time runs `timeScale` times faster than real time (0 = frozen: only
// `advance` moves it), so WeChat's long rules (prepay_id 2 h, notify retries over 24 h) can be exercised in
// seconds. Every expiry and every scheduled notify in the simulator reads this clock, never Date.now().

type Task = { id: number; at: number; run: () => void };

export type SimClock = {
  /** Simulated epoch milliseconds. */
  now(): number;
  readonly timeScale: number;
  /** Moves simulated time forward and runs every task that became due, in order. */
  advance(ms: number): number;
  /** Runs `run` once simulated time reaches `at`; returns a cancel function. */
  at(at: number, run: () => void): () => void;
  /** Real milliseconds that `simMs` of simulated time takes (Infinity when frozen). */
  realMs(simMs: number): number;
  dispose(): void;
};

export function createClock(opts: { timeScale: number; start?: number }): SimClock {
  const timeScale = opts.timeScale;
  if (!Number.isFinite(timeScale) || timeScale < 0)
    throw new Error(`timeScale must be >= 0, got ${timeScale}`);
  const realStart = performance.now();
  const simStart = opts.start ?? Date.now();
  let offset = 0;
  let seq = 0;
  let tasks: Task[] = [];
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;

  const now = () => simStart + offset + (performance.now() - realStart) * timeScale;

  function runDue() {
    timer = undefined;
    // A task may schedule further tasks; loop until nothing is due.
    for (;;) {
      const t = now();
      const due = tasks.filter((task) => task.at <= t).sort((a, b) => a.at - b.at || a.id - b.id);
      if (due.length === 0) break;
      const ids = new Set(due.map((d) => d.id));
      tasks = tasks.filter((task) => !ids.has(task.id));
      for (const task of due) {
        try {
          task.run();
        } catch (err) {
          console.error("[wechat-sim] scheduled task failed", err);
        }
      }
    }
    arm();
  }

  function arm() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (disposed || tasks.length === 0 || timeScale === 0) return;
    const next = Math.min(...tasks.map((task) => task.at));
    // setTimeout caps at ~24.8 days; re-arming on wake-up handles longer waits.
    const delay = Math.min(Math.max(0, (next - now()) / timeScale), 2_000_000_000);
    timer = setTimeout(runDue, Math.ceil(delay));
  }

  return {
    now,
    timeScale,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new Error("advance needs a non-negative number of milliseconds");
      offset += ms;
      runDue();
      return now();
    },
    at(at, run) {
      const id = ++seq;
      tasks.push({ id, at, run });
      if (at <= now()) queueMicrotask(() => !disposed && runDue());
      else arm();
      return () => {
        tasks = tasks.filter((task) => task.id !== id);
      };
    },
    realMs(simMs) {
      return timeScale === 0 ? Infinity : simMs / timeScale;
    },
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      tasks = [];
    },
  };
}
