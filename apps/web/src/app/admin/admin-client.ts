"use client";
// The console's mutations from the browser: plain fetch on tRPC's JSON wire (same origin, the console's cookie rides
// along by itself), and one Chinese sentence when something is refused.
import { textForAppCode } from "~/lib/error-text";
import type { TAppCode } from "~/lib/error-text";

export type TAdminResult<T> = { ok: true; data: T } | { ok: false; message: string; appCode?: string };

export async function adminMutate<T>(path: string, input: unknown): Promise<TAdminResult<T>> {
  try {
    const res = await fetch(`/api/trpc/admin.${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(input ?? null),
    });
    const body = (await res.json()) as {
      result?: { data: T };
      error?: { message: string; data?: { appCode?: string; code?: string } };
    };
    if (body.result) return { ok: true, data: body.result.data };
    const appCode = body.error?.data?.appCode;
    // Console sentences: the server's own message is written for operators (amounts left, seconds to wait).
    const message =
      appCode === "BAD_INPUT" || appCode === "TOO_MANY_REQUESTS" || appCode === "LOGIN_REQUIRED"
        ? (body.error?.message ?? "请求有误")
        : appCode
          ? textForAppCode(appCode as TAppCode)
          : (body.error?.message ?? "出了点问题，请稍后重试");
    return { ok: false, message, ...(appCode ? { appCode } : {}) };
  } catch {
    return { ok: false, message: "网络好像不太稳定，请检查网络后重试。" };
  }
}
