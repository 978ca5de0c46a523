// An endpoint that points at an inbound source of the same server, routing back to the same
// application, would multiply each message for ever. Every delivery carries hookd-hops; a message that
// passed through delivery.max_hops servers is not delivered again, and its attempt says why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, assertAnswers, sleep, startHookd, waitFor } from "./abuse.mjs";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

test("a delivery loop through an inbound source ends at the hop limit", { timeout: 60000 }, async () => {
  const hookd = await startHookd();
  try {
    assert.equal((await api(hookd, "POST", "/api/v1/app", { name: "Loop", uid: "loop" })).status, 201);
    const source = await api(hookd, "POST", "/api/v1/source", {
      name: "loopback",
      scheme: "standard",
      secrets: [secret],
      app: "loop",
    });
    assert.equal(source.status, 201, JSON.stringify(source.json));
    const endpoint = await api(hookd, "POST", "/api/v1/app/loop/endpoint", { url: `${hookd.url}/in/loopback`, secret });
    assert.equal(endpoint.status, 201);
    assert.equal((await api(hookd, "POST", "/api/v1/app/loop/msg", { eventType: "loop.start", payload: { n: 1 } })).status, 202);

    const messages = async () => (await api(hookd, "GET", "/api/v1/app/loop/msg?limit=250")).json.data;
    const refusal = async () => {
      for (const message of await messages()) {
        const attempts = (await api(hookd, "GET", `/api/v1/app/loop/attempt/msg/${message.id}`)).json.data;
        const refused = attempts.find((a) => a.response.includes("passed through 10 hookd servers"));
        if (refused) return refused;
      }
      return null;
    };
    await waitFor(async () => (await refusal()) !== null, { timeout: 30000, what: "the attempt refused at the hop limit" });
    await sleep(1000);
    // The original and one message per hop: nothing more came.
    assert.equal((await messages()).length, 11);
    const refused = await refusal();
    assert.equal(refused.responseStatusCode, 0);
    assert.equal(refused.status, 2);  // failed, without retries
    await assertAnswers(hookd.url);
  } finally {
    await hookd.stop();
    hookd.cleanup();
  }
});
