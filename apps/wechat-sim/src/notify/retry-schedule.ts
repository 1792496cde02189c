// WeChat: a notify that is not acknowledged is sent again after 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h
// (24h4m in all), so one payment is delivered at most 16 times.
const S = 1000;
const M = 60 * S;
const H = 60 * M;

export const RETRY_INTERVALS_MS: readonly number[] = [
  15 * S,
  15 * S,
  30 * S,
  3 * M,
  10 * M,
  20 * M,
  30 * M,
  30 * M,
  30 * M,
  60 * M,
  3 * H,
  3 * H,
  3 * H,
  6 * H,
  6 * H,
];

export const MAX_DELIVERIES = RETRY_INTERVALS_MS.length + 1;

/** Gap before delivery number `n + 1` after delivery `n` (1-based), or undefined when WeChat gives up. */
export function retryGapAfter(n: number): number | undefined {
  return RETRY_INTERVALS_MS[n - 1];
}
