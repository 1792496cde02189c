// Drives the built pages with miniprogram-simulate the way the mini-program runtime does: load the page's
// .json/.wxml/.wxss/.js from the built folder, render it, call onLoad with the page query, and keep every
// setData so a test can read the page's state after each step. Navigation calls are recorded, not performed.
import { createRequire } from "node:module";
import path from "node:path";

// Loaded untyped: its declarations pull in an older miniprogram-api-typings whose globals clash with the ones
// the pages are checked against. The few calls used here are typed below.
type TSimNode = { dom?: Element; dispatchEvent(name: string): void };
type TSimComponent = TSimNode & {
  data: unknown;
  instance: unknown;
  attach(parent: Element): void;
  querySelector(selector: string): TSimNode | undefined;
};
const simulate = createRequire(import.meta.url)("miniprogram-simulate") as {
  load(path: string, options: { compiler: "simulate"; rootPath: string }): string;
  render(id: string, properties?: Record<string, unknown>): TSimComponent;
};

export type TSetDataLog = Record<string, unknown>[];

export type TPage<TData> = {
  data: TData;
  /** Every setData call, in order. */
  log: TSetDataLog;
  /** The values one data key took, in order. */
  history(key: string): unknown[];
  text(selector: string): string | undefined;
  exists(selector: string): boolean;
  tap(selector: string): void;
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
};

export type TNavigation = { api: "navigateTo" | "redirectTo" | "reLaunch"; url: string };

/** Replaces the navigation calls of the global `wx` (miniprogram-simulate's) with a recorder. */
export function recordNavigation(): TNavigation[] {
  const nav: TNavigation[] = [];
  const wx = (globalThis as unknown as { wx: Record<string, unknown> }).wx;
  for (const api of ["navigateTo", "redirectTo", "reLaunch"] as const) {
    wx[api] = (o: { url: string; success?: () => void }) => {
      nav.push({ api, url: o.url });
      o.success?.();
    };
  }
  return nav;
}

export async function openPage<TData = Record<string, unknown>>(
  builtDir: string,
  page: string,
  query: Record<string, string>,
): Promise<TPage<TData>> {
  const id = simulate.load(path.join(builtDir, "pages", page, "index"), {
    compiler: "simulate",
    rootPath: builtDir,
  });
  const comp = simulate.render(id, query);
  comp.attach(document.createElement("parent-wrapper"));
  const log: TSetDataLog = [];
  const instance = comp.instance as unknown as Record<string, (...args: unknown[]) => unknown> & {
    setData(d: Record<string, unknown>): void;
  };
  const setData = instance.setData.bind(instance);
  instance.setData = (d: Record<string, unknown>) => {
    log.push(d);
    setData(d);
  };
  const handle: TPage<TData> = {
    get data() {
      return comp.data as TData;
    },
    log,
    history: (key) => log.filter((d) => key in d).map((d) => d[key]),
    text: (selector) => comp.querySelector(selector)?.dom?.textContent ?? undefined,
    exists: (selector) => Boolean(comp.querySelector(selector)),
    tap: (selector) => {
      const el = comp.querySelector(selector);
      if (!el) throw new Error(`no ${selector} on the page`);
      el.dispatchEvent("tap");
    },
    call: async <T>(method: string, ...args: unknown[]) => {
      const fn = instance[method];
      if (typeof fn !== "function") throw new Error(`page has no method ${method}`);
      return (await fn.apply(instance, args)) as T;
    },
  };
  // The runtime calls onLoad with the page's query; the page returns its loading promise so a test can await it.
  await handle.call("onLoad", query);
  return handle;
}

/** Waits until `check` passes (a tap starts async work the test cannot await directly). */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 20));
  }
}
