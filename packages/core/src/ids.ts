import crypto from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `length` base62 characters from the CSPRNG (rejection sampling, no modulo bias). */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of crypto.randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}

/** Order ids are not secrets, but never guessable either: 22 base62 chars ≈ 131 bits. */
export const newOrderId = () => `o_${randomBase62(22)}`;
export const newCustomerId = () => `c_${randomBase62(22)}`;
export const newAttemptId = () => `a_${randomBase62(22)}`;
