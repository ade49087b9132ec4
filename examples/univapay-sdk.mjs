// UnivaPay's own SDK (univapay-node, a dev dependency) against `npm run sandbox`: a card token,
// a charge, and a poll until it settles. Run from the project folder, with the JSON line that
// `npm run -s sandbox | tee sandbox.out` prints first:
//   node examples/univapay-sdk.mjs "$(head -1 sandbox.out)"
import SDK from "univapay-node";

const { endpoint, appToken, secret } = JSON.parse(process.argv[2] || "{}");
if (!endpoint) {
  console.error('usage: node examples/univapay-sdk.mjs \'{"endpoint":…,"appToken":…,"secret":…}\'');
  process.exit(2);
}
const sdk = new SDK({ endpoint, jwt: appToken, secret });
const token = await sdk.transactionTokens.create({
  paymentType: "card",
  type: "one_time",
  email: "a@b.jp",
  data: { cardholder: "TARO YAMADA", cardNumber: "4000020000000000", expMonth: 12, expYear: 2030, cvv: "123" },
});
const charge = await sdk.charges.create({ transactionTokenId: token.id, amount: 1000, currency: "JPY" });
const settled = await sdk.charges.poll(charge.storeId, charge.id); // pending → successful
console.log(`charge ${settled.id}: ${settled.status}`);
