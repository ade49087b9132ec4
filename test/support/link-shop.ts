/**
 * A merchant shop for the link-method browser tests, written like the EC-CUBE legacy plugin's
 * link card method (its own code, not the plugin's): the confirm page posts the order, the server
 * 302-redirects the browser to payment.aspx with no, sid, svid=1, ptype, job, siam1, em, tn and
 * sucd=p_return, and the shopper comes back to the complete page (which reads `no`) or to the back
 * page. Every request it gets is recorded, so a test can see what the gateway appended.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LinkShop {
  readonly origin: string;
  /** The same shop on another origin (127.0.0.2): not registered with the gateway. */
  readonly otherOrigin: string;
  /** Request targets the shop received. */
  readonly seen: string[];
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) =>
  `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${body}</body></html>`;

export async function startLinkShop(gatewayUrl: string, sid: string): Promise<LinkShop> {
  const seen: string[] = [];
  let next = 5000;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? "");
    const url = new URL(req.url ?? "/", "http://shop");
    const html = (status: number, body: string) => {
      res.writeHead(status, { "Content-Type": "text/html; charset=utf-8" });
      res.end(body);
    };
    if (url.pathname === "/shopping/confirm") {
      const job = url.searchParams.get("job") ?? "CAPTURE";
      const ptype = url.searchParams.get("ptype") ?? "8";
      const amount = url.searchParams.get("amount") ?? "1500";
      return html(
        200,
        page(
          "ご注文内容の確認",
          `<p>合計 ${esc(amount)} 円</p><form method="post" action="/shopping/checkout?job=${esc(job)}&amp;ptype=${esc(ptype)}&amp;amount=${esc(amount)}"><button id="order">注文する</button></form>`,
        ),
      );
    }
    if (url.pathname === "/shopping/checkout" && req.method === "POST") {
      req.resume();
      next += 1;
      const q = url.searchParams;
      // Appended unencoded, as the plugin does (the email's @ included).
      const target = `${gatewayUrl}/payment.aspx?no=${next}&sid=${sid}&svid=1&ptype=${q.get("ptype")}&job=${q.get("job")}&siam1=${q.get("amount")}&em=shopper@example.com&tn=0312345678&sucd=p_return`;
      res.writeHead(302, { Location: target });
      return res.end();
    }
    if (url.pathname === "/upc_payment_plugin_complete") {
      const fields = [...url.searchParams].map(([k, v]) => `<li><code>${esc(k)}</code> = <span id="f-${esc(k)}">${esc(v)}</span></li>`).join("");
      return html(
        200,
        page("ご注文ありがとうございました", `<p id="complete">注文番号 <span id="no">${esc(url.searchParams.get("no") ?? "")}</span></p><ul>${fields}</ul>`),
      );
    }
    if (url.pathname === "/upc_payment_back") {
      const fields = [...url.searchParams].map(([k, v]) => `<li><code>${esc(k)}</code> = <span id="f-${esc(k)}">${esc(v)}</span></li>`).join("");
      return html(
        200,
        page(
          "お支払いが完了していません",
          `<p id="cart">注文番号 <span id="no">${esc(url.searchParams.get("no") ?? "")}</span> はカートに戻りました。</p><ul>${fields}</ul>`,
        ),
      );
    }
    html(404, page("見つかりません", ""));
  };
  const servers: Server[] = [];
  const listen = async (host: string, port: number) => {
    const s = createServer(handler);
    servers.push(s);
    await new Promise<void>((r) => s.listen(port, host, r));
    return (s.address() as AddressInfo).port;
  };
  const port = await listen("127.0.0.1", 0);
  await listen("127.0.0.2", port);
  return {
    origin: `http://127.0.0.1:${port}`,
    otherOrigin: `http://127.0.0.2:${port}`,
    seen,
    close: async () => {
      for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
    },
  };
}
