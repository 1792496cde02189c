// The simulator's configuration from the environment (the only place process.env is read).
import { z } from "zod";

const ZSimEnv = z.object({
  SIM_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  SIM_HOST: z.string().min(1).default("127.0.0.1"),
  SIM_PUBLIC_URL: z.string().url().optional(),
  SIM_TIME_SCALE: z.coerce.number().min(0).default(1),
  SIM_DAILY_TOKEN_QUOTA: z.coerce.number().int().positive().optional(),
  SIM_SIGN_PROBE_RATE: z.coerce.number().min(0).max(1).default(0),
  // The running simulator serves shops that read the machine's clock, even after a test moves the simulator's.
  SIM_SIGNATURE_CLOCK: z.enum(["real", "simulated"]).default("real"),
});

export type TSimEnv = z.infer<typeof ZSimEnv>;

export function readSimEnv(env: NodeJS.ProcessEnv = process.env): TSimEnv {
  const blankToUndefined = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v);
  const r = ZSimEnv.safeParse({
    SIM_PORT: blankToUndefined(env.SIM_PORT),
    SIM_HOST: blankToUndefined(env.SIM_HOST),
    SIM_PUBLIC_URL: blankToUndefined(env.SIM_PUBLIC_URL),
    SIM_TIME_SCALE: blankToUndefined(env.SIM_TIME_SCALE),
    SIM_DAILY_TOKEN_QUOTA: blankToUndefined(env.SIM_DAILY_TOKEN_QUOTA),
    SIM_SIGN_PROBE_RATE: blankToUndefined(env.SIM_SIGN_PROBE_RATE),
    SIM_SIGNATURE_CLOCK: blankToUndefined(env.SIM_SIGNATURE_CLOCK),
  });
  if (!r.success) {
    throw new Error(
      `wechat-sim configuration: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return r.data;
}
