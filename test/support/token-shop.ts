/**
 * A merchant shop for the browser tests, written like a legacy token-method checkout (the EC-CUBE
 * plugin's card page: card fields that never reach the shop, Multipayment.init + getMember, a
 * callback that fills a hidden upcmemberid and submits): its own page and server, not the
 * plugin's code. The server side sends memberpay.aspx with the token, server to server, and shows
 * the answer. Every request it gets is recorded, so a test can prove card data never reached it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { replyFields, sendRaw, field } from "./raw-http";

export interface TokenShop {
  readonly origin: string;
  /** The same shop on another origin (127.0.0.2, still a loopback and so a secure context): not
   *  registered with the gateway. */
  readonly otherOrigin: string;
  /** Raw request lines and bodies the shop received. */
  readonly seen: string[];
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function checkoutPage(gatewayUrl: string, sid: string): string {
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>お支払い</title>
<script src="${gatewayUrl}/UpcTokenPaymentMini.js"></script></head>
<body>
<h1>クレジットカード決済</h1>
<form id="pay" method="post" action="/order">
  <input type="hidden" name="upcmemberid" id="upcmemberid">
  <input type="hidden" name="masked" id="masked">
  <label>カード番号 <input id="card_no" autocomplete="off"></label>
  <label>有効期限 <input id="exp_month" size="2"> / <input id="exp_year" size="4"></label>
  <label>セキュリティコード <input id="cvv" size="4"></label>
  <label>名 <input id="first"></label> <label>姓 <input id="last"></label>
  <button type="button" id="order">注文する</button>
</form>
<p id="error" role="alert"></p>
<script>
  function tokenDone(response) {
    if (response.resultCode !== "000" && response.resultCode !== 0) {
      document.getElementById("error").textContent = "Error: " + getResultCodeDetail(response.resultCode, "ja") + " (" + response.resultCode + ")";
      return;
    }
    document.getElementById("upcmemberid").value = response.tokenObject.token;
    document.getElementById("masked").value = response.tokenObject.maskedCardNo;
    document.getElementById("pay").submit();
  }
  document.getElementById("order").addEventListener("click", function () {
    Multipayment.init("${sid}");
    Multipayment.getMember({
      cardno: document.getElementById("card_no").value,
      expire: document.getElementById("exp_month").value + document.getElementById("exp_year").value,
      securitycode: document.getElementById("cvv").value,
      holderfirstname: document.getElementById("first").value,
      holderlastname: document.getElementById("last").value
    }, tokenDone);
  });
</script>
</body></html>`;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
  });
}

export async function startTokenShop(gatewayUrl: string, sid: string): Promise<TokenShop> {
  const seen: string[] = [];
  let order = 0;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const text = await body(req);
      seen.push(`${req.method} ${req.url} ${text}`);
      if (req.method === "GET" && req.url === "/checkout") {
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
        return res.end(checkoutPage(gatewayUrl, sid));
      }
      if (req.method === "POST" && req.url === "/order") {
        const form = new URLSearchParams(text);
        const member = form.get("upcmemberid") ?? "";
        order += 1;
        const q = `sid=${sid}&svid=1&ptype=1&job=CAPTURE&rt=2&upcmemberid=${encodeURIComponent(member)}&siam1=2480&sod=WEB${order}&no=${order}`;
        const reply = replyFields((await sendRaw(gatewayUrl, "GET", Buffer.from(`/memberpay.aspx?${q}`))).body);
        const rst = field(reply, "rst") ?? "";
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
        return res.end(
          `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>結果</title></head><body>` +
            `<h1 id="result">${rst === "1" ? "ご注文ありがとうございました" : "決済できませんでした"}</h1>` +
            `<p>rst=<span id="rst">${esc(rst)}</span> ec=<span id="ec">${esc(field(reply, "ec") ?? "")}</span> pid=<span id="pid">${esc(field(reply, "pid") ?? "")}</span> card=<span id="card">${esc(form.get("masked") ?? "")}</span></p>` +
            `</body></html>`,
        );
      }
      res.writeHead(404).end();
    })();
  };
  const listen = async (host: string): Promise<Server> => {
    const server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, host, r));
    return server;
  };
  const servers = [await listen("127.0.0.1"), await listen("127.0.0.2")];
  const port = (i: number) => ((servers[i] as Server).address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port(0)}`,
    otherOrigin: `http://127.0.0.2:${port(1)}`,
    seen,
    close: async () => {
      for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
    },
  };
}
