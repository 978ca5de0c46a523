// `hookd prune` on a data directory that `hookd serve` used: old messages go with their attempts, and a
// message whose delivery is still pending stays.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hookd } from "./hookd.mjs";
import { api, startHookd, startReceiver, waitFor } from "./server.mjs";

test("hookd prune deletes delivered messages and keeps pending ones", { timeout: 60000 }, async () => {
  const healthy = await startReceiver(() => 200);
  const failing = await startReceiver(() => 500);
  let server = await startHookd();
  const token = server.token;
  try {
    assert.equal((await api(server, "POST", "/api/v1/app", { name: "Prune", uid: "prune" })).status, 201);
    const ok = await api(server, "POST", "/api/v1/app/prune/endpoint", { url: healthy.url, filterTypes: null });
    assert.equal(ok.status, 201);
    const delivered = [];
    for (let n = 0; n < 3; n++) {
      const { status, json } = await api(server, "POST", "/api/v1/app/prune/msg", { eventType: "a", payload: { n } });
      assert.equal(status, 202);
      delivered.push(json.id);
    }
    await waitFor(() => healthy.requests.length === 3);
    // This one's endpoint fails: its delivery waits for a retry (5 s away), still pending.
    assert.equal((await api(server, "PATCH", `/api/v1/app/prune/endpoint/${ok.json.id}`, { disabled: true })).status, 200);
    assert.equal((await api(server, "POST", "/api/v1/app/prune/endpoint", { url: failing.url })).status, 201);
    const pending = (await api(server, "POST", "/api/v1/app/prune/msg", { eventType: "a", payload: { n: 3 } })).json.id;
    await waitFor(() => failing.requests.length === 1);
    await waitFor(async () => (await api(server, "GET", `/api/v1/app/prune/attempt/msg/${pending}`)).json.data.length === 1);
    await server.stop();

    const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
    const pruned = hookd(["prune", "--older-than", tomorrow, ...server.storeArgs]);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /^pruned 3 messages and 3 attempts created before /);
    assert.match(pruned.stdout, /kept 1 messages that still have deliveries pending/);

    server = await startHookd({ dataDir: server.dataDir });
    server.token = token;
    const left = (await api(server, "GET", "/api/v1/app/prune/msg")).json.data.map((m) => m.id);
    assert.deepEqual(left, [pending]);
    assert.equal((await api(server, "GET", `/api/v1/app/prune/msg/${delivered[0]}`)).status, 404);

    const bad = hookd(["prune", "--older-than", "last tuesday", ...server.storeArgs]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--older-than must be a date/);
  } finally {
    await server.stop();
    server.cleanup();
    healthy.close();
    failing.close();
  }
});
