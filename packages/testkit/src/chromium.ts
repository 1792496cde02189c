// The browser for end-to-end tests is the system Chromium (Debian's `chromium`); Playwright's own browser
// downloads do not exist on these machines.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"];
// A small CJK font so pages and their screenshots show Chinese text rather than empty boxes.
const CJK_FONT_PACKAGE = "fonts-wqy-microhei";
const CJK_FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";
export const INSTALL_COMMAND = `apt-get update && apt-get install -y chromium ${CJK_FONT_PACKAGE}`;

export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  return CANDIDATES.find((p) => fs.existsSync(p));
}

/** Returns the Chromium path, installing Debian's package when missing and allowed (root with apt-get). */
export function ensureChromium(log: (line: string) => void = console.log): string {
  const found = findChromium();
  const canInstall = process.getuid?.() === 0 && fs.existsSync("/usr/bin/apt-get");
  if (found) {
    if (canInstall && !fs.existsSync(CJK_FONT_FILE)) {
      log(`installing a CJK font for Chinese pages (${CJK_FONT_PACKAGE}) …`);
      // Best effort: without it tests still run, screenshots just lack Chinese glyphs.
      spawnSync(
        "sh",
        [
          "-c",
          `apt-get install -y ${CJK_FONT_PACKAGE} || (apt-get update && apt-get install -y ${CJK_FONT_PACKAGE})`,
        ],
        {
          stdio: ["ignore", "inherit", "inherit"],
          env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
        },
      );
    }
    return found;
  }
  if (!canInstall) {
    throw new Error(`Chromium is not installed. Install it with:\n  sudo sh -c '${INSTALL_COMMAND}'`);
  }
  log(`Chromium not found; installing Debian's chromium (${INSTALL_COMMAND}) …`);
  const res = spawnSync("sh", ["-c", INSTALL_COMMAND], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  const installed = findChromium();
  if (res.status !== 0 || !installed) {
    throw new Error(`Installing Chromium failed. Run it yourself:\n  ${INSTALL_COMMAND}`);
  }
  return installed;
}

/** Launch flags for system Chromium on a closed network, as root. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  // Only the machine itself exists: any other host (e.g. the JS-SDK's report beacon to open.weixin.qq.com) fails at
  // once instead of holding a page's load event until a network timeout.
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
];
