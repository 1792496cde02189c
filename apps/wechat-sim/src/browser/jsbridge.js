/* WeChat in-app browser, simulated: installs window.WeixinJSBridge the way the WeChat client does, so the
 * real JS-SDK (weixin-js-sdk) and raw WeixinJSBridge.invoke("getBrandWCPayRequest") calls work in any browser.
 * wx.config (preVerifyJSAPI) is verified by the simulator against this page's URL without "#…" and the
 * app's current jsapi_ticket; a pay request is verified (paySign, prepay_id) and then shows a pay sheet with
 * 支付 / 取消 / 失败, unless window.__WXSIM_AUTO is "ok", "cancel" or "fail". Served by wechat-sim at /jsbridge.js. */
(function () {
  "use strict";
  if (window.WeixinJSBridge && window.WeixinJSBridge.__wxsim) return;

  var script = document.currentScript;
  var SIM = script && script.src ? new URL(script.src).origin : "__SIM_ORIGIN__";
  var config = null; // { appId: string, jsApiList: string[] } after a successful wx.config
  var calls = (window.__WXSIM_CALLS = window.__WXSIM_CALLS || []);

  function post(path, body) {
    return fetch(SIM + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json();
    });
  }

  function answer(cb, res) {
    setTimeout(function () {
      if (typeof cb === "function") cb(res);
    }, 0);
  }

  function preVerify(p, cb) {
    var body = {
      appId: p.verifyAppId || p.appId,
      timestamp: p.verifyTimestamp,
      nonceStr: p.verifyNonceStr,
      signature: p.verifySignature,
      url: location.href,
      jsApiList: p.verifyJsApiList || [],
    };
    if (!body.appId || !body.signature || !body.nonceStr || !body.timestamp) {
      config = null;
      return answer(cb, { err_msg: "config:invalid signature" });
    }
    post("/__sim/bridge/config", body).then(
      function (r) {
        config = r.ok ? { appId: body.appId, jsApiList: body.jsApiList } : null;
        answer(cb, { err_msg: r.ok ? "config:ok" : "config:" + r.errMsg });
      },
      function () {
        config = null;
        answer(cb, { err_msg: "config:fail" });
      },
    );
  }

  function sheet(html) {
    var el = document.createElement("div");
    el.setAttribute("data-testid", "wxsim-sheet");
    el.style.cssText =
      "position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.5);display:flex;align-items:flex-end;" +
      "font:15px -apple-system,'PingFang SC',sans-serif";
    el.innerHTML =
      '<div style="background:#fff;width:100%;border-radius:12px 12px 0 0;padding:20px;box-sizing:border-box">' +
      html +
      "</div>";
    document.body.appendChild(el);
    return el;
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var BTN =
    "display:block;width:100%;border:0;border-radius:6px;padding:12px;font-size:16px;margin-top:10px;";

  function refuse(message, cb) {
    window.__WXSIM_LAST_ERROR = message;
    if (window.__WXSIM_AUTO) return answer(cb, { err_msg: "get_brand_wcpay_request:fail" });
    // The WeChat client shows the reason in a dialog, then reports failure.
    var el = sheet(
      '<p data-testid="wxsim-error" style="color:#fa5151;text-align:center">' +
        esc(message) +
        "</p>" +
        '<button data-testid="wxsim-error-ok" style="' +
        BTN +
        'background:#f2f2f2">确定</button>',
    );
    el.querySelector("button").onclick = function () {
      el.remove();
      answer(cb, { err_msg: "get_brand_wcpay_request:fail" });
    };
  }

  function decide(token, action, cb) {
    post("/__sim/bridge/pay-confirm", { token: token, action: action }).then(
      function (r) {
        answer(cb, { err_msg: "get_brand_wcpay_request:" + r.result });
      },
      function () {
        answer(cb, { err_msg: "get_brand_wcpay_request:fail" });
      },
    );
  }

  function pay(p, cb) {
    // Through the JS-SDK (wx.chooseWXPay) the call carries wx.config's verify* fields and needs a good config.
    if (p.verifySignature !== undefined) {
      var allowed =
        config && config.appId === p.appId && config.jsApiList.indexOf("getBrandWCPayRequest") !== -1;
      if (!allowed) return answer(cb, { err_msg: "get_brand_wcpay_request:fail_permission denied" });
    }
    var req = {
      appId: p.appId,
      timeStamp: p.timeStamp,
      nonceStr: p.nonceStr,
      package: p.package,
      signType: p.signType,
      paySign: p.paySign,
    };
    post("/__sim/bridge/pay-request", req).then(
      function (r) {
        if (!r.ok) return refuse(r.message, cb);
        var auto = window.__WXSIM_AUTO;
        if (auto === "ok" || auto === "cancel" || auto === "fail") return decide(r.token, auto, cb);
        var el = sheet(
          '<div data-testid="wxsim-paysheet" style="text-align:center">' +
            '<div style="color:#888">' +
            esc(r.merchantName) +
            "</div>" +
            "<div>" +
            esc(r.body) +
            "</div>" +
            '<div data-testid="wxsim-amount" style="font-size:32px;font-weight:600;margin:8px 0">' +
            esc(r.amount) +
            "</div>" +
            '<button data-testid="wxsim-pay" data-a="ok" style="' +
            BTN +
            'background:#07c160;color:#fff">支付</button>' +
            '<button data-testid="wxsim-cancel" data-a="cancel" style="' +
            BTN +
            'background:#f2f2f2">取消</button>' +
            '<button data-testid="wxsim-fail" data-a="fail" style="' +
            BTN +
            'background:#fff;color:#fa5151;border:1px solid #fa5151">失败</button>' +
            "</div>",
        );
        Array.prototype.forEach.call(el.querySelectorAll("button"), function (b) {
          b.onclick = function () {
            el.remove();
            decide(r.token, b.getAttribute("data-a"), cb);
          };
        });
      },
      function () {
        answer(cb, { err_msg: "get_brand_wcpay_request:fail" });
      },
    );
  }

  function invoke(name, params, cb) {
    params = params || {};
    try {
      calls.push({ name: name, params: JSON.parse(JSON.stringify(params)) });
    } catch {
      calls.push({ name: name });
    }
    if (name === "preVerifyJSAPI") return preVerify(params, cb);
    if (name === "getBrandWCPayRequest") return pay(params, cb);
    // No network report from the simulator: the JS-SDK then skips its beacon to open.weixin.qq.com.
    if (name === "getNetworkType") return answer(cb, { err_msg: "network_type:fail" });
    answer(cb, { err_msg: name + ":fail_not supported by the simulator" });
  }

  window.WeixinJSBridge = {
    __wxsim: true,
    invoke: invoke,
    on: function () {},
    call: function () {},
  };

  function ready() {
    document.dispatchEvent(new Event("WeixinJSBridgeReady"));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else setTimeout(ready, 0);
})();
