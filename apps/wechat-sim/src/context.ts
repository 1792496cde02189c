// What every handler of a running simulator shares.
import type { SimClock } from "./clock";
import type { NotifyEngine } from "./notify/notify-engine";
import type { SimState } from "./state";

export type SimConfig = {
  /** Origin browsers and merchants use to reach the simulator (mweb_url, bridge script, pages). */
  publicUrl: string;
  timeScale: number;
  /** Calls per appid per simulated Beijing day for cgi-bin/token, stable_token and getticket (each counted apart). */
  dailyTokenQuota: number;
  /** WeChat: a new access_token leaves the previous one valid for 5 more minutes. */
  tokenOverlapMs: number;
  /** WeChat: closeorder is refused within 5 minutes of the order's creation. 0 turns the rule off. */
  closeOrderMinAgeMs: number;
  /** Life of an unpaid order sent without time_expire (WeChat does not publish it; 7 days here). */
  defaultOrderLifeMs: number;
  /** Simulated time from an accepted refund to its final state (and its notify). */
  refundSettleMs: number;
  /** WeChat: refunds of one order must be at least 1 minute apart. 0 turns the rule off. */
  refundSpacingMs: number;
  /** WeChat: the merchant has 5 s to answer a notify. Simulated milliseconds. */
  notifyDeadlineMs: number;
  /** Floor for the real-time notify deadline, so a loopback server can answer at high time scales. */
  minRealNotifyDeadlineMs: number;
  /** How long a reorder rule holds notifies before releasing them newest first. Simulated milliseconds. */
  reorderWindowMs: number;
  /**
   * v3: the clock that stamps answers and notifies (Wechatpay-Timestamp) and that request timestamps must be
   * within 5 minutes of. `simulated` (default) follows the simulator's clock, so a merchant under test reads the
   * same clock; `real` uses the machine's, for a shop that keeps its own time while tests move the simulator's.
   */
  signatureClock: "simulated" | "real";
  /** v3: the chance that a notify delivery carries a WECHATPAY/SIGNTEST/ probe, for merchants made from now on. */
  signProbeRate: number;
};

export type Log = (line: string) => void;

export type SimContext = {
  state: SimState;
  clock: SimClock;
  config: SimConfig;
  notify: NotifyEngine;
  log: Log;
};
