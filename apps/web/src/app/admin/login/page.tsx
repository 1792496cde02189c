import { LoginForm } from "./login-form";

export default function AdminLoginPage() {
  return (
    <div className="card login">
      <h1>登录运营后台</h1>
      <LoginForm />
    </div>
  );
}
