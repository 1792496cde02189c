/** The simulator's sandbox mini-program (apps/wechat-sim defaults; .env.example). */
export const MINI_APPID = "wx2421b1c4370ec43b";
