// A small closed-loop HTTP load generator: `concurrency` keep-alive connections, each sending the next body as soon
// as its previous request was answered. Every request carries its own body (one fresh payment each), which is why
// this is not a fixed-request tool.
import http from "node:http";

export type TLoadResult = {
  requests: number;
  elapsedMs: number;
  /** Per-request latency, sorted ascending. */
  latenciesMs: number[];
  /** Replies that were not WeChat's SUCCESS packet, or requests that failed. */
  failures: number;
  firstFailure?: string;
};

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const i = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[i] ?? Number.NaN;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** A request body, or a body with its own headers (API v3 notifies carry their signature in headers). */
export type TLoadBody = string | { body: string; headers: Record<string, string> };

function post(agent: http.Agent, url: URL, request: TLoadBody): Promise<{ status: number; text: string }> {
  const body = typeof request === "string" ? request : request.body;
  const extra = typeof request === "string" ? { "content-type": "text/xml" } : request.headers;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { ...extra, "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export async function runLoad(opts: {
  url: string;
  bodies: readonly TLoadBody[];
  concurrency: number;
  /** Text the reply must contain (checked when expectStatus is 200). */
  expect: string;
  /** Default 200; API v3 acknowledges a notify with 204 and no body. */
  expectStatus?: number;
}): Promise<TLoadResult> {
  const expectStatus = opts.expectStatus ?? 200;
  const url = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      const body = opts.bodies[i];
      if (body === undefined) return;
      const t = performance.now();
      try {
        const res = await post(agent, url, body);
        latencies.push(performance.now() - t);
        if (res.status !== expectStatus || (expectStatus === 200 && !res.text.includes(opts.expect))) {
          failures += 1;
          firstFailure ??= `${res.status} ${res.text.slice(0, 200)}`;
        }
      } catch (err) {
        latencies.push(performance.now() - t);
        failures += 1;
        firstFailure ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const elapsedMs = performance.now() - t0;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: opts.bodies.length,
    elapsedMs,
    latenciesMs: latencies,
    failures,
    ...(firstFailure ? { firstFailure } : {}),
  };
}
