import { env } from "~/env";

/** WeChat's domain verification file, reached at the site root through a rewrite (next.config.ts). */
export async function GET(_req: Request, ctx: RouteContext<"/api/wechat/mp-verify/[file]">) {
  const { file } = await ctx.params;
  const content = Object.hasOwn(env().WECHAT_MP_VERIFY, file) ? env().WECHAT_MP_VERIFY[file] : undefined;
  if (content === undefined) return new Response("Not Found", { status: 404 });
  return new Response(content, { headers: { "content-type": "text/plain; charset=utf-8" } });
}
