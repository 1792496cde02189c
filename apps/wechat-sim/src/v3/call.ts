// What a v3 endpoint handler receives once the request's signature checked out.
import type { SimContext } from "../context";
import type { Merchant } from "../state";
import type { V3Reply } from "./wire";

export type V3Call = {
  merchant: Merchant;
  /** Path parameters, URL-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  raw: Buffer;
};

export type V3Handler = (ctx: SimContext, call: V3Call) => V3Reply;
