import { adminQuery } from "~/server/admin-caller";

import { LogoutButton } from "../logout-button";
import { PasswordForm } from "./password-form";

export default async function AdminPasswordPage() {
  const me = await adminQuery((a) => a.me());
  return (
    <div className="card login">
      <h1>修改密码</h1>
      <p className="muted">
        {me.operator.username}（{me.operator.role}）
        {me.operator.mustChangePassword ? "：初始密码只能用一次，请先设置你自己的密码。" : ""}
      </p>
      <PasswordForm />
      <p>
        <LogoutButton />
      </p>
    </div>
  );
}
