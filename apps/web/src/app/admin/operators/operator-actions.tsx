"use client";
// An admin's forms for one operator: change the role, or disable (with a confirm step: their sessions end at once)
// and enable again. The server refuses what would leave no enabled admin.
import { useState } from "react";

import { adminMutate } from "../admin-client";

const ROLES = [
  ["viewer", "只读"],
  ["operator", "运营"],
  ["admin", "管理员"],
] as const;

export function OperatorActions(props: { username: string; role: string; disabled: boolean; self: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<string>();
  const done = (r: { ok: boolean; message?: string }) => {
    if (!r.ok) return setMessage(r.message);
    window.location.reload();
  };
  return (
    <div className="confirm">
      <form
        className="confirm"
        onSubmit={(e) => {
          e.preventDefault();
          const role = String(new FormData(e.currentTarget).get("role"));
          void adminMutate("setOperatorRole", { username: props.username, role }).then((r) =>
            done(r.ok ? r : { ok: false, message: r.message }),
          );
        }}
      >
        <select name="role" defaultValue={props.role} aria-label={`${props.username} 的角色`}>
          {ROLES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        <button type="submit" className="secondary">
          修改角色
        </button>
      </form>
      {props.disabled ? (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void adminMutate("setOperatorDisabled", { username: props.username, disabled: false }).then((r) =>
              done(r.ok ? r : { ok: false, message: r.message }),
            )
          }
        >
          启用
        </button>
      ) : confirming ? (
        <>
          <span>停用 {props.username}？其所有会话将立即失效。</span>
          <button
            type="button"
            className="danger"
            onClick={() =>
              void adminMutate("setOperatorDisabled", { username: props.username, disabled: true }).then(
                (r) => done(r.ok ? r : { ok: false, message: r.message }),
              )
            }
          >
            确认停用
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            取消
          </button>
        </>
      ) : (
        !props.self && (
          <button type="button" className="secondary" onClick={() => setConfirming(true)}>
            停用
          </button>
        )
      )}
      {message && (
        <span className="error" role="alert">
          {message}
        </span>
      )}
    </div>
  );
}
