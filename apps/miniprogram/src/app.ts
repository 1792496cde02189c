import { getShop } from "./shared/index";

App({
  onLaunch() {
    // Log in (wx.login → miniLogin) while the shopper looks at the catalog, so paying does not wait for it.
    getShop()
      .session.token()
      .catch(() => {
        // Logging in again happens on the first call that needs the token.
      });
  },
});
