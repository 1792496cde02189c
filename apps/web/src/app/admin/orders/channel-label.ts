export const CHANNEL_LABEL: Record<string, string> = {
  h5: "H5",
  jsapi: "公众号 JSAPI",
  mini: "小程序",
  native: "扫码 Native",
};
