// Loads the built shared runtime the way the mini-program does (CommonJS require of shared/index.js), not the
// TypeScript sources. Free of esbuild and server imports, so page tests can use it under jsdom.
import { createRequire } from "node:module";
import path from "node:path";

import type * as Shared from "../../src/shared/index";

export type TBuiltShared = typeof Shared;

const nodeRequire = createRequire(import.meta.url);

export function loadShared(outDir: string): TBuiltShared {
  return nodeRequire(path.join(outDir, "shared/index.js")) as TBuiltShared;
}
