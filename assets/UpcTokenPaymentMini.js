/*
 * Card-token script served by the ccps gateway in place of the old UpcTokenPaymentMini.js: the
 * same interface (Multipayment.init, getToken, getMember, getMemberTag, getResultCodeDetail) and
 * the same wire protocol, talking only to the gateway it was loaded from. Dependency-free; uses
 * the browser's Web Crypto (checkout pages are https; localhost counts as secure). Its own code,
 * written from the protocol description, not a copy of the old script.
 */
(function (global) {
  "use strict";
  var RESULT_CODES = /*@RESULT_CODES@*/ {};
  var RSA_N = "/*@RSA_N@*/";
  var RSA_E = "/*@RSA_E@*/";
  var GATEWAY = "/*@GATEWAY@*/";
  var TIMEOUT_MS = 30000;

  function base() {
    if (GATEWAY) return GATEWAY;
    var s = document.currentScript || document.querySelector('script[src*="UpcTokenPaymentMini"]');
    return s && s.src ? new URL(s.src, location.href).origin : location.origin;
  }
  var gateway = base();

  function detail(code, lang) {
    var key = String(code);
    while (key.length < 3) key = "0" + key;
    var entry = RESULT_CODES[key] || RESULT_CODES["900"];
    return lang === "ja" ? entry.ja : entry.en;
  }

  // ---- the checks the old script made before sending (the server makes them again) ----
  var NAME = /^[A-Za-z]{1,50}$/;
  var EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
  function str(v) {
    return v === undefined || v === null ? "" : String(v);
  }
  function checkCard(p, now) {
    var number = str(p.cardno).replace(/\s/g, "");
    if (number === "") return 100;
    if (!/^\d+$/.test(number)) return 101;
    if (number.length < 13 || number.length > 16) return 102;
    var exp = str(p.expire);
    if (exp === "") return 110;
    if (!/^\d+$/.test(exp)) return 111;
    if (exp.length !== 4 && exp.length !== 6) return 112;
    var month = Number(exp.slice(0, 2));
    if (month === 99) month = 12;
    if (month < 1 || month > 12) return 113;
    var year = exp.length === 4 ? 2000 + Number(exp.slice(2)) : Number(exp.slice(2));
    var jst = new Date(now.getTime() + 9 * 3600000);
    if (year * 12 + (month - 1) < jst.getUTCFullYear() * 12 + jst.getUTCMonth()) return 114;
    var cvv = str(p.securitycode);
    if (cvv !== "" && !/^\d+$/.test(cvv)) return 121;
    if (cvv !== "" && (cvv.length < 3 || cvv.length > 4)) return 122;
    var first = str(p.holderfirstname).replace(/\s/g, "");
    var last = str(p.holderlastname).replace(/\s/g, "");
    if (first === "") return 132;
    if (!NAME.test(first)) return 131;
    if (last === "") return 134;
    if (!NAME.test(last)) return 133;
    return 0;
  }
  function checkMember(p, tag) {
    if (str(p.memberid).length > 32) return 304;
    if (str(p.membercode).length > 32) return 309;
    var email = str(p.email);
    if (email.length > 100) return 306;
    if (email !== "" && !EMAIL.test(email)) return 305;
    var phone = str(p.phonenumber);
    if (phone !== "" && !/^\d+$/.test(phone)) return 307;
    if (phone !== "" && (phone.length < 8 || phone.length > 20)) return 308;
    if (tag) {
      var t = str(p.tagname);
      if (t === "") return 310;
      if (!/^[A-Za-z0-9]+$/.test(t)) return 311;
      if (t.length > 32) return 312;
    }
    return 0;
  }
  function checkShop(sid) {
    if (sid === "") return 300;
    if (!/^\d+$/.test(sid)) return 301;
    if (sid.length !== 6) return 302;
    return 0;
  }

  // ---- the wire protocol ----
  function hex(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }
  function b64(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }
  function modPow(b, e, m) {
    var r = 1n;
    b %= m;
    while (e > 0n) {
      if (e & 1n) r = (r * b) % m;
      e >>= 1n;
      b = (b * b) % m;
    }
    return r;
  }
  // RSA PKCS#1 v1.5 encryption (type 2 padding), as JSEncrypt does.
  function rsaEncrypt(message) {
    var n = BigInt("0x" + RSA_N);
    var e = BigInt("0x" + RSA_E);
    var k = RSA_N.length / 2;
    var m = new TextEncoder().encode(message);
    var em = new Uint8Array(k);
    em[1] = 2;
    var ps = new Uint8Array(k - 3 - m.length);
    crypto.getRandomValues(ps);
    for (var i = 0; i < ps.length; i++) {
      while (ps[i] === 0) ps[i] = crypto.getRandomValues(new Uint8Array(1))[0];
    }
    em.set(ps, 2);
    em.set(m, k - m.length);
    var c = modPow(BigInt("0x" + hex(em)), e, n).toString(16);
    while (c.length < k * 2) c = "0" + c;
    var out = new Uint8Array(k);
    for (var j = 0; j < k; j++) out[j] = parseInt(c.substr(j * 2, 2), 16);
    return b64(out);
  }
  function seal(text) {
    return crypto.subtle.digest("SHA-1", new TextEncoder().encode(text)).then(function (d) {
      return hex(new Uint8Array(d));
    });
  }
  function encrypt(payload) {
    var iv = crypto.getRandomValues(new Uint8Array(16));
    var salt = crypto.getRandomValues(new Uint8Array(16));
    var subtle = crypto.subtle;
    return subtle
      .importKey("raw", new TextEncoder().encode("SecretPassphrase"), "PBKDF2", false, ["deriveKey"])
      .then(function (pass) {
        return subtle.deriveKey({ name: "PBKDF2", salt: salt, iterations: 100, hash: "SHA-1" }, pass, { name: "AES-CBC", length: 128 }, false, ["encrypt"]);
      })
      .then(function (key) {
        return subtle.encrypt({ name: "AES-CBC", iv: iv }, key, new TextEncoder().encode(payload));
      })
      .then(function (ct) {
        return { encrypted: b64(new Uint8Array(ct)), key: rsaEncrypt("iv=" + hex(iv) + "&salt=" + hex(salt)) };
      });
  }
  var sequence = 0;
  function jsonp(path, sid, payload) {
    return encrypt(payload).then(function (enc) {
      var name = "__upcToken" + Date.now().toString(36) + "_" + sequence++;
      return seal(sid + "|" + enc.key + "|" + enc.encrypted + "|" + name).then(function (s) {
        return new Promise(function (resolve) {
          var el = document.createElement("script");
          var timer = setTimeout(function () {
            finish({ resultCode: "900" });
          }, TIMEOUT_MS);
          function finish(result) {
            clearTimeout(timer);
            // A late answer (after the timeout) must find a function, not throw in the page.
            global[name] = function () {};
            if (el.parentNode) el.parentNode.removeChild(el);
            resolve(result);
          }
          global[name] = finish;
          el.charset = "utf-8";
          el.onerror = function () {
            finish({ resultCode: "900" });
          };
          var q = [
            "key=" + encodeURIComponent(enc.key),
            "callback=" + name,
            "publicKey=" + encodeURIComponent(sid),
            "encrypted=" + encodeURIComponent(enc.encrypted),
            "seal=" + s,
            "version=1",
          ];
          el.src = gateway + path + "?" + q.join("&");
          (document.head || document.documentElement).appendChild(el);
        });
      });
    });
  }

  var shop = "";
  function deliver(callback, result) {
    var fn = typeof callback === "function" ? callback : global[callback];
    if (typeof fn === "function") fn(result);
  }
  function request(kind, params, callback) {
    if (params === null || typeof params !== "object") return deliver(callback, { resultCode: 701 });
    var code = checkShop(shop) || checkCard(params, new Date()) || (kind === "token" ? 0 : checkMember(params, kind === "tag"));
    if (code) return deliver(callback, { resultCode: code });
    if (!global.crypto || !crypto.subtle || typeof BigInt !== "function") {
      // Web Crypto exists on https pages only (and localhost): a checkout page on plain http cannot
      // encrypt the card, so nothing is sent.
      if (global.console) console.warn("UpcTokenPaymentMini: this page is not a secure context (https); card data was not sent");
      return deliver(callback, { resultCode: 900 });
    }
    var card = [str(params.cardno).replace(/\s/g, ""), str(params.expire), str(params.securitycode), str(params.holderfirstname), str(params.holderlastname)];
    var member = [str(params.memberid), str(params.membercode), str(params.email), str(params.phonenumber)];
    var fields = kind === "token" ? card : kind === "member" ? card.concat(member) : card.concat(member, [str(params.tagname)]);
    var path = kind === "token" ? "/API/_Token/TokenPayment" : kind === "member" ? "/API/_Token/MemberPayment" : "/API/_Token/MemberTagPayment";
    jsonp(path, shop, fields.join("|")).then(
      function (result) {
        deliver(callback, result);
      },
      function () {
        deliver(callback, { resultCode: 900 });
      },
    );
  }

  global.Multipayment = {
    init: function (sid) {
      shop = str(sid);
    },
    getToken: function (params, callback) {
      request("token", params, callback);
    },
    getMember: function (params, callback) {
      request("member", params, callback);
    },
    getMemberTag: function (params, callback) {
      request("tag", params, callback);
    },
  };
  global.getResultCodeDetail = detail;
})(typeof window !== "undefined" ? window : this);
