"use client";
import { adminMutate } from "./admin-client";

export function LogoutButton() {
  return (
    <button
      type="button"
      className="secondary"
      onClick={() => void adminMutate("logout", null).then(() => window.location.assign("/admin/login"))}
    >
      退出登录
    </button>
  );
}
