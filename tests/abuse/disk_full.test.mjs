// When the database cannot write (a full disk, or here a file-size limit put on the running server
// with prlimit), publishing answers 503 with Retry-After, acknowledges nothing it did not store, and
// hookd recovers on its own once writes work again: every message answered 202 is delivered, and none
// answered 503 is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { api, assertAnswers, startHookd, startReceiver, waitFor } from "./abuse.mjs";
import { testPostgres } from "../interop/server.mjs";

function limitFileSize(pid, bytes) {
  const limit = bytes === null ? "unlimited" : String(bytes);
  const done = spawnSync("prlimit", ["--pid", String(pid), `--fsize=${limit}:${limit === "unlimited" ? limit : "unlimited"}`]);
  assert.equal(done.status, 0, done.stderr.toString());
}

test("a database that cannot write answers 503 and loses nothing", { skip: testPostgres() !== null, timeout: 90000 }, async () => {
  const receiver = await startReceiver();
  const hookd = await startHookd();
  try {
    assert.equal((await api(hookd, "POST", "/api/v1/app", { name: "Full", uid: "full" })).status, 201);
    assert.equal((await api(hookd, "POST", "/api/v1/app/full/endpoint", { url: receiver.url })).status, 201);
    const accepted = new Set();
    const refused = new Set();
    let n = 0;
    const publish = async () => {
      const mine = n++;
      const response = await fetch(`${hookd.url}/api/v1/app/full/msg`, {
        method: "POST",
        headers: { authorization: `Bearer ${hookd.token}`, "content-type": "application/json" },
        body: JSON.stringify({ eventType: "disk.test", payload: { n: mine, pad: "x".repeat(2000) } }),
      });
      const body = await response.json();
      if (response.status === 202) accepted.add(mine);
      else {
        assert.equal(response.status, 503, JSON.stringify(body));
        assert.equal(response.headers.get("retry-after"), "1");
        assert.match(body.detail, /unavailable for a moment; try again \(request req_/);
        refused.add(mine);
      }
    };
    for (let i = 0; i < 20; i++) await publish();
    assert.equal(accepted.size, 20);

    limitFileSize(hookd.child.pid, 1024);
    for (let i = 0; i < 30; i++) await publish();
    assert.ok(refused.size >= 25, `only ${refused.size} of 30 publishes were refused while writes failed`);
    await assertAnswers(hookd.url);
    assert.match(hookd.stderr(), /the database does not commit writes/);

    limitFileSize(hookd.child.pid, null);
    for (let i = 0; i < 20; i++) await publish();
    const last = [...Array(20).keys()].map((i) => n - 1 - i);
    for (const m of last) assert.ok(accepted.has(m), `message ${m}, published after the disk had room again, was refused`);

    const delivered = () => new Set(receiver.requests.map((r) => JSON.parse(r.body).n));
    await waitFor(() => [...accepted].every((m) => delivered().has(m)), { timeout: 30000, what: "every accepted message delivered" });
    for (const m of refused) assert.ok(!delivered().has(m), `message ${m} was answered 503 but delivered`);
  } finally {
    await hookd.stop();
    hookd.cleanup();
    receiver.close();
  }
});
