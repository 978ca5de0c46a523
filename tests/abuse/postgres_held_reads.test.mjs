// While slow requests hold every database reader and every API worker, nothing on hookd's I/O thread
// waits: the health checks answer, publishing to an application it knows answers, and /in/ answers.
// A transaction of the test's own holds a lock on the attempt table of a PostgreSQL server the test runs,
// so that 64 requests listing attempts wait for it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { api, assertAnswers, sleep, startHookd, startOwnPostgres } from "./abuse.mjs";

test("health, publishing and /in/ answer while slow reads hold every reader", { timeout: 120000 }, async () => {
  const postgres = startOwnPostgres();
  const dsn = postgres.dsn;
  const hookd = await startHookd({ db: dsn });
  let locker = null;
  try {
    assert.equal((await api(hookd, "POST", "/api/v1/app", { name: "Held", uid: "held" })).status, 201);
    const source = await api(hookd, "POST", "/api/v1/source", { name: "open", scheme: "none", app: "held" });
    assert.equal(source.status, 201);
    // Publishing and /in/ once, so that hookd knows the application and the source.
    assert.equal((await api(hookd, "POST", "/api/v1/app/held/msg", { eventType: "a.b", payload: {} })).status, 202);
    assert.equal((await fetch(`${hookd.url}/in/open`, { method: "POST", body: "{}" })).status, 200);
    // A disabled endpoint: its attempts can be listed, and none is made.
    const endpoint = await api(hookd, "POST", "/api/v1/app/held/endpoint", { url: "http://127.0.0.1:1/x", disabled: true });
    assert.equal(endpoint.status, 201);

    // Lock the attempt table, and keep the transaction open.
    locker = spawn("psql", [dsn, "-q", "-v", "ON_ERROR_STOP=1"], { stdio: ["pipe", "pipe", "pipe"] });
    locker.stdin.write("BEGIN; LOCK TABLE attempt IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n");
    await new Promise((resolve) => locker.stdout.on("data", (chunk) => String(chunk).includes("locked") && resolve()));

    // 64 requests that read attempts: every API worker and every reader waits.
    let settled = 0;
    const slow = Array.from({ length: 64 }, () =>
      fetch(`${hookd.url}/api/v1/app/held/attempt/endpoint/${endpoint.json.id}`, {
        headers: { authorization: `Bearer ${hookd.token}` },
      }).then(
        (r) => (settled++, r.status),
        () => (settled++, "no answer"),
      ),
    );
    await sleep(1000);
    await assertAnswers(hookd.url);
    const started = Date.now();
    const published = await fetch(`${hookd.url}/api/v1/app/held/msg`, {
      method: "POST",
      headers: { authorization: `Bearer ${hookd.token}`, "content-type": "application/json" },
      body: JSON.stringify({ eventType: "a.b", payload: { while: "held" } }),
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(published.status, 202);
    const inbound = await fetch(`${hookd.url}/in/open`, { method: "POST", body: "{}", signal: AbortSignal.timeout(5000) });
    assert.equal(inbound.status, 200);
    const took = Date.now() - started;
    assert.ok(took < 2000, `publishing and /in/ took ${took} ms while reads were held`);
    assert.equal(settled, 0, "the slow requests were still waiting for the lock");

    locker.stdin.end("COMMIT;\n");
    const statuses = await Promise.all(slow);
    assert.ok(statuses.every((s) => s === 200), JSON.stringify(statuses));
  } finally {
    locker?.kill();
    await hookd.stop();
    postgres.stop();
  }
});
