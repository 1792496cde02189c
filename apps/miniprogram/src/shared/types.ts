// The wire types, inferred from the router: a type-only import, so nothing of the server reaches the bundle.
import type { AppRouter, RouterInputs, RouterOutputs } from "@wxpay/api";

export type { AppRouter };
export type TProduct = RouterOutputs["products"][number];
export type TOrderItemInput = RouterInputs["createOrder"]["items"][number];
export type TCreatedOrder = RouterOutputs["createOrder"];
export type TOrderView = RouterOutputs["orderStatus"];
export type TOrderStatus = TOrderView["status"];
export type TMiniPayParams = Extract<RouterOutputs["prepay"], { channel: "mini" }>["payParams"];
