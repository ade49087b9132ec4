/* List filters over real HTTP: the §2.2 charge-list and §2.1 token-list filters, the §2.6
 * transaction history, and POST /stores/{id}/create_customer_id with the token `customer_id` filter. */
import { createManualClock, createSandbox, type Sandbox } from "../../src/sandbox/sandbox";
import { createSandboxClient, type SandboxClient } from "../../src/sandbox/testing/sandbox-client";

type Json = Record<string, unknown>;

describe("sandbox list filters and transaction history over HTTP", () => {
  let sandbox: Sandbox;
  let api: SandboxClient;
  let storeId: string;

  beforeEach(async () => {
    sandbox = createSandbox({ clock: createManualClock(), rateLimits: false });
    api = createSandboxClient((await sandbox.listen(0)).url, sandbox.demo);
    storeId = sandbox.demo.storeId;
  });

  afterEach(async () => {
    await sandbox.close();
  });

  async function token(card: string, over: Json = {}, data: Json = {}): Promise<Json> {
    const res = await api.request("POST", "/tokens", {
      body: {
        payment_type: "card",
        type: "one_time",
        email: "taro@example.com",
        data: { cardholder: "TARO YAMADA", card_number: card, exp_month: "12", exp_year: "2099", cvv: "123", ...data },
        ...over,
      },
    });
    expect(res.status).toBe(201);
    return res.body as Json;
  }

  async function charge(card: string, body: Json = {}, tokenOver: Json = {}, data: Json = {}): Promise<Json> {
    const t = await token(card, tokenOver, data);
    const res = await api.request("POST", "/charges", { body: { transaction_token_id: t["id"], amount: 1000, currency: "JPY", ...body } });
    expect(res.status).toBe(201);
    return res.body as Json;
  }

  const ids = async (path: string): Promise<unknown[]> => {
    const res = await api.request("GET", path);
    expect(res.status).toBe(200);
    return (res.body?.["items"] as Json[]).map((i) => i["id"] ?? i["resource_id"]);
  };

  it("filters charges by card (all four together), email, phone, amount, currency, metadata and time", async () => {
    const a = await charge(
      "4000020000000000",
      { amount: 500, metadata: { order: "A-1", n: 5 } },
      { email: "Hanako@Example.com" },
      { phone_number: { country_code: 81, local_number: "090-1234-5678" } },
    );
    await sandbox.clock.advance(60_000);
    const b = await charge(
      "4242424242424242",
      { amount: 2000, currency: "USD", metadata: { order: "B-2" } },
      {},
      { cardholder: "JIRO SUZUKI", exp_month: "3", exp_year: "30" },
    );
    await sandbox.clock.advance(200);
    const [idA, idB] = [a["id"], b["id"]];

    for (const base of ["/charges", `/stores/${storeId}/charges`]) {
      expect(await ids(`${base}?last_four=4242&name=jiro%20suzuki&exp_month=3&exp_year=2030`)).toEqual([idB]);
      expect(await ids(`${base}?last_four=4242&name=jiro%20suzuki&exp_month=4&exp_year=2030`)).toEqual([]);
      expect(await ids(`${base}?email=hanako@example.com`)).toEqual([idA]);
      expect(await ids(`${base}?phone=09012345678`)).toEqual([idA]);
      expect(await ids(`${base}?phone=819012345678`)).toEqual([idA]);
      // amount_from "より大きい" (>) and amount_to "未満" (<), as the doc words them.
      expect(await ids(`${base}?amount_from=500`)).toEqual([idB]);
      expect(await ids(`${base}?amount_from=499&amount_to=2000`)).toEqual([idA]);
      expect(await ids(`${base}?currency=usd`)).toEqual([idB]);
      expect(await ids(`${base}?metadata=${encodeURIComponent("order: A-1")}`)).toEqual([idA]);
      expect(await ids(`${base}?metadata=${encodeURIComponent("n:5")}`)).toEqual([idA]);
      expect(await ids(`${base}?metadata=${encodeURIComponent('{"order":"B-2"}')}`)).toEqual([idB]);
      expect(await ids(`${base}?transaction_token_id=${String(b["transaction_token_id"])}&mode=test`)).toEqual([idB]);
      expect(await ids(`${base}?from=${String(b["created_on"])}`)).toEqual([idB]);
      expect(await ids(`${base}?to=${String(b["created_on"])}`)).toEqual([idA]);
    }

    const partial = await api.request("GET", "/charges?last_four=4242&name=jiro");
    expect(partial.status).toBe(400);
    expect(partial.body).toEqual({
      status: "error",
      code: "VALIDATION_ERROR",
      errors: [
        { field: "exp_month", reason: "REQUIRED_VALUE" },
        { field: "exp_year", reason: "REQUIRED_VALUE" },
      ],
    });
    expect((await api.request("GET", "/charges?metadata=nocolon")).body).toMatchObject({
      code: "VALIDATION_ERROR",
      errors: [{ field: "metadata", reason: "INVALID_FORMAT" }],
    });
    const listed = await api.request("GET", "/charges");
    expect(listed.body?.["items"]).toEqual([
      expect.objectContaining({ id: idB, merchant_name: "Sandbox demo store merchant", store_name: "Sandbox demo store" }),
      expect.objectContaining({ id: idA }),
    ]);
  });

  it("filters tokens by the §2.1 LIST parameters", async () => {
    const one = await token(
      "4000020000000000",
      { email: "a@example.com", metadata: { plan: "gold" } },
      { phone_number: { country_code: 81, local_number: "0312345678" } },
    );
    await sandbox.clock.advance(1000);
    const rec = await token("5555555555554444", { type: "recurring", email: "b@example.com" }, { cardholder: "HANAKO SATO", exp_month: "1", exp_year: "2031" });
    const [idOne, idRec] = [one["id"], rec["id"]];

    expect(await ids("/tokens?type=recurring")).toEqual([idRec]);
    expect(await ids(`/stores/${storeId}/tokens?email=A@example.com`)).toEqual([idOne]);
    expect(await ids("/tokens?cardholder=hanako%20sato")).toEqual([idRec]);
    expect(await ids("/tokens?card_exp=2031-01")).toEqual([idRec]);
    expect(await ids("/tokens?card_last_four=0000")).toEqual([idOne]);
    expect(await ids("/tokens?phone_number=0312345678")).toEqual([idOne]);
    expect(await ids("/tokens?brand=mastercard")).toEqual([idRec]);
    expect(await ids(`/tokens?id=${String(idOne)}`)).toEqual([idOne]);
    expect(await ids(`/tokens?short_id=${String(idRec).slice(-6)}`)).toEqual([idRec]);
    expect(await ids("/tokens?metadata=plan:gold&mode=test&payment_type=card")).toEqual([idOne]);
    // from 以降 and to 以前: both inclusive.
    expect(await ids(`/tokens?from=${String(rec["created_on"])}&to=${String(rec["created_on"])}`)).toEqual([idRec]);
    expect((await api.request("GET", "/tokens?card_exp=2031-13")).body).toMatchObject({ code: "VALIDATION_ERROR", errors: [{ field: "card_exp" }] });
    const listed = await api.request("GET", "/tokens?type=recurring");
    expect(listed.body?.["items"]).toEqual([
      expect.objectContaining({
        id: idRec,
        store_name: "Sandbox demo store",
        merchant_name: "Sandbox demo store merchant",
        user_data: { cardholder_name: "HANAKO SATO", email: "b@example.com", brand: "mastercard", gateway: null, service_provider: null },
      }),
    ]);
  });

  it("creates a stable customer UUID and finds tokens by it (customer_id filter)", async () => {
    const path = `/stores/${storeId}/create_customer_id`;
    const first = await api.request("POST", path, { body: { customer_id: "1234abcd" } });
    expect(first.status).toBe(200);
    const uuid = String(first.body?.["customer_id"]);
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await api.request("POST", path, { body: { customer_id: "1234abcd" } })).body).toEqual({ customer_id: uuid });
    expect((await api.request("POST", path, { body: { customer_id: "other" } })).body?.["customer_id"]).not.toBe(uuid);
    expect((await api.request("POST", path, { body: {} })).body).toMatchObject({
      code: "VALIDATION_ERROR",
      errors: [{ field: "customer_id", reason: "REQUIRED_VALUE" }],
    });
    const other = sandbox.createStore({ name: "other", mode: "test" });
    expect((await api.request("POST", `/stores/${other.storeId}/create_customer_id`, { body: { customer_id: "x" } })).status).toBe(403);

    const mine = await token("4000020000000000", { metadata: { "univapay-customer-id": uuid } });
    await token("4000020000000000");
    expect(await ids(`/tokens?customer_id=${uuid.toUpperCase()}`)).toEqual([mine["id"]]);
  });

  it("lists charges and refunds in the transaction history with the doc's fields and filters", async () => {
    const c1 = await charge("4000020000000000", { metadata: { order: "T-1" } }, { email: "ledger@example.com" });
    await sandbox.clock.advance(200);
    const refund = await api.request("POST", `/stores/${storeId}/charges/${String(c1["id"])}/refunds`, {
      body: { amount: 400, currency: "JPY", metadata: { why: "damaged" } },
    });
    expect(refund.status).toBe(201);
    await sandbox.clock.advance(200);
    const c2 = await charge("4111111111111111", { amount: 300 }, {}, { cardholder: "JIRO SUZUKI" });
    await sandbox.clock.advance(200);
    const [id1, idR, id2] = [c1["id"], refund.body?.["id"], c2["id"]];

    const all = await api.request("GET", `/stores/${storeId}/transaction_history`);
    expect(all.body).toMatchObject({ has_more: false, total_hits: 3 });
    const items = all.body?.["items"] as Json[];
    expect(items.map((i) => i["resource_id"])).toEqual([id2, idR, id1]);
    expect(items[1]).toEqual({
      merchant_id: expect.any(String),
      merchant_name: "Sandbox demo store merchant",
      store_id: storeId,
      store_name: "Sandbox demo store",
      resource_id: idR,
      charge_id: id1,
      amount: 400,
      currency: "JPY",
      amount_formatted: 400,
      type: "refund",
      status: "successful",
      payment_type: "card",
      mode: "test",
      metadata: { why: "damaged" },
      created_on: refund.body?.["created_on"],
      user_data: {
        type: "refund",
        cardholder_name: "TARO YAMADA",
        cardholder_email_address: "ledger@example.com",
        brand: "visa",
        gateway: "test",
        service_provider: "test",
        refunds: [],
      },
      bank_transfer_payment_status: null,
      bank_transfer_latest_deposit_date: null,
    });
    expect(items[2]).toMatchObject({
      resource_id: id1,
      charge_id: null,
      type: "charge",
      status: "successful",
      amount: 1000,
      user_data: { refunds: [{ id: idR, amount: 400, status: "successful" }] },
    });

    expect(await ids("/transaction_history?type=refund")).toEqual([idR]);
    expect(await ids("/transaction_history?status=failed")).toEqual([id2]);
    expect(await ids("/transaction_history?search=jiro")).toEqual([id2]);
    expect(await ids("/transaction_history?search=T-1")).toEqual([id1]);
    expect(await ids(`/transaction_history?search=${String(id1)}`)).toEqual([idR, id1]);
    expect(await ids("/transaction_history?search=1111")).toEqual([id2]);
    expect(await ids("/transaction_history?search=LEDGER@example")).toEqual([idR, id1]);
    expect(await ids(`/transaction_history?from=${String(c2["created_on"])}&mode=test`)).toEqual([id2]);
    expect(await ids(`/transaction_history?to=${String(refund.body?.["created_on"])}`)).toEqual([idR, id1]);
    expect(await ids("/transaction_history?status=errored")).toEqual([]);
    expect((await api.request("GET", "/transaction_history?type=payout")).status).toBe(400);

    const page1 = await api.request("GET", "/transaction_history?limit=10");
    expect(page1.body?.["total_hits"]).toBe(3);
    const after = await api.request("GET", `/transaction_history?cursor=${String(idR)}`);
    expect((after.body?.["items"] as Json[]).map((i) => i["resource_id"])).toEqual([id1]);
    expect(after.body).toMatchObject({ has_more: false });
    expect(after.body?.["total_hits"]).toBeUndefined();
  });
});
