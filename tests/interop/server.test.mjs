// The official npm `svix` SDK (v2) drives hookd serve through the whole flow; every delivery is
// verified with `standardwebhooks`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Svix, ApiException } from "svix";
import { Webhook } from "standardwebhooks";
import { startHookd, startReceiver, standardHeaders, waitFor } from "./server.mjs";

let hookd;
let receiver;
let svix;

before(async () => {
  hookd = await startHookd({ env: { HOOKD_DELIVERY_RETRY_SCHEDULE: "100ms,100ms,100ms" } });
  receiver = await startReceiver();
  svix = new Svix(hookd.token, { serverUrl: hookd.url });
});

after(async () => {
  receiver?.close();
  if (hookd) {
    assert.equal(await hookd.stop(), 0, "hookd exits 0 on SIGTERM");
    hookd.cleanup();
  }
});

function deliveriesOf(msgId) {
  return receiver.requests.filter((r) => r.headers["svix-id"] === msgId);
}

test("apps, event types, filtered endpoints, messages, attempts, resend, rotation and headers", async () => {
  const app = await svix.application.getOrCreate({ name: "Interop", uid: "interop-app" });
  const again = await svix.application.getOrCreate({ name: "Interop", uid: "interop-app" });
  assert.equal(again.id, app.id);
  assert.equal(app.uid, "interop-app");

  await svix.eventType.create({ name: "invoice.paid", description: "An invoice was paid" });
  await svix.eventType.create({ name: "invoice.failed", description: "A payment failed" });

  const endpoint = await svix.endpoint.create(app.id, {
    url: receiver.url,
    eventTypes: ["invoice.paid"],
    channels: ["eu"],
    uid: "billing",
  });
  assert.deepEqual(endpoint.eventTypes, ["invoice.paid"]);
  const { key: firstKey } = await svix.endpoint.getSecret(app.id, endpoint.id);
  assert.match(firstKey, /^whsec_/);

  // Only messages of a filtered type that share a channel reach the endpoint.
  const matching = [];
  for (let i = 0; i < 3; i++) {
    matching.push(await svix.message.create(app.id, { eventType: "invoice.paid", channels: ["eu", "x"], payload: { i } }));
  }
  const other = [
    await svix.message.create(app.id, { eventType: "invoice.failed", channels: ["eu"], payload: { skip: 1 } }),
    await svix.message.create(app.id, { eventType: "invoice.paid", channels: ["us"], payload: { skip: 2 } }),
    await svix.message.create(app.id, { eventType: "invoice.paid", payload: { skip: 3 } }),
  ];
  await waitFor(() => matching.every((m) => deliveriesOf(m.id).length === 1), { what: "matching deliveries" });
  for (const m of other) assert.equal(deliveriesOf(m.id).length, 0);
  const wh = new Webhook(firstKey);
  for (const m of matching) {
    const delivery = deliveriesOf(m.id)[0];
    const payload = wh.verify(delivery.body, standardHeaders(delivery.headers));
    assert.ok(typeof payload.i === "number");
  }

  // Attempts, then a manual resend.
  const attempts = await svix.messageAttempt.listByMsg(app.id, matching[0].id, { withContent: true });
  assert.equal(attempts.data.length, 1);
  assert.equal(attempts.data[0].responseStatusCode, 204);
  assert.equal(attempts.data[0].status, 0);
  await svix.messageAttempt.resend(app.id, matching[0].id, endpoint.id);
  await waitFor(() => deliveriesOf(matching[0].id).length === 2, { what: "the resend" });
  await waitFor(async () => (await svix.messageAttempt.listByMsg(app.id, matching[0].id)).data.length === 2);
  const afterResend = await svix.messageAttempt.listByMsg(app.id, matching[0].id);
  assert.deepEqual(afterResend.data.map((a) => a.triggerType).sort(), [0, 1]);
  const destinations = await svix.messageAttempt.listAttemptedDestinations(app.id, matching[0].id);
  assert.equal(destinations.data[0].id, endpoint.id);
  const attempted = await svix.messageAttempt.listAttemptedMessages(app.id, endpoint.id);
  assert.equal(attempted.data.length, 3);
  const stats = await svix.endpoint.getStats(app.id, endpoint.id);
  assert.equal(stats.success, 3);

  // Rotation: during the grace period each delivery carries a signature for each key.
  await svix.endpoint.rotateSecret(app.id, endpoint.id, {});
  const { key: secondKey } = await svix.endpoint.getSecret(app.id, endpoint.id);
  assert.notEqual(secondKey, firstKey);
  // Custom headers travel with each delivery.
  await svix.endpoint.setHeaders(app.id, endpoint.id, { headers: { "X-Team": "billing" } });
  const headers = await svix.endpoint.getHeaders(app.id, endpoint.id);
  assert.deepEqual(headers.headers, { "X-Team": "billing" });

  const rotated = await svix.message.create(app.id, { eventType: "invoice.paid", channels: ["eu"], payload: { rotated: true } });
  await waitFor(() => deliveriesOf(rotated.id).length === 1, { what: "the delivery after rotation" });
  const delivery = deliveriesOf(rotated.id)[0];
  assert.equal(delivery.headers["x-team"], "billing");
  assert.equal(delivery.headers["svix-signature"].split(" ").length, 2);
  for (const key of [firstKey, secondKey]) {
    assert.deepEqual(new Webhook(key).verify(delivery.body, standardHeaders(delivery.headers)), { rotated: true });
  }
});

test("lists page through every item with the SDK's iterators", async () => {
  const app = await svix.application.create({ name: "Pages" });
  const ids = [];
  for (let i = 0; i < 7; i++) ids.push((await svix.message.create(app.id, { eventType: "page.test", payload: { i } })).id);
  const seen = [];
  let iterator;
  for (;;) {
    const page = await svix.message.list(app.id, { limit: 3, iterator });
    seen.push(...page.data.map((m) => m.id));
    if (page.done) break;
    iterator = page.iterator;
  }
  assert.deepEqual(seen, [...ids].reverse(), "newest first, each exactly once");
});

test("errors reach the SDK as ApiExceptions with Svix's bodies", async () => {
  await assert.rejects(svix.application.get("does-not-exist"), (error) => {
    assert.ok(error instanceof ApiException);
    assert.equal(error.code, 404);
    assert.equal(error.body.code, "not_found");
    return true;
  });
  await assert.rejects(svix.application.create({ name: "" }), (error) => {
    assert.equal(error.code, 422);
    assert.ok(Array.isArray(error.body.detail));
    return true;
  });
  const forged = new Svix(hookd.token.slice(0, -2) + "xx", { serverUrl: hookd.url });
  await assert.rejects(forged.application.list(), (error) => error.code === 401);
});

test("an application token from app-portal-access reaches only its application", async () => {
  const mine = await svix.application.create({ name: "Mine" });
  const theirs = await svix.application.create({ name: "Theirs" });
  const { token } = await svix.authentication.appPortalAccess(mine.id, {});
  const scoped = new Svix(token, { serverUrl: hookd.url });
  assert.equal((await scoped.application.get(mine.id)).id, mine.id);
  await assert.rejects(scoped.application.get(theirs.id), (error) => error.code === 403);
});
