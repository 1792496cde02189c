// The page URL that wx.config must be signed for.
// WeChat: the signed url is the page URL with its query but without "#…" (JS-SDK 附录1). On iOS, WeChat keeps
// verifying the URL the page was first opened at (the landing URL) even after pushState navigation, so iOS
// signs that one; Android and the rest sign the current URL.
export function jsSdkSignUrl(input: { currentHref: string; landingHref: string; ios: boolean }): string {
  const href = input.ios ? input.landingHref : input.currentHref;
  const hash = href.indexOf("#");
  return hash === -1 ? href : href.slice(0, hash);
}
