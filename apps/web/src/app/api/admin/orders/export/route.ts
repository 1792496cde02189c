// The console's CSV export, streamed (the API's handler does the session, role, filter and audit).
import { handleOrdersExport } from "@wxpay/api";

import { coreDeps } from "~/server/deps";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return handleOrdersExport(await coreDeps(), request);
}
