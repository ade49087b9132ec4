import { redactDatabaseUrl } from "../../../src/config/database-url";

describe("redactDatabaseUrl", () => {
  it("hides a password in the URL and in the query, and leaves SQLite paths alone", () => {
    expect(redactDatabaseUrl("postgres://gw:s3cret@db:5432/gw")).toBe("postgres://gw:***@db:5432/gw");
    expect(redactDatabaseUrl("postgresql://db/gw?password=s3cret&sslmode=require")).toBe("postgresql://db/gw?password=***&sslmode=require");
    expect(redactDatabaseUrl("sqlite:./data/gateway.sqlite")).toBe("sqlite:./data/gateway.sqlite");
  });
});
