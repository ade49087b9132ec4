import { containsCardNumber } from "../../../src/legacy/card-number-scan";

describe("containsCardNumber", () => {
  it.each([
    "4111111111111111",
    "memo 4111 1111 1111 1111 thanks",
    "4111-1111-1111-1111",
    "5555555555554444", // Mastercard
    "2223000048400011", // Mastercard 2-series
    "378282246310005", // Amex
    "3530111333300000", // JCB
    "36227206271667", // Diners 14
    "6011111111111117", // Discover
    "4000020000000000",
    "no=12-4111111111111111",
    "tel 03-1234-5678 4111 1111 1111 1111",
    "qty 1 4111 1111 1111 1111",
    "4111-1111-1111-1111 2",
    "４１１１１１１１１１１１１１１１",
    "4111.1111.1111.1111",
    "4111/1111/1111/1111",
  ])("finds a card number in %s", (text) => {
    expect(containsCardNumber(text)).toBe(true);
  });

  it.each([
    "",
    "A-10023",
    "09012345678", // phone
    "2024120112345678", // date-like order number: no brand range
    "4111111111111112", // Luhn fails
    "1234567890123456",
    "taro@example.jp",
    "ORDER-20261201-000123",
    "411111111111", // 12 digits
    "4901234567894", // JAN code (13 digits)
    "4111111111111111111111111111", // a long tracking number is not searched inside
    "2026/12/01 12:34 order 1234-5678", // dates and short numbers side by side
  ])("finds none in %s", (text) => {
    expect(containsCardNumber(text)).toBe(false);
  });
});
