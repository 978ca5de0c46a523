// Crash safety: publish under load, kill -9 hookd, start it again on the same data directory. Every
// message whose create answered 202 must reach every matching endpoint; a message may arrive twice only
// if it had been delivered (or was being delivered) before the kill.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, startHookd, startReceiver, waitFor } from "./server.mjs";

test("kill -9 under load loses no accepted message", { timeout: 120000 }, async () => {
  const receivers = [await startReceiver(), await startReceiver()];
  let hookd = await startHookd({ env: { HOOKD_SYNCHRONOUS: "full" } });
  const token = hookd.token;
  assert.equal((await api(hookd, "POST", "/api/v1/app", { name: "Crash", uid: "crash" })).status, 201);
  for (const receiver of receivers) {
    assert.equal((await api(hookd, "POST", "/api/v1/app/crash/endpoint", { url: receiver.url })).status, 201);
  }

  // Publishers keep creating messages; only those answered 202 count as accepted.
  const accepted = new Set();
  let publishing = true;
  let sequence = 0;
  const publisher = async () => {
    while (publishing) {
      try {
        const n = sequence++;
        const { status, json } = await api(hookd, "POST", "/api/v1/app/crash/msg", { eventType: "crash.test", payload: { n } });
        if (status === 202) accepted.add(json.id);
      } catch {
        // the server is gone: this request was never answered, so its message was not accepted
      }
    }
  };
  const publishers = Array.from({ length: 16 }, publisher);
  await waitFor(() => accepted.size >= 3000, { timeout: 60000, what: "3000 accepted messages" });
  await hookd.kill();
  publishing = false;
  await Promise.all(publishers);
  const firstSeen = receivers.map((r) => {
    const seen = new Map();
    for (const request of r.requests) if (!seen.has(request.headers["svix-id"])) seen.set(request.headers["svix-id"], request);
    return seen;
  });
  const beforeKill = receivers.map((r) => new Set(r.requests.map((q) => q.headers["svix-id"])));

  hookd = await startHookd({ dataDir: hookd.dataDir });
  hookd.token = token;
  try {
    await waitFor(
      () => receivers.every((r) => {
        const got = new Set(r.requests.map((q) => q.headers["svix-id"]));
        for (const id of accepted) if (!got.has(id)) return false;
        return true;
      }),
      { timeout: 90000, what: "every accepted message at every endpoint" },
    );
    let duplicates = 0;
    receivers.forEach((receiver, i) => {
      const counts = new Map();
      for (const request of receiver.requests) counts.set(request.headers["svix-id"], (counts.get(request.headers["svix-id"]) ?? 0) + 1);
      for (const [id, count] of counts) {
        if (count === 1) continue;
        duplicates += count - 1;
        assert.ok(beforeKill[i].has(id), `${id} arrived twice but was not in flight at the kill`);
      }
    });
    console.log(`crash test: ${accepted.size} accepted before the kill, ${duplicates} duplicate deliveries ` +
                `(of ${firstSeen[0].size + firstSeen[1].size} delivered before it)`);
    // Duplicates are bounded by what could be in flight: attempts open or not yet recorded at the kill.
    assert.ok(duplicates <= 2 * 2000, `too many duplicates: ${duplicates}`);
  } finally {
    assert.equal(await hookd.stop(), 0);
    hookd.cleanup();
    receivers.forEach((r) => r.close());
  }
});
