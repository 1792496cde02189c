import { describe, expect, it } from "vitest";

import { jsSdkSignUrl } from "./js-sdk-url";

describe("jsSdkSignUrl", () => {
  const landingHref = "https://shop.example.com/?from=menu#top";
  const currentHref = "https://shop.example.com/orders/o_abc?x=1#pay";

  it("signs the current URL without its fragment outside iOS", () => {
    expect(jsSdkSignUrl({ currentHref, landingHref, ios: false })).toBe(
      "https://shop.example.com/orders/o_abc?x=1",
    );
  });

  it("signs the landing URL on iOS, where WeChat keeps verifying the first URL", () => {
    expect(jsSdkSignUrl({ currentHref, landingHref, ios: true })).toBe("https://shop.example.com/?from=menu");
  });

  it("keeps the query string exactly as it is", () => {
    const href = "https://shop.example.com/orders/o_abc?a=%E4%B8%AD&b=1";
    expect(jsSdkSignUrl({ currentHref: href, landingHref: href, ios: false })).toBe(href);
  });
});
