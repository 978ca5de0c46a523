// One endpoint whose name server never answers must not delay any other delivery. hookd looks names up
// itself (c-ares), each lookup on its own with its own timeout; here its name servers are one on
// loopback that answers good.test and never answers slow.test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, assertAnswers, startHookd, startReceiver, waitFor } from "./abuse.mjs";
import { startNameServer } from "./dns.mjs";

test("a name server that never answers delays only its own names", { timeout: 90000 }, async () => {
  const receiver = await startReceiver();
  const port = new URL(receiver.url).port;
  const names = await startNameServer({ "good.test": "127.0.0.1" });
  const hookd = await startHookd({ env: { HOOKD_DELIVERY_DNS_SERVERS: `127.0.0.1:${names.port}` } });
  try {
    for (const [app, host] of [["stuck", "slow.test"], ["fine", "good.test"]]) {
      assert.equal((await api(hookd, "POST", "/api/v1/app", { name: app, uid: app })).status, 201);
      const url = `http://${host}:${port}/hook`;
      assert.equal((await api(hookd, "POST", `/api/v1/app/${app}/endpoint`, { url })).status, 201);
    }
    // 100 messages for the endpoint whose lookups hang, then 100 for the other, interleaved.
    const sent = new Map();
    for (let i = 0; i < 100; i++) {
      assert.equal((await api(hookd, "POST", "/api/v1/app/stuck/msg", { eventType: "dns.slow", payload: { i } })).status, 202);
      sent.set(i, Date.now());
      const published = await api(hookd, "POST", "/api/v1/app/fine/msg", { eventType: "dns.good", payload: { i } });
      assert.equal(published.status, 202);
    }
    await waitFor(() => receiver.requests.length >= 100, { timeout: 20000, what: "the 100 deliveries to good.test" });
    const latencies = receiver.requests.map((r) => r.at - sent.get(JSON.parse(r.body).i)).sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99) - 1];
    console.log(`dns: good.test deliveries p50 ${latencies[49]} ms, p99 ${p99} ms, while slow.test never resolves`);
    // The hanging lookup takes 2 × 2 s before it fails; none of the other deliveries waited for it.
    assert.ok(p99 < 1000, `deliveries to good.test took up to ${p99} ms`);
    assert.ok(names.queries.get("slow.test") >= 1, "hookd asked the test's name server");
    // Answers are cached for their TTL: good.test was asked about a few times, not once per delivery.
    assert.ok((names.queries.get("good.test") ?? 0) <= 10, `good.test was asked ${names.queries.get("good.test")} times`);
    await assertAnswers(hookd.url);
    // The endpoint whose name never resolves gets attempts that say so.
    const stuck = (await api(hookd, "GET", "/api/v1/app/stuck/endpoint")).json.data[0].id;
    const failedLookup = async () => {
      const attempts = (await api(hookd, "GET", `/api/v1/app/stuck/attempt/endpoint/${stuck}`)).json.data;
      return attempts.find((a) => /slow\.test/.test(a.response));
    };
    await waitFor(async () => (await failedLookup()) !== undefined, { timeout: 20000, what: "an attempt to slow.test" });
    assert.match((await failedLookup()).response, /no name server answered in time|timed out/);
  } finally {
    await hookd.stop();
    hookd.cleanup();
    receiver.close();
    names.close();
  }
});
