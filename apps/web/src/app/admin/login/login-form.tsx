"use client";
import { useState } from "react";

import { adminMutate } from "../admin-client";

export function LoginForm() {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        setBusy(true);
        void adminMutate<{ operator: { mustChangePassword: boolean } }>("login", {
          username: String(f.get("username") ?? ""),
          password: String(f.get("password") ?? ""),
        }).then((r) => {
          setBusy(false);
          if (!r.ok) return setError(r.message);
          window.location.assign(r.data.operator.mustChangePassword ? "/admin/password" : "/admin");
        });
      }}
    >
      <label>
        用户名
        <input name="username" autoComplete="username" required />
      </label>
      <label>
        密码
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button type="submit" disabled={busy}>
        登录
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
