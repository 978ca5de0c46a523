// A request without a valid token costs a signature check and nothing more: no idempotency lookup,
// nothing kept in memory. Before, every idempotency key (with the token it came with) stayed in memory,
// so invalid requests with large tokens grew the server without bound.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { api, assertAnswers, rssMiB, startHookd } from "./abuse.mjs";

function post(agent, url, headers) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", reject);
    req.end("{}");
  });
}

test("invalid tokens with idempotency keys leave nothing in memory", { timeout: 120000 }, async () => {
  const hookd = await startHookd();
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  try {
    assert.equal((await api(hookd, "POST", "/api/v1/app", { name: "Mine", uid: "mine" })).status, 201);
    const rssBefore = rssMiB(hookd.child.pid);
    const junk = "x".repeat(12 * 1024);
    const requests = 6400;
    let unauthorized = 0;
    for (let sent = 0; sent < requests; sent += 64) {
      const batch = Array.from({ length: 64 }, (_, i) =>
        post(agent, `${hookd.url}/api/v1/app/mine/msg`, {
          authorization: `Bearer ${junk}${sent + i}`,
          "idempotency-key": `key-${sent + i}-${"k".repeat(200)}`,
          "content-type": "application/json",
        }),
      );
      for (const answer of await Promise.all(batch)) {
        if (answer.status === 401 && JSON.parse(answer.body).code === "authentication_failed") unauthorized++;
      }
    }
    assert.equal(unauthorized, requests);
    const rssAfter = rssMiB(hookd.child.pid);
    // 6,400 tokens of 12 KiB are 75 MiB: keeping any of them would show.
    assert.ok(rssAfter < rssBefore + 24, `RSS grew from ${rssBefore.toFixed(1)} to ${rssAfter.toFixed(1)} MiB`);
    await assertAnswers(hookd.url);
    // The owner's own idempotent requests still work.
    const first = await fetch(`${hookd.url}/api/v1/app/mine/msg`, {
      method: "POST",
      headers: { authorization: `Bearer ${hookd.token}`, "idempotency-key": "once", "content-type": "application/json" },
      body: JSON.stringify({ eventType: "a.b", payload: {} }),
    });
    const again = await fetch(`${hookd.url}/api/v1/app/mine/msg`, {
      method: "POST",
      headers: { authorization: `Bearer ${hookd.token}`, "idempotency-key": "once", "content-type": "application/json" },
      body: JSON.stringify({ eventType: "a.b", payload: {} }),
    });
    assert.equal(first.status, 202);
    assert.equal((await again.json()).id, (await first.json()).id);
  } finally {
    agent.destroy();
    await hookd.stop();
    hookd.cleanup();
  }
});
