// The shop's logger: pino, one JSON line per event, level from configuration, secrets and openids redacted by
// rule (log-redact.ts) before anything is written. `alert` (between error and fatal) marks what an operator must
// look at: money without a clean match, quota exhausted.
import type { DestinationStream, Logger as PinoLogger } from "pino";
import { pino } from "pino";

import { randomBase62 } from "./ids";
import { redactFields, redactText } from "./log-redact";

export type LogFields = Record<string, unknown>;
export type Logger = {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  alert(msg: string, fields?: LogFields): void;
};

export const LOG_LEVELS = ["debug", "info", "warn", "error", "alert", "silent"] as const;
export type TLogLevel = (typeof LOG_LEVELS)[number];

type TPino = PinoLogger<"alert">;
const PINO = Symbol("pino");
type TShopLogger = Logger & { [PINO]: TPino };

function wrap(p: TPino): TShopLogger {
  const at = (level: "info" | "warn" | "error" | "alert") => (msg: string, fields?: LogFields) => {
    if (!p.isLevelEnabled(level)) return;
    p[level](fields ? (redactFields(fields) as LogFields) : {}, redactText(msg));
  };
  return { info: at("info"), warn: at("warn"), error: at("error"), alert: at("alert"), [PINO]: p };
}

const ASYNC_STDOUT = Symbol.for("wxpay.log.asyncStdout");

/**
 * stdout for a long-running server, one per process (every logger asking for it shares it, however often the code is
 * bundled): lines are written from the thread pool, so a request never waits on the log pipe, nor stalls behind a log
 * collector that stopped reading. Nothing is held back to fill a buffer — a line leaves as soon as the write before it
 * is done — and what is still pending when the process exits is written synchronously then (pino's exit hook).
 */
function asyncStdout(): DestinationStream {
  const g = globalThis as Record<symbol, DestinationStream | undefined>;
  return (g[ASYNC_STDOUT] ??= pino.destination({ dest: 1, sync: false }));
}

/**
 * A pino logger behind the shop's Logger interface; `destination` defaults to stdout, written synchronously (a command
 * that logs and exits), or off the event loop with `stdout: "async"` (the web server).
 */
export function createLogger(
  opts: { level?: TLogLevel; destination?: DestinationStream; stdout?: "sync" | "async" } = {},
): Logger {
  const p = pino<"alert">(
    {
      level: opts.level ?? "info",
      customLevels: { alert: 55 },
      messageKey: "msg",
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? (opts.stdout === "async" ? asyncStdout() : pino.destination({ dest: 1, sync: true })),
  );
  return wrap(p);
}

/** The same logger with fields on every line (a request id); works for any Logger, natively for pino's. */
export function withLogFields(log: Logger, fields: LogFields): Logger {
  const p = (log as Partial<TShopLogger>)[PINO];
  if (p) return wrap(p.child(redactFields(fields) as LogFields));
  const merged = (f?: LogFields) => ({ ...fields, ...f });
  return {
    info: (m, f) => log.info(m, merged(f)),
    warn: (m, f) => log.warn(m, merged(f)),
    error: (m, f) => log.error(m, merged(f)),
    alert: (m, f) => log.alert(m, merged(f)),
  };
}

/** The caller's X-Request-Id when it is a plain token (a proxy's), else a new one: what ties a request's lines. */
export function requestIdFrom(header: string | null | undefined): string {
  return header && /^[A-Za-z0-9._:-]{8,64}$/.test(header) ? header : randomBase62(16);
}

/** The default for processes that configure nothing: info and above to stdout. */
export const consoleLogger: Logger = createLogger();

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, alert() {} };
