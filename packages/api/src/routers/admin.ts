// The operator console's procedures (`admin.*`): each declares the role it needs; the session is the console's own.
import { z } from "zod";

import {
  adminOrderDetail,
  adminOverview,
  adminRefund,
  changeOperatorPassword,
  listAdminOrders,
  listAudit,
  listBillChecks,
  listNotifications,
  listOperators,
  listRefunds,
  listReviewQueue,
  operatorLogin,
  operatorLogout,
  resolveReview,
  runBillCheck,
  setOperatorDisabled,
  setOperatorRole,
} from "@wxpay/core";

import { ZChannel, ZOrderId, ZOrderStatus } from "../schemas";
import { adminProcedure, adminPublicProcedure, createRouter } from "../trpc";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

const ZRole = z.enum(["viewer", "operator", "admin"]);
const ZUsername = z.string().regex(/^[a-z0-9_.-]{2,32}$/);

const ZOperator = z.object({
  username: z.string(),
  role: ZRole,
  mustChangePassword: z.boolean(),
});

/** The order list's filter: the same for admin.orders and the streamed CSV export (GET /api/admin/orders/export). */
export const ZOrderFilter = z
  .object({
    q: z.string().trim().max(64).optional(),
    status: ZOrderStatus.optional(),
    channel: ZChannel.optional(),
    apiVersion: z.enum(["v2", "v3"]).optional(),
    from: z.iso.datetime().optional(),
    to: z.iso.datetime().optional(),
  })
  .strict();

export const filterOf = (f: z.infer<typeof ZOrderFilter>) => ({
  ...(f.q ? { q: f.q } : {}),
  ...(f.status ? { status: f.status } : {}),
  ...(f.channel ? { channel: f.channel } : {}),
  ...(f.apiVersion ? { apiVersion: f.apiVersion } : {}),
  ...(f.from ? { from: new Date(f.from) } : {}),
  ...(f.to ? { to: new Date(f.to) } : {}),
});

const ZAdminOrderRow = z.object({
  orderId: z.string(),
  customerId: z.string(),
  amountFen: z.number().int(),
  status: ZOrderStatus,
  channel: ZChannel.nullable(),
  apiVersion: z.enum(["v2", "v3"]).nullable(),
  transactionId: z.string().nullable(),
  paidAt: z.string().nullable(),
  createdAt: z.string(),
});

const ZJson = z.record(z.string(), z.unknown());

export const adminRouter = createRouter({
  login: adminPublicProcedure
    .input(z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }).strict())
    .output(z.object({ operator: ZOperator }))
    .mutation(async ({ ctx, input }) => {
      const r = await operatorLogin(ctx.deps, { ...input, ip: ctx.clientIp });
      ctx.setAdminCookie(r.token);
      return { operator: r.operator };
    }),

  logout: adminProcedure("viewer", { allowPasswordChange: true })
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx }) => {
      await operatorLogout(ctx.deps, ctx.operator, ctx.clientIp);
      ctx.setAdminCookie("");
      return { ok: true as const };
    }),

  me: adminProcedure("viewer", { allowPasswordChange: true })
    .output(z.object({ operator: ZOperator }))
    .query(({ ctx }) => ({ operator: ctx.operator.operator })),

  changePassword: adminProcedure("viewer", { allowPasswordChange: true })
    .input(z.object({ currentPassword: z.string().max(200), newPassword: z.string().max(200) }).strict())
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const r = await changeOperatorPassword(ctx.deps, ctx.operator, { ...input, ip: ctx.clientIp });
      ctx.setAdminCookie(r.token);
      return { ok: true as const };
    }),

  overview: adminProcedure("viewer")
    .output(
      z.object({
        days: z.array(
          z.object({
            day: z.string(),
            paidFen: z.number().int(),
            created: z.number().int(),
            paid: z.number().int(),
            refundedFen: z.number().int(),
            refunds: z.number().int(),
          }),
        ),
        channels: z.array(
          z.object({ channel: z.string(), attempted: z.number().int(), paid: z.number().int() }),
        ),
        verdicts: z.array(z.object({ verdict: z.string(), count: z.number().int() })),
        inReview: z.number().int(),
      }),
    )
    .query(({ ctx }) => adminOverview(ctx.deps)),

  orders: adminProcedure("viewer")
    .input(
      ZOrderFilter.extend({
        cursor: z
          .object({ createdAt: z.iso.datetime(), id: z.string().max(64) })
          .strict()
          .optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }).strict(),
    )
    .output(
      z.object({
        rows: z.array(ZAdminOrderRow),
        next: z.object({ createdAt: z.string(), id: z.string() }).nullable(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const r = await listAdminOrders(ctx.deps, {
        ...filterOf(input),
        ...(input.cursor
          ? { cursor: { createdAt: new Date(input.cursor.createdAt), id: input.cursor.id } }
          : {}),
        limit: input.limit,
      });
      return {
        rows: r.rows.map((o) => ({
          orderId: o.id,
          customerId: o.customerId,
          amountFen: o.amountFen,
          status: o.status,
          channel: o.channel,
          apiVersion: o.apiVersion,
          transactionId: o.transactionId,
          paidAt: iso(o.paidAt),
          createdAt: o.createdAt.toISOString(),
        })),
        next: r.next ? { createdAt: r.next.createdAt.toISOString(), id: r.next.id } : null,
      };
    }),

  order: adminProcedure("viewer")
    .input(z.object({ orderId: ZOrderId }).strict())
    .output(
      z.object({
        order: z.object({
          orderId: z.string(),
          customerId: z.string(),
          amountFen: z.number().int(),
          status: ZOrderStatus,
          items: z.array(
            z.object({ sku: z.string(), title: z.string(), qty: z.number(), priceFen: z.number() }),
          ),
          transactionId: z.string().nullable(),
          paidAt: z.string().nullable(),
          createdAt: z.string(),
        }),
        attempts: z.array(
          z.object({
            outTradeNo: z.string(),
            channel: z.string(),
            status: z.string(),
            amountFen: z.number().int(),
            transactionId: z.string().nullable(),
            own: z.boolean(),
          }),
        ),
        refunds: z.array(
          z.object({
            outRefundNo: z.string(),
            outTradeNo: z.string(),
            refundFeeFen: z.number().int(),
            status: z.string(),
            origin: z.string(),
            reason: z.string().nullable(),
            createdAt: z.string(),
          }),
        ),
        refundable: z.array(
          z.object({ outTradeNo: z.string(), paidFen: z.number().int(), leftFen: z.number().int() }),
        ),
        timeline: z.array(z.object({ at: z.string(), kind: z.string(), title: z.string(), detail: ZJson })),
      }),
    )
    .query(async ({ ctx, input }) => {
      const d = await adminOrderDetail(ctx.deps, input.orderId);
      const outTradeNoOf = new Map(d.attempts.map((a) => [a.id, a.outTradeNo]));
      return {
        order: {
          orderId: d.order.id,
          customerId: d.order.customerId,
          amountFen: d.order.amountFen,
          status: d.order.status,
          items: d.order.items,
          transactionId: d.order.transactionId,
          paidAt: iso(d.order.paidAt),
          createdAt: d.order.createdAt.toISOString(),
        },
        attempts: d.attempts.map((a) => ({
          outTradeNo: a.outTradeNo,
          channel: a.channel,
          status: a.status,
          amountFen: a.amountFen,
          transactionId: a.transactionId,
          own: a.id === d.order.paidAttemptId,
        })),
        refunds: d.refunds.map((r) => ({
          outRefundNo: r.outRefundNo,
          outTradeNo: outTradeNoOf.get(r.attemptId) ?? "",
          refundFeeFen: r.refundFeeFen,
          status: r.status,
          origin: r.origin,
          reason: r.reason,
          createdAt: r.createdAt.toISOString(),
        })),
        refundable: d.refundable.map(({ outTradeNo, paidFen, leftFen }) => ({
          outTradeNo,
          paidFen,
          leftFen,
        })),
        timeline: d.timeline.map((e) => ({
          at: e.at.toISOString(),
          kind: e.kind,
          title: e.title,
          detail: JSON.parse(JSON.stringify(e.detail)) as Record<string, unknown>,
        })),
      };
    }),

  refund: adminProcedure("operator")
    .input(
      z
        .object({
          orderId: ZOrderId,
          outTradeNo: z.string().regex(/^[0-9A-Za-z_|*-]{6,32}$/),
          amountFen: z.number().int().positive(),
          reason: z.string().trim().min(2).max(80),
        })
        .strict(),
    )
    .output(
      z.object({
        outRefundNo: z.string(),
        status: z.string(),
        refundFeeFen: z.number().int(),
        orderStatus: z.string(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const r = await adminRefund(ctx.deps, ctx.operator, { ...input, ip: ctx.clientIp });
      return {
        outRefundNo: r.outRefundNo,
        status: r.status,
        refundFeeFen: r.refundFeeFen,
        orderStatus: r.orderStatus,
      };
    }),

  refunds: adminProcedure("viewer")
    .input(
      z
        .object({
          cursor: z
            .object({ createdAt: z.iso.datetime(), outRefundNo: z.string().max(64) })
            .strict()
            .optional(),
          limit: z.number().int().min(1).max(200).default(50),
        })
        .strict()
        .default({ limit: 50 }),
    )
    .output(
      z.object({
        rows: z.array(
          z.object({
            outRefundNo: z.string(),
            orderId: z.string(),
            outTradeNo: z.string(),
            refundFeeFen: z.number().int(),
            status: z.string(),
            origin: z.string(),
            reason: z.string().nullable(),
            apiVersion: z.enum(["v2", "v3"]),
            createdAt: z.string(),
            succeededAt: z.string().nullable(),
          }),
        ),
        next: z.object({ createdAt: z.string(), outRefundNo: z.string() }).nullable(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const r = await listRefunds(ctx.deps, {
        limit: input.limit,
        ...(input.cursor
          ? { cursor: { createdAt: new Date(input.cursor.createdAt), outRefundNo: input.cursor.outRefundNo } }
          : {}),
      });
      return {
        rows: r.rows.map((x) => ({
          ...x,
          createdAt: x.createdAt.toISOString(),
          succeededAt: iso(x.succeededAt),
        })),
        next: r.next ? { createdAt: r.next.createdAt.toISOString(), outRefundNo: r.next.outRefundNo } : null,
      };
    }),

  review: adminProcedure("viewer")
    .output(
      z.array(
        z.object({
          orderId: z.string(),
          amountFen: z.number().int(),
          updatedAt: z.string(),
          why: z.array(z.object({ type: z.string(), at: z.string(), data: ZJson })),
          extraPayments: z.array(
            z.object({ outTradeNo: z.string(), paidFen: z.number().int(), leftFen: z.number().int() }),
          ),
        }),
      ),
    )
    .query(async ({ ctx }) =>
      (await listReviewQueue(ctx.deps)).map((o) => ({
        orderId: o.orderId,
        amountFen: o.amountFen,
        updatedAt: o.updatedAt.toISOString(),
        extraPayments: o.extraPayments.map(({ outTradeNo, paidFen, leftFen }) => ({
          outTradeNo,
          paidFen,
          leftFen,
        })),
        why: o.events
          .filter((e) => ["PAID_NEEDS_REVIEW", "SECOND_TRANSACTION_ID", "AMOUNT_MISMATCH"].includes(e.type))
          .map((e) => ({ type: e.type, at: e.createdAt.toISOString(), data: e.data })),
      })),
    ),

  resolveReview: adminProcedure("operator")
    .input(z.object({ orderId: ZOrderId, note: z.string().trim().min(2).max(500) }).strict())
    .output(z.object({ orderId: z.string(), status: z.string() }))
    .mutation(({ ctx, input }) => resolveReview(ctx.deps, ctx.operator, { ...input, ip: ctx.clientIp })),

  notifications: adminProcedure("viewer")
    .input(
      z
        .object({ failingOnly: z.boolean().default(false) })
        .strict()
        .default({ failingOnly: false }),
    )
    .output(
      z.array(
        z.object({
          id: z.number().int(),
          receivedAt: z.string(),
          remoteAddr: z.string().nullable(),
          verdict: z.string(),
          detail: z.string().nullable(),
          outTradeNo: z.string().nullable(),
          transactionId: z.string().nullable(),
          reply: z.string(),
          orderId: z.string().nullable(),
        }),
      ),
    )
    .query(async ({ ctx, input }) =>
      (await listNotifications(ctx.deps, { limit: 200, failingOnly: input.failingOnly })).map((n) => ({
        id: n.id,
        receivedAt: n.receivedAt.toISOString(),
        remoteAddr: n.remoteAddr,
        verdict: n.verdict,
        detail: n.detail,
        outTradeNo: n.outTradeNo,
        transactionId: n.transactionId,
        reply: n.reply,
        orderId: n.orderId,
      })),
    ),

  bills: adminProcedure("viewer")
    .output(
      z.array(
        z.object({
          id: z.number().int(),
          billDate: z.string(),
          ranBy: z.string(),
          startedAt: z.string(),
          finishedAt: z.string().nullable(),
          trades: z.number().int().nullable(),
          matched: z.number().int().nullable(),
          differences: z.array(ZJson),
          error: z.string().nullable(),
        }),
      ),
    )
    .query(async ({ ctx }) =>
      (await listBillChecks(ctx.deps, { limit: 60 })).map((b) => ({
        ...b,
        startedAt: b.startedAt.toISOString(),
        finishedAt: iso(b.finishedAt),
      })),
    ),

  runBillCheck: adminProcedure("operator")
    .input(z.object({ billDate: z.string().regex(/^20\d{6}$/) }).strict())
    .output(z.object({ id: z.number().int(), error: z.string().nullable() }))
    .mutation(async ({ ctx, input }) => {
      const r = await runBillCheck(ctx.deps, {
        billDate: input.billDate,
        ranBy: ctx.operator.operator.username,
      });
      return { id: r.id, error: r.error };
    }),

  audit: adminProcedure("operator")
    .input(
      z
        .object({
          before: z.number().int().positive().optional(),
          limit: z.number().int().min(1).max(200).default(100),
        })
        .strict()
        .default({ limit: 100 }),
    )
    .output(
      z.object({
        rows: z.array(
          z.object({
            id: z.number().int(),
            at: z.string(),
            username: z.string(),
            action: z.string(),
            ip: z.string().nullable(),
            orderId: z.string().nullable(),
            data: ZJson,
          }),
        ),
        nextBefore: z.number().int().nullable(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const r = await listAudit(ctx.deps, {
        limit: input.limit,
        ...(input.before ? { before: input.before } : {}),
      });
      return {
        rows: r.rows.map((a) => ({
          id: a.id,
          at: a.at.toISOString(),
          username: a.username,
          action: a.action,
          ip: a.ip,
          orderId: a.orderId,
          data: a.data,
        })),
        nextBefore: r.nextBefore,
      };
    }),

  operators: adminProcedure("admin")
    .output(
      z.array(
        z.object({
          username: z.string(),
          role: ZRole,
          disabled: z.boolean(),
          mustChangePassword: z.boolean(),
          createdAt: z.string(),
          lastSeenAt: z.string().nullable(),
        }),
      ),
    )
    .query(async ({ ctx }) =>
      (await listOperators(ctx.deps)).map((o) => ({
        ...o,
        createdAt: o.createdAt.toISOString(),
        lastSeenAt: iso(o.lastSeenAt),
      })),
    ),

  setOperatorDisabled: adminProcedure("admin")
    .input(z.object({ username: ZUsername, disabled: z.boolean() }).strict())
    .output(z.object({ username: z.string(), disabled: z.boolean(), sessionsRevoked: z.number().int() }))
    .mutation(({ ctx, input }) =>
      setOperatorDisabled(ctx.deps, ctx.operator, { ...input, ip: ctx.clientIp }),
    ),

  setOperatorRole: adminProcedure("admin")
    .input(z.object({ username: ZUsername, role: ZRole }).strict())
    .output(z.object({ username: z.string(), role: ZRole }))
    .mutation(({ ctx, input }) => setOperatorRole(ctx.deps, ctx.operator, { ...input, ip: ctx.clientIp })),
});
