// `pnpm --filter @wxpay/wechat-sim start`: runs the simulator and prints the sandbox credentials as .env lines.
import { SANDBOX, SANDBOX_KEY_FILES } from "../defaults";
import { readSimEnv } from "../env";
import { startSimulator } from "../server";

const env = readSimEnv();
const sim = await startSimulator({
  port: env.SIM_PORT,
  host: env.SIM_HOST,
  publicUrl: env.SIM_PUBLIC_URL ?? ((port) => `http://localhost:${port}`),
  timeScale: env.SIM_TIME_SCALE,
  dailyTokenQuota: env.SIM_DAILY_TOKEN_QUOTA,
  signProbeRate: env.SIM_SIGN_PROBE_RATE,
  rules: { signatureClock: env.SIM_SIGNATURE_CLOCK },
});

console.log(`wechat-sim listening on ${sim.url} (public ${sim.publicUrl}, time scale ${sim.clock.timeScale})
admin page: ${sim.publicUrl}/__sim/admin

# sandbox merchant and apps (.env)
WECHATPAY_MCH_ID=${SANDBOX.mchId}
WECHATPAY_KEY=${SANDBOX.key}
WECHATPAY_SIGN_TYPE=${SANDBOX.signType}
WECHAT_APPID=${SANDBOX.officialAppId}
WECHAT_APPSECRET=${SANDBOX.officialSecret}
WECHAT_MINI_APPID=${SANDBOX.miniAppId}
WECHAT_MINI_SECRET=${SANDBOX.miniSecret}
WECHAT_PAY_BASE=${sim.publicUrl}
WECHAT_API_BASE=${sim.publicUrl}
WECHAT_OPEN_BASE=${sim.publicUrl}

# API v3 (signing mode public-key; switch with POST ${sim.publicUrl}/__sim/merchants/signing)
WECHATPAY_APIV3_KEY=${SANDBOX.apiV3Key}
WECHATPAY_MCH_CERT_PATH=apps/wechat-sim/${SANDBOX_KEY_FILES.mchCert}
WECHATPAY_MCH_KEY_PATH=apps/wechat-sim/${SANDBOX_KEY_FILES.mchKey}
WECHATPAY_MCH_SERIAL=${SANDBOX.mchSerial}
WECHATPAY_PUBLIC_KEY_PATH=apps/wechat-sim/${SANDBOX_KEY_FILES.publicKey}
WECHATPAY_PUBLIC_KEY_ID=${SANDBOX.publicKeyId}
`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void sim.close().then(() => process.exit(0));
  });
}
