// Memory any token holder controls stays bounded: listing 250 messages of 1 MiB answers in pages of a
// few MiB, and resending a large message again and again to an endpoint that never answers is refused
// (429) once the endpoint holds 100 resends, instead of piling them up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { api, assertAnswers, peakRssMiB, rssMiB, startHookd } from "./abuse.mjs";

async function call(hookd, method, path, body) {
  const response = await fetch(hookd.url + path, {
    method,
    headers: { authorization: `Bearer ${hookd.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.text() };
}

// A receiver that takes requests and never answers them.
function startSilentReceiver() {
  const held = [];
  const server = createServer((req, res) => held.push(res));
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}/hook`,
        close: () => {
          held.forEach((res) => res.destroy());
          server.close();
        },
      }),
    ),
  );
}

test("large lists and repeated resends keep memory bounded", { timeout: 120000 }, async () => {
  const silent = await startSilentReceiver();
  const hookd = await startHookd({ env: { HOOKD_MAX_BODY_BYTES: String(2 << 20) } });
  try {
    assert.equal((await api(hookd, "POST", "/api/v1/app", { name: "Big", uid: "big" })).status, 201);
    const endpoint = await api(hookd, "POST", "/api/v1/app/big/endpoint", { url: silent.url });
    assert.equal(endpoint.status, 201);
    const pad = "x".repeat(1 << 20);
    let last;
    for (let i = 0; i < 40; i++) {
      const published = await call(hookd, "POST", "/api/v1/app/big/msg", { eventType: "big", payload: { i, pad } });
      assert.equal(published.status, 202, published.body);
      last = JSON.parse(published.body).id;
    }
    const rssBefore = rssMiB(hookd.child.pid);

    // Eight clients list at once, each asking for 250 messages of 1 MiB.
    const pages = await Promise.all(Array.from({ length: 8 }, () => call(hookd, "GET", "/api/v1/app/big/msg?limit=250")));
    for (const page of pages) {
      assert.equal(page.status, 200);
      const listed = JSON.parse(page.body);
      assert.ok(listed.data.length >= 1 && listed.data.length <= 5, `a page of ${listed.data.length} messages of 1 MiB`);
      assert.equal(listed.done, false);
    }
    // Walking the pages finds every message.
    let seen = 0;
    let iterator = null;
    for (;;) {
      const page = JSON.parse((await call(hookd, "GET", `/api/v1/app/big/msg?limit=250${iterator ? `&iterator=${iterator}` : ""}`)).body);
      seen += page.data.length;
      if (page.done) break;
      iterator = page.iterator;
    }
    assert.equal(seen, 40);

    // Resending the last message again and again, while the endpoint never answers.
    const statuses = new Map();
    for (let i = 0; i < 300; i++) {
      const resent = await call(hookd, "POST", `/api/v1/app/big/msg/${last}/endpoint/${endpoint.json.id}/resend`);
      statuses.set(resent.status, (statuses.get(resent.status) ?? 0) + 1);
    }
    assert.equal(statuses.get(202), 100, JSON.stringify(Object.fromEntries(statuses)));
    assert.equal(statuses.get(429), 200, JSON.stringify(Object.fromEntries(statuses)));

    await assertAnswers(hookd.url);
    const peak = peakRssMiB(hookd.child.pid);
    // The listing holds a few MiB per request; the resends 100 MiB of payloads.
    assert.ok(peak < rssBefore + 200, `peak RSS ${peak.toFixed(0)} MiB, from ${rssBefore.toFixed(0)} MiB before`);
  } finally {
    await hookd.stop();
    hookd.cleanup();
    silent.close();
  }
});
