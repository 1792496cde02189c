// The simulator's sandbox merchant (see .env.example): test values, not secrets.
export const MCH_ID = "1230000109";
export const KEY = "192006250b4c09247ec02edce69f6a2d";
export const OLD_KEY = "0123456789abcdef0123456789abcdef";
export const OTHER_KEY = "ffffffffffffffffffffffffffffffff";
export const APP_ID = "wxd930ea5d5a258f4f";
export const MINI_APP_ID = "wx2421b1c4370ec43b";
export const OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
