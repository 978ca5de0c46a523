// Readiness follows the database: while PostgreSQL is down, /health/ready answers 503 (a load balancer
// sends traffic elsewhere) and /health/live 200 (nothing restarts a process that will recover); once
// PostgreSQL is back, readiness answers 200 again on its own. The test runs a PostgreSQL server of its
// own, so that stopping it disturbs no other test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startHookd, startOwnPostgres, waitFor } from "./abuse.mjs";

test("readiness answers 503 while PostgreSQL is down, and 200 once it is back", { timeout: 90000 }, async () => {
  const postgres = startOwnPostgres();
  const hookd = await startHookd({ db: postgres.dsn, env: { HOOKD_METRICS_LISTEN: "127.0.0.1:0" } });
  const status = async (probe) => (await fetch(hookd.metricsUrl + probe, { signal: AbortSignal.timeout(10000) })).status;
  try {
    assert.equal(await status("/health/ready"), 200);
    postgres.pause();
    try {
      await waitFor(async () => (await status("/health/ready")) === 503, { timeout: 20000, what: "readiness to fail" });
      assert.equal(await status("/health/live"), 200);
      assert.equal((await fetch(hookd.url + "/health/ready")).status, 503, "the API's address says the same");
    } finally {
      postgres.resume();
    }
    await waitFor(async () => (await status("/health/ready")) === 200, { timeout: 30000, what: "readiness to return" });
  } finally {
    await hookd.stop();
    hookd.cleanup();
    postgres.stop();
  }
});
