// A mini-program has no AbortController, and @trpc/client's core creates one for every call (observableToPromise)
// even when nothing is ever aborted. The build injects this one in place of the global (esbuild `inject`), so the
// bundle never depends on, or patches, the runtime's globals. It covers what tRPC uses: signal.aborted,
// signal.reason, add/removeEventListener("abort"), abort(reason).

type Listener = (event: { type: "abort" }) => void;

class ShimAbortSignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: Listener | null = null;
  private listeners: { fn: Listener; once: boolean }[] = [];

  addEventListener(type: string, fn: Listener, opts?: { once?: boolean } | boolean): void {
    if (type !== "abort" || this.listeners.some((l) => l.fn === fn)) return;
    this.listeners.push({ fn, once: typeof opts === "object" && !!opts.once });
  }

  removeEventListener(type: string, fn: Listener): void {
    if (type === "abort") this.listeners = this.listeners.filter((l) => l.fn !== fn);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** @internal */
  fire(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const event = { type: "abort" as const };
    const listeners = this.listeners;
    this.listeners = listeners.filter((l) => !l.once);
    this.onabort?.(event);
    for (const l of listeners) l.fn(event);
  }
}

class ShimAbortController {
  readonly signal = new ShimAbortSignal();

  abort(reason?: unknown): void {
    const err = new Error("This operation was aborted");
    err.name = "AbortError";
    this.signal.fire(reason === undefined ? err : reason);
  }
}

export { ShimAbortController as AbortController };
