"use client";

import { useEffect, useState } from "react";

import type { RouterOutputs } from "@wxpay/api";

import { isFinalStatus, pollDelayMs } from "~/lib/order-status";
import { api } from "~/trpc/react";

type TOrderView = RouterOutputs["orderStatus"];

/**
 * The order's status as the server tells it (orderStatus asks WeChat for a pending order), asked again with back-off
 * until it is final; `checkAgain` is the shopper's "I have paid", which also restarts the back-off from the start.
 */
export function usePolledOrderStatus(initial: TOrderView) {
  // Answers so far (the server-rendered one included); the back-off restarts from the shortest delay on checkAgain.
  const [polls, setPolls] = useState(0);
  const [pollBase, setPollBase] = useState(0);
  const [checkedByHand, setCheckedByHand] = useState(false);
  const query = api.orderStatus.useQuery(
    { orderId: initial.orderId },
    {
      initialData: initial,
      // The server rendered this status a moment ago (and asked WeChat if it was pending): no refetch on mount.
      refetchOnMount: false,
      staleTime: 0,
      retry: false,
      refetchOnWindowFocus: true,
      refetchInterval: (q) => {
        const status = q.state.data?.status;
        if (status && isFinalStatus(status)) return false;
        return pollDelayMs(polls - pollBase);
      },
    },
  );
  const { dataUpdatedAt, errorUpdatedAt } = query;
  useEffect(() => {
    if (dataUpdatedAt || errorUpdatedAt) setPolls((n) => n + 1);
  }, [dataUpdatedAt, errorUpdatedAt]);

  const order = query.data;
  const pollingStopped = order.status === "PENDING" && pollDelayMs(polls - pollBase) === false;
  const checkAgain = () => {
    setPollBase(polls);
    setCheckedByHand(true);
    void query.refetch();
  };
  return { order, query, pollingStopped, checkedByHand, checkAgain };
}
