// Inbound sources against real senders' libraries: requests signed by @octokit/webhooks-methods, the
// stripe package and standardwebhooks reach `hookd serve` over HTTP, are accepted and forwarded to an
// endpoint, and are refused (401, nothing forwarded) once one byte of the body changes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { sign as githubSign } from "@octokit/webhooks-methods";
import Stripe from "stripe";
import { Webhook } from "standardwebhooks";
import { api, startHookd, startReceiver, waitFor } from "./server.mjs";

const stripe = new Stripe("sk_test_unused");

async function post(server, path, body, headers) {
  const response = await fetch(server.url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: response.status, json: await response.json() };
}

function flipMiddleByte(text) {
  const bytes = Buffer.from(text);
  bytes[Math.floor(bytes.length / 2)] ^= 0x01;
  return bytes;
}

test("sources accept what providers' libraries sign and refuse a changed byte", { timeout: 60000 }, async () => {
  const receiver = await startReceiver(() => 200);
  const server = await startHookd();
  try {
    assert.equal((await api(server, "POST", "/api/v1/app", { name: "Inbound", uid: "inbound" })).status, 201);
    assert.equal((await api(server, "POST", "/api/v1/app/inbound/endpoint", { url: receiver.url })).status, 201);
    const standardKey = "whsec_" + Buffer.from("a standard webhooks key of 32 b!").toString("base64");
    const sources = [
      { name: "gh", scheme: "github", secrets: ["octo-secret"], app: "inbound" },
      { name: "st", scheme: "stripe", secrets: ["whsec_stripe_interop"], app: "inbound" },
      { name: "sw", scheme: "standard", secrets: [standardKey], app: "inbound" },
    ];
    for (const source of sources) {
      const made = await api(server, "POST", "/api/v1/source", source);
      assert.equal(made.status, 201, JSON.stringify(made.json));
    }

    const githubBody = JSON.stringify({ action: "opened", issue: { number: 1, title: "caf\u00e9" } });
    const stripeBody = JSON.stringify({ id: "evt_interop", object: "event", type: "invoice.paid" });
    const standardBody = JSON.stringify({ type: "user.created", data: { id: 7 } });
    const swId = "msg_" + randomUUID();
    const swTime = new Date();
    const cases = [
      {
        path: "/in/gh",
        body: githubBody,
        headers: async (body) => ({
          "x-github-event": "issues",
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": await githubSign("octo-secret", body),
        }),
        type: "issues",
      },
      {
        path: "/in/st",
        body: stripeBody,
        headers: async (body) => ({
          "stripe-signature": stripe.webhooks.generateTestHeaderString({ payload: body, secret: "whsec_stripe_interop" }),
        }),
        type: "invoice.paid",
      },
      {
        path: "/in/sw",
        body: standardBody,
        headers: async (body) => ({
          "webhook-id": swId,
          "webhook-timestamp": String(Math.floor(swTime.getTime() / 1000)),
          "webhook-signature": new Webhook(standardKey).sign(swId, swTime, body),
        }),
        type: "user.created",
      },
    ];
    for (const c of cases) {
      const headers = await c.headers(c.body);
      const accepted = await post(server, c.path, c.body, headers);
      assert.equal(accepted.status, 200, `${c.path}: ${JSON.stringify(accepted.json)}`);
      const message = await api(server, "GET", `/api/v1/app/inbound/msg/${accepted.json.msgId}`);
      assert.equal(message.json.eventType, c.type);
      const changed = await post(server, c.path, flipMiddleByte(c.body), headers);
      assert.equal(changed.status, 401, c.path);
      assert.equal(changed.json.code, "invalid_signature");
    }
    await waitFor(() => receiver.requests.length === cases.length, { what: "forwarded requests" });
    assert.deepEqual(receiver.requests.map((r) => r.body).sort(), cases.map((c) => c.body).sort());
  } finally {
    await server.stop();
    server.cleanup();
    receiver.close();
  }
});
