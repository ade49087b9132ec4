/** Four projects: pure unit + property tests, store contract tests (SQLite and PostgreSQL),
 *  integration tests that run the real gateway against the sandbox over HTTP, and browser tests. */
const base = {
  preset: "ts-jest",
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
};
module.exports = {
  testTimeout: 60000,
  projects: [
    { ...base, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts", "<rootDir>/test/property/**/*.test.ts"] },
    { ...base, displayName: "contract", testMatch: ["<rootDir>/test/contract/**/*.test.ts"] },
    { ...base, displayName: "integration", testMatch: ["<rootDir>/test/integration/**/*.test.ts"] },
    // Real Chromium (Debian package; .ci/run installs it): pages merchants' shoppers load.
    { ...base, displayName: "browser", testMatch: ["<rootDir>/test/browser/**/*.test.ts"] },
  ],
};
