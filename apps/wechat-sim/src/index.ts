// @wxpay/wechat-sim: a stateful local WeChat for development and tests. Never a dependency of production code.
export { startSimulator, type Simulator, type SimulatorOptions } from "./server";
export type { SimTlsOptions } from "./http/tls";
export { SANDBOX, DEFAULT_USERS } from "./defaults";
export { openidFor } from "./state";
export type { FaultRule, TradeState } from "./state";
export { RETRY_INTERVALS_MS, MAX_DELIVERIES } from "./notify/retry-schedule";
export { createSimControl, type SimControl } from "./control-client";
