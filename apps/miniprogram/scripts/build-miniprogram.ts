// Builds the folder WeChat DevTools opens: the shared runtime (tRPC client and all) bundled once into
// shared/index.js, the app and each page bundled apart and requiring it, the static files copied, and
// project.config.json written from the configuration. Everything is CommonJS, which a mini-program runs.
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

import type { BuildOptions, Plugin } from "esbuild";
import { build } from "esbuild";

import type { TBuildConfig } from "./env";

export const SRC_DIR = path.resolve(import.meta.dirname, "../src");
export const DEFAULT_OUT_DIR = path.resolve(import.meta.dirname, "../dist");
/** The package budget without images (WeChat's own cap is 2 MB per package). */
export const SIZE_BUDGET_BYTES = 100 * 1024;

const SHARED_ENTRY = "shared/index";
/** Files in the folder that are not part of the uploaded package. */
const NOT_UPLOADED = new Set(["project.config.json", "package.json"]);
const IMAGE = /\.(png|jpe?g|gif|webp|svg)$/i;
const STATIC = /\.(json|wxml|wxss|wxs)$/;

export type TFileSize = { file: string; bytes: number; gzipBytes: number };
export type TBuildResult = { outDir: string; files: TFileSize[]; totalBytes: number; totalGzipBytes: number };

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join("/")];
  });
}

/** Entry points: app.ts and pages/<name>/index.ts. */
function entries(): Record<string, string> {
  const out: Record<string, string> = { app: path.join(SRC_DIR, "app.ts") };
  for (const name of fs.readdirSync(path.join(SRC_DIR, "pages"))) {
    const file = path.join(SRC_DIR, "pages", name, "index.ts");
    if (fs.existsSync(file)) out[`pages/${name}/index`] = file;
  }
  return out;
}

/**
 * The app and the pages require the one shared bundle instead of each carrying a copy of the tRPC client.
 * Anything else under src/shared must be reached through its index.
 */
function sharedAsExternal(): Plugin {
  const sharedDir = path.join(SRC_DIR, "shared");
  return {
    name: "shared-as-external",
    setup(b) {
      b.onResolve({ filter: /shared/ }, (args) => {
        const resolved = path.resolve(args.resolveDir, args.path);
        if (!resolved.startsWith(sharedDir + path.sep) && resolved !== sharedDir) return undefined;
        const rel = path.relative(sharedDir, resolved).replace(/\.ts$/, "");
        if (rel !== "index" && rel !== "") {
          return { errors: [{ text: `import the shared runtime through shared/index, not ${args.path}` }] };
        }
        const fromDir = path.relative(SRC_DIR, path.dirname(args.importer));
        let target = path.relative(fromDir, `${SHARED_ENTRY}.js`).split(path.sep).join("/");
        if (!target.startsWith(".")) target = `./${target}`;
        return { path: target, external: true };
      });
    },
  };
}

export async function buildMiniprogram(
  config: TBuildConfig,
  outDir = DEFAULT_OUT_DIR,
): Promise<TBuildResult> {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const common: BuildOptions = {
    bundle: true,
    format: "cjs",
    platform: "neutral",
    mainFields: ["module", "main"],
    // The base library's JS engines run ES2017; DevTools' "ES6 转 ES5" can lower further for old devices.
    target: "es2017",
    minify: true,
    legalComments: "none",
    charset: "utf8",
    logLevel: "warning",
  };

  await build({
    ...common,
    entryPoints: { [SHARED_ENTRY]: path.join(SRC_DIR, "shared/index.ts") },
    outdir: outDir,
    inject: [path.join(SRC_DIR, "shims/abort-controller.ts")],
    define: {
      __MINIPROGRAM_CONFIG__: JSON.stringify({ apiBaseUrl: config.apiBaseUrl, simulator: config.simulator }),
    },
  });
  await build({ ...common, entryPoints: entries(), outdir: outDir, plugins: [sharedAsExternal()] });

  for (const file of walk(SRC_DIR)) {
    if (!STATIC.test(file) && !IMAGE.test(file)) continue;
    fs.mkdirSync(path.dirname(path.join(outDir, file)), { recursive: true });
    fs.copyFileSync(path.join(SRC_DIR, file), path.join(outDir, file));
  }

  const projectConfig = {
    description:
      "Built by apps/miniprogram (pnpm --filter @wxpay/miniprogram build); edit miniprogram.config.json, not this file.",
    appid: config.appid,
    projectname: "wxpay-miniprogram",
    compileType: "miniprogram",
    miniprogramRoot: "./",
    setting: {
      // An http:// API (local development) is not a 服务器域名; DevTools must not check domains then.
      urlCheck: config.apiBaseUrl.startsWith("https://") && !config.simulator,
      es6: true,
      enhance: true,
      postcss: true,
      minified: true,
      ignoreUploadUnusedFiles: true,
    },
    packOptions: { ignore: [...NOT_UPLOADED].map((value) => ({ type: "file", value })), include: [] },
    condition: {},
  };
  fs.writeFileSync(path.join(outDir, "project.config.json"), `${JSON.stringify(projectConfig, null, 2)}\n`);
  // Lets Node (the tests) load the CommonJS bundles although this package is an ES module package.
  fs.writeFileSync(
    path.join(outDir, "package.json"),
    `${JSON.stringify({ type: "commonjs", private: true })}\n`,
  );

  const files = walk(outDir)
    .filter((f) => !NOT_UPLOADED.has(f) && !IMAGE.test(f))
    .sort()
    .map((file) => {
      const buf = fs.readFileSync(path.join(outDir, file));
      return { file, bytes: buf.length, gzipBytes: gzipSync(buf).length };
    });
  return {
    outDir,
    files,
    totalBytes: files.reduce((s, f) => s + f.bytes, 0),
    totalGzipBytes: files.reduce((s, f) => s + f.gzipBytes, 0),
  };
}

export function sizeReport(r: TBuildResult): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const width = Math.max(...r.files.map((f) => f.file.length), 5);
  const lines = r.files.map(
    (f) => `  ${f.file.padEnd(width)}  ${kb(f.bytes).padStart(9)}  ${kb(f.gzipBytes).padStart(9)} gz`,
  );
  return [
    `mini-program package (without images), ${r.files.length} files:`,
    ...lines,
    `  ${"total".padEnd(width)}  ${kb(r.totalBytes).padStart(9)}  ${kb(r.totalGzipBytes).padStart(9)} gz   budget ${kb(SIZE_BUDGET_BYTES)}`,
  ].join("\n");
}
