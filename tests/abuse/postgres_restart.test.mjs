// PostgreSQL restarts under load: while it is down the API answers 503 (never 404, which a client takes
// as "this application does not exist" and drops the message), the node reconnects on its own, and
// every message answered 202 before, during or after is delivered. The test runs a PostgreSQL server of
// its own, so that stopping it disturbs no other test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, assertAnswers, sleep, startHookd, startOwnPostgres, startReceiver, waitFor } from "./abuse.mjs";

test("a PostgreSQL restart under load: 503 meanwhile, nothing accepted lost", { timeout: 120000 }, async () => {
  const postgres = startOwnPostgres();
  const dsn = postgres.dsn;
  const receiver = await startReceiver();
  const hookd = await startHookd({ db: dsn });
  const statuses = new Map();
  const accepted = new Set();
  let publishing = true;
  try {
    assert.equal((await api(hookd, "POST", "/api/v1/app", { name: "Restart", uid: "restart" })).status, 201);
    assert.equal((await api(hookd, "POST", "/api/v1/app/restart/endpoint", { url: receiver.url })).status, 201);
    let n = 0;
    const publisher = async () => {
      while (publishing) {
        const mine = n++;
        try {
          const response = await fetch(`${hookd.url}/api/v1/app/restart/msg`, {
            method: "POST",
            headers: { authorization: `Bearer ${hookd.token}`, "content-type": "application/json" },
            body: JSON.stringify({ eventType: "pg.restart", payload: { n: mine } }),
            signal: AbortSignal.timeout(10000),
          });
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status === 202) accepted.add(mine);
          else await sleep(50);
        } catch {
          statuses.set("no answer", (statuses.get("no answer") ?? 0) + 1);
        }
      }
    };
    const publishers = Array.from({ length: 8 }, publisher);
    await waitFor(() => accepted.size >= 200, { timeout: 20000, what: "200 messages accepted before the restart" });

    postgres.pause();
    const acceptedBefore = accepted.size;
    await sleep(1000);
    await assertAnswers(hookd.url);  // the server itself still answers
    await sleep(4000);
    postgres.resume();
    await waitFor(() => accepted.size >= acceptedBefore + 200, {
      timeout: 30000,
      what: "200 more messages accepted after the restart",
    });
    publishing = false;
    await Promise.all(publishers);

    const summary = JSON.stringify(Object.fromEntries(statuses));
    assert.equal(statuses.get(404), undefined, `publishes were answered 404 while the database was down: ${summary}`);
    assert.ok((statuses.get(503) ?? 0) > 0, `nothing was answered 503 while the database was down: ${summary}`);
    for (const status of statuses.keys()) assert.ok([202, 503].includes(status), `unexpected answers: ${summary}`);

    const delivered = () => new Set(receiver.requests.map((r) => JSON.parse(r.body).n));
    await waitFor(() => [...accepted].every((m) => delivered().has(m)), {
      timeout: 60000,
      what: "every accepted message delivered",
    });
    console.log(`postgres restart: ${accepted.size} accepted, answers ${summary}`);
  } finally {
    publishing = false;
    await hookd.stop();
    hookd.cleanup();
    receiver.close();
    postgres.stop();
  }
});
