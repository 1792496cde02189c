// Structured one-line JSON logs. `alert` marks what an operator must look at (money without a clean match).
export type LogFields = Record<string, unknown>;
export type Logger = {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  alert(msg: string, fields?: LogFields): void;
};

function line(level: string, msg: string, fields?: LogFields): string {
  return JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
}

export const consoleLogger: Logger = {
  info: (m, f) => console.log(line("info", m, f)),
  warn: (m, f) => console.warn(line("warn", m, f)),
  error: (m, f) => console.error(line("error", m, f)),
  alert: (m, f) => console.error(line("alert", m, f)),
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, alert() {} };
