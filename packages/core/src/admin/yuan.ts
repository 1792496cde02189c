/** 12345 → "123.45": digits, never float division. */
export function yuanFromFen(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const digits = String(Math.abs(fen)).padStart(3, "0");
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
