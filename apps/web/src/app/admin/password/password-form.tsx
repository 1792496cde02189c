"use client";
import { useState } from "react";

import { adminMutate } from "../admin-client";

export function PasswordForm() {
  const [error, setError] = useState<string>();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        void adminMutate("changePassword", {
          currentPassword: String(f.get("currentPassword") ?? ""),
          newPassword: String(f.get("newPassword") ?? ""),
        }).then((r) => (r.ok ? window.location.assign("/admin") : setError(r.message)));
      }}
    >
      <label>
        当前密码
        <input name="currentPassword" type="password" autoComplete="current-password" required />
      </label>
      <label>
        新密码（至少 10 个字符）
        <input name="newPassword" type="password" autoComplete="new-password" minLength={10} required />
      </label>
      <button type="submit">保存新密码</button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
