// Outgrowing one machine: a node's SQLite database moves to PostgreSQL with `hookd copy-to-postgres`.
// The messages still waiting for their retries are delivered by the PostgreSQL node, their earlier
// attempts stay in the log, and tokens issued on SQLite keep working. Runs in CTest's interop_postgres.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { hookdBin } from "./hookd.mjs";
import { api, startHookd, startReceiver, testDatabase, testPostgres, waitFor } from "./server.mjs";

const env = { HOOKD_DELIVERY_RETRY_SCHEDULE: "1s,1s,1s,1s" };

test("hookd copy-to-postgres moves a stopped node's data, queue and secret into PostgreSQL", {
  skip: !testPostgres() && "runs on PostgreSQL (CTest's interop_postgres)",
  timeout: 60000,
}, async () => {
  let healthy = false;
  const receiver = await startReceiver(() => (healthy ? 204 : 503));
  const targetDir = mkdtempSync(path.join(tmpdir(), "hookd-copy-"));
  const target = testDatabase(targetDir);
  const before = await startHookd({ sqlite: true, env });
  let after;
  try {
    assert.equal((await api(before, "POST", "/api/v1/app", { name: "Shop", uid: "shop" })).status, 201);
    const endpoint = await api(before, "POST", "/api/v1/app/shop/endpoint", { url: receiver.url });
    assert.equal(endpoint.status, 201);
    const ids = [];
    for (let i = 0; i < 3; ++i) {
      const { status, json } = await api(before, "POST", "/api/v1/app/shop/msg", { eventType: "order.paid", payload: { i } });
      assert.equal(status, 202);
      ids.push(json.id);
    }
    // Each first try failed: their retries wait in the queue when the node stops.
    await waitFor(() => receiver.requests.length >= 3, { what: "the first tries" });
    assert.equal(await before.stop(), 0);

    const copy = (dsn) =>
      spawnSync(hookdBin, ["copy-to-postgres", "--data-dir", before.dataDir, "--db", dsn], { encoding: "utf8" });
    const copied = copy(target.dsn);
    assert.equal(copied.status, 0, copied.stderr);
    assert.match(copied.stdout, /message: 3 rows/);
    assert.match(copied.stdout, /the JWT secret of .* is the one nodes share/);

    healthy = true;
    after = await startHookd({ db: target.dsn, env });
    after.token = before.token; // issued on SQLite, and still good
    const secret = await api(after, "GET", `/api/v1/app/shop/endpoint/${endpoint.json.id}/secret`);
    assert.equal(secret.status, 200);
    for (const id of ids) {
      await waitFor(async () => {
        const attempts = await api(after, "GET", `/api/v1/app/shop/attempt/msg/${id}`);
        return attempts.json.data.some((attempt) => attempt.responseStatusCode === 204);
      }, { what: `the delivery of ${id}` });
      // The attempt made on SQLite is in the log beside the one made from PostgreSQL.
      const attempts = await api(after, "GET", `/api/v1/app/shop/attempt/msg/${id}`);
      assert.ok(attempts.json.data.some((attempt) => attempt.responseStatusCode === 503));
    }

    // The database holds hookd data now: a second copy is refused, and changes nothing.
    const again = copy(target.dsn);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already holds hookd data/);
  } finally {
    await after?.stop();
    after?.cleanup();
    before.cleanup();
    target.drop();
    rmSync(targetDir, { recursive: true, force: true });
    receiver.close();
  }
});
