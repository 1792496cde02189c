// `pnpm --filter @wxpay/wechatpay bench`: throughput of the two hot protocol paths, as ratios against
// wechatpay-axios-plugin's v2 helpers measured in the same run (medians of interleaved rounds), plus
// fast-xml-parser (hardened) + the same verify, the alternative this package's tokenizer was chosen over.
import { XMLParser } from "fast-xml-parser";
import { Hash, Transformer } from "wechatpay-axios-plugin";

import { buildPayNotify, parsePayNotify } from "../src/v2/notify";
import { buildXml } from "../src/v2/xml";
import { sign, verifySign } from "../src/v2/sign";
import { parseXml } from "../src/v2/xml";

const KEY = "192006250b4c09247ec02edce69f6a2d";
const MCH_ID = "1230000109";
const APPID = "wx2421b1c4370ec43b";
const ROUNDS = Number(process.argv[2] ?? 7);
const ROUND_MS = Number(process.argv[3] ?? 250);

// A realistic JSAPI payment notify: 16 fields, ≈ 0.7 KB, strings in CDATA, amounts bare (WeChat's layout).
const notifyXml = buildPayNotify(
  {
    appid: APPID,
    attach: "order:6c1f0b6e-8d0a-4b9e-9a53-2f1c2b7d9e41",
    bank_type: "CMB_CREDIT",
    cash_fee: 1990,
    fee_type: "CNY",
    is_subscribe: "N",
    mch_id: MCH_ID,
    nonce_str: "5d2b6c2a8db53831f7eda20af46e531c",
    openid: "oUpF8uMEb4qRXf22hE3X68TekukE",
    out_trade_no: "20250101aZ3kP9qLm2Xc7Rt5Vb8Nw4Hy",
    result_code: "SUCCESS",
    return_code: "SUCCESS",
    time_end: "20250101120000",
    total_fee: 1990,
    trade_type: "JSAPI",
    transaction_id: "4200002345202501011234567890",
  },
  KEY,
  "MD5",
);
const notifyConfig = { mchId: MCH_ID, appIds: [APPID], keys: [KEY], signType: "MD5" as const };

const orderFields = {
  appid: APPID,
  mch_id: MCH_ID,
  nonce_str: "ibuaiVcKdpRxkhJA7b3kQ9sLx2MwZ4Pe",
  body: "小店-咖啡豆 500g",
  attach: "order:6c1f0b6e-8d0a-4b9e-9a53-2f1c2b7d9e41",
  out_trade_no: "20250101aZ3kP9qLm2Xc7Rt5Vb8Nw4Hy",
  total_fee: 1990,
  spbill_create_ip: "203.0.113.7",
  time_start: "20250101120000",
  time_expire: "20250101123000",
  notify_url: "https://shop.example.com/api/wechat/pay/notify",
  trade_type: "JSAPI",
  openid: "oUpF8uMEb4qRXf22hE3X68TekukE",
};

const fxp = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type AxiosNotify = Record<string, string>;
const toObject = Transformer.toObject as unknown as (this: object, xml: string) => AxiosNotify;
const toXml = Transformer.toXml as unknown as (this: object, data: object) => string;

const workloads = {
  notify: {
    ours: () => {
      const r = parsePayNotify(notifyXml, notifyConfig);
      if (!r.ok) throw new Error(r.rejection.message);
    },
    oursTokenizerOnly: () => {
      if (!verifySign(parseXml(notifyXml), [KEY], "MD5")) throw new Error("bad sign");
    },
    fastXmlParser: () => {
      const doc = fxp.parse(notifyXml) as { xml?: Record<string, unknown> };
      const f = doc.xml;
      if (!f || typeof f !== "object" || Object.values(f).some((v) => typeof v !== "string"))
        throw new Error("not flat");
      if (!verifySign(f as Record<string, string>, [KEY], "MD5")) throw new Error("bad sign");
    },
    axiosPlugin: () => {
      const data = toObject.call({}, notifyXml);
      if (!Hash.equals(Hash.sign(Hash.ALGO_MD5, data, KEY), data.sign)) throw new Error("bad sign");
    },
  },
  unifiedorder: {
    ours: () => {
      buildXml({ ...orderFields, sign: sign(orderFields, KEY, "MD5") });
    },
    axiosPlugin: () => {
      toXml.call({ method: "POST" }, { ...orderFields, sign: Hash.sign(Hash.ALGO_MD5, orderFields, KEY) });
    },
  },
} as const;

function opsPerSecond(fn: () => void, ms: number): number {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    now = performance.now();
  }
  return (n / (now - start)) * 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

// Same work, same answer: both sides must accept our notify and emit equivalent XML before timing anything.
const axiosParsed = toObject.call({}, notifyXml);
if (!Hash.equals(Hash.sign(Hash.ALGO_MD5, axiosParsed, KEY), axiosParsed.sign))
  throw new Error("baseline rejects the notify");
const axiosXml = toXml.call(
  { method: "POST" },
  { ...orderFields, sign: Hash.sign(Hash.ALGO_MD5, orderFields, KEY) },
);
const ourXml = buildXml({ ...orderFields, sign: sign(orderFields, KEY, "MD5") });
if (parseXml(axiosXml).sign !== parseXml(ourXml).sign) throw new Error("the two builders sign differently");

const samples = new Map<string, number[]>();
for (const [group, fns] of Object.entries(workloads))
  for (const name of Object.keys(fns)) samples.set(`${group}/${name}`, []);
for (const [, fns] of Object.entries(workloads)) for (const fn of Object.values(fns)) opsPerSecond(fn, 100); // warm-up

for (let round = 0; round < ROUNDS; round++) {
  for (const [group, fns] of Object.entries(workloads)) {
    const entries = Object.entries(fns);
    // Alternate the order each round so drift on a noisy host does not favour one side.
    if (round % 2) entries.reverse();
    for (const [name, fn] of entries) samples.get(`${group}/${name}`)?.push(opsPerSecond(fn, ROUND_MS));
  }
}

const rate = (k: string) => median(samples.get(k) ?? []);
const rows: [string, string, number, number][] = [
  [
    "notify parse+verify",
    "@wxpay/wechatpay parsePayNotify (all checks)",
    rate("notify/ours"),
    rate("notify/axiosPlugin"),
  ],
  [
    "notify parse+verify",
    "@wxpay/wechatpay parseXml + verifySign",
    rate("notify/oursTokenizerOnly"),
    rate("notify/axiosPlugin"),
  ],
  [
    "notify parse+verify",
    "fast-xml-parser 5 (hardened) + verifySign",
    rate("notify/fastXmlParser"),
    rate("notify/axiosPlugin"),
  ],
  [
    "notify parse+verify",
    "wechatpay-axios-plugin 0.9.6 (baseline)",
    rate("notify/axiosPlugin"),
    rate("notify/axiosPlugin"),
  ],
  [
    "unifiedorder build (sign+xml)",
    "@wxpay/wechatpay sign + buildXml",
    rate("unifiedorder/ours"),
    rate("unifiedorder/axiosPlugin"),
  ],
  [
    "unifiedorder build (sign+xml)",
    "wechatpay-axios-plugin 0.9.6 (baseline)",
    rate("unifiedorder/axiosPlugin"),
    rate("unifiedorder/axiosPlugin"),
  ],
];

console.log(
  `node ${process.version}, ${ROUNDS} rounds × ${ROUND_MS} ms per workload, medians; notify ${Buffer.byteLength(notifyXml)} bytes`,
);
console.log("");
console.log(`| work | implementation | ops/s | µs/op | ratio vs wechatpay-axios-plugin |`);
console.log(`|---|---|---:|---:|---:|`);
for (const [work, impl, ours, base] of rows) {
  console.log(
    `| ${work} | ${impl} | ${Math.round(ours).toLocaleString("en")} | ${(1e6 / ours).toFixed(1)} | ${(ours / base).toFixed(2)}× |`,
  );
}
