// The URL this page load started at (see js-sdk-url.ts: iOS WeChat verifies wx.config against it). Captured
// when the module is first evaluated, which the root layout's client provider guarantees happens at page load,
// before any client-side navigation.
export const landingHref: string = typeof window === "undefined" ? "" : window.location.href;
