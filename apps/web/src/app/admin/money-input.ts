// Amounts typed by operators, in yuan, to and from integer fen — by digits, never through floats.

/** "12.5" → 1250; undefined for anything that is not a plain amount with at most two decimals. */
export function fenFromYuan(text: string): number | undefined {
  const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}

/** 5900 → "59.00", as an input's value. */
export const yuanInput = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
