// GitHub signs no timestamp: a captured request could be replayed with a new X-GitHub-Delivery (which is
// not signed). hookd also deduplicates on what the signature covers, the body, within the dedupe window.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { api, startHookd } from "./abuse.mjs";

const secret = "It's a Secret to Everybody";

function send(hookd, body, delivery) {
  const signature = "sha256=" + createHmac("sha256", secret).update(body).digest("hex");
  return fetch(`${hookd.url}/in/repos`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": delivery,
      "x-hub-signature-256": signature,
    },
    body,
  }).then(async (response) => ({ status: response.status, json: await response.json() }));
}

test("a replayed GitHub request with a new delivery id is a duplicate", { timeout: 30000 }, async () => {
  const hookd = await startHookd();
  try {
    assert.equal((await api(hookd, "POST", "/api/v1/app", { name: "Repos", uid: "repos" })).status, 201);
    const source = await api(hookd, "POST", "/api/v1/source", { name: "repos", scheme: "github", secrets: [secret], app: "repos" });
    assert.equal(source.status, 201, JSON.stringify(source.json));
    const body = JSON.stringify({ ref: "refs/heads/main", after: "5e8a1c" });

    const first = await send(hookd, body, "delivery-1");
    assert.equal(first.status, 200);
    assert.equal(first.json.duplicate, false);
    // The same request again, as GitHub redelivers it, and as an attacker replays it under a new id.
    for (const delivery of ["delivery-1", "delivery-2", "forged-3"]) {
      const again = await send(hookd, body, delivery);
      assert.equal(again.status, 200);
      assert.equal(again.json.duplicate, true, delivery);
      assert.equal(again.json.id, first.json.id);
    }
    // Another push is another request.
    const next = await send(hookd, JSON.stringify({ ref: "refs/heads/main", after: "77fe02" }), "delivery-4");
    assert.equal(next.json.duplicate, false);
    const messages = (await api(hookd, "GET", "/api/v1/app/repos/msg")).json.data;
    assert.equal(messages.length, 2);
  } finally {
    await hookd.stop();
    hookd.cleanup();
  }
});
