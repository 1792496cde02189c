// The package's copy of shared/reference/vectors-v3.json (WeChat Pay API v3 vectors from the official
// SDKs and docs), resolved so tests read `v.inputs.privateKey` rather than "keys.x.private_key_pem".
import { readFileSync } from "node:fs";

type Json = Record<string, unknown>;

export const v3 = JSON.parse(
  readFileSync(new URL("../fixtures/vectors-v3.json", import.meta.url), "utf8"),
) as {
  keys: Record<string, Json>;
  request_signing: Json[];
  signature_verification: Json[];
  notifications: Json[];
  aes_gcm: Json[];
  rsa_oaep: Json[];
  pay_sign: Json[];
  platform_certificate_download: Json[];
  format_examples: Json[];
};

/** Follows a reference like "keys.go_test_rsa_2048.certificates.F5765756002FDD77" into the key sets. */
export function ref(path: string): string {
  let node: unknown = v3;
  for (const part of path.split(".")) node = (node as Json)[part];
  if (typeof node !== "string") throw new Error(`no string at ${path}`);
  return node;
}

/** The vector with this name in a section, with typed access to its fields. */
export function vector(section: keyof typeof v3, name: string): Json & { inputs: Json; expected: Json } {
  const list = v3[section] as unknown as Json[];
  const found = list.find((x) => x["name"] === name);
  if (!found) throw new Error(`no vector ${name}`);
  return found as Json & { inputs: Json; expected: Json };
}

export const str = (o: Json, k: string): string => {
  const x = o[k];
  if (typeof x !== "string") throw new Error(`${k} is not a string`);
  return x;
};
