// Provider schemes: hookd verify accepts what each provider's own npm library (or, where the provider
// ships none small enough, node:crypto following the provider's docs) produces, and rejects one changed
// byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, createHash, randomBytes } from "node:crypto";
import { sign as githubSign } from "@octokit/webhooks-methods";
import Stripe from "stripe";
import twilio from "twilio";
import { hookd, headerArgs, samplePayloads } from "./hookd.mjs";

const stripe = new Stripe("sk_test_unused");

function verify(scheme, secret, headers, body, extra = []) {
  return hookd(["verify", "--scheme", scheme, "--secret", secret, ...headerArgs(headers), ...extra], body);
}

function assertValid(result) {
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal(result.stdout, "valid\n");
}

function assertInvalid(result, reason) {
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, new RegExp(`^invalid: ${reason}: `));
}

function flipMiddleByte(text) {
  const bytes = Buffer.from(text);
  bytes[Math.floor(bytes.length / 2)] ^= 0x01;
  return bytes;
}

test("GitHub signatures from @octokit/webhooks-methods", async () => {
  for (const body of samplePayloads()) {
    const secret = randomBytes(20).toString("hex");
    const signature = await githubSign(secret, body);
    assertValid(verify("github", secret, { "X-Hub-Signature-256": signature }, body));
    assertInvalid(verify("github", secret, { "X-Hub-Signature-256": signature }, flipMiddleByte(body)), "no_matching_signature");
    assertInvalid(verify("github", secret + "x", { "X-Hub-Signature-256": signature }, body), "no_matching_signature");
  }
});

test("Stripe headers from stripe.webhooks.generateTestHeaderString", () => {
  for (const body of samplePayloads()) {
    const secret = "whsec_" + randomBytes(24).toString("hex");
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret });
    assertValid(verify("stripe", secret, { "Stripe-Signature": header }, body));
    assertInvalid(verify("stripe", secret, { "Stripe-Signature": header }, flipMiddleByte(body)), "no_matching_signature");
    const old = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: Math.floor(Date.now() / 1000) - 600 });
    assertInvalid(verify("stripe", secret, { "Stripe-Signature": old }, body), "timestamp_too_old");
    assertValid(verify("stripe", secret, { "Stripe-Signature": old }, body, ["--tolerance", "900"]));
  }
});

test("Twilio signatures from the twilio library, form and JSON bodies, with and without port", () => {
  const token = randomBytes(16).toString("hex");
  const params = { CallSid: "CA" + randomBytes(8).toString("hex"), From: "+14158675309", Body: "héllo & ünïcode" };
  const form = new URLSearchParams(params).toString();
  for (const url of ["https://example.com/sms?x=1", "https://example.com:443/sms?x=1"]) {
    const signature = twilio.getExpectedTwilioSignature(token, url, params);
    for (const requested of ["https://example.com/sms?x=1", "https://example.com:443/sms?x=1"]) {
      assertValid(verify("twilio", token, { "X-Twilio-Signature": signature }, form, ["--url", requested]));
    }
    assertInvalid(verify("twilio", token, { "X-Twilio-Signature": signature }, form + "&extra=1", ["--url", url]), "no_matching_signature");
  }

  const json = JSON.stringify({ property: "value", ok: true });
  const url = `https://example.com/hook?bodySHA256=${createHash("sha256").update(json).digest("hex")}`;
  const signature = twilio.getExpectedTwilioSignature(token, url, {});
  assert.ok(twilio.validateRequestWithBody(token, signature, url, json));
  assertValid(verify("twilio", token, { "X-Twilio-Signature": signature }, json, ["--url", url]));
  assertInvalid(verify("twilio", token, { "X-Twilio-Signature": signature }, flipMiddleByte(json), ["--url", url]), "body_mismatch");

  const usage = verify("twilio", token, { "X-Twilio-Signature": signature }, json);
  assert.equal(usage.code, 2, "Twilio without --url is a usage error");
});

test("Shopify, Slack, GitLab and generic HMAC as their docs define them", () => {
  const body = JSON.stringify({ id: 1, note: "ünïcode" });
  const secret = randomBytes(16).toString("hex");

  const shopify = createHmac("sha256", secret).update(body).digest("base64");
  assertValid(verify("shopify", secret, { "X-Shopify-Hmac-Sha256": shopify }, body));
  assertInvalid(verify("shopify", secret, { "X-Shopify-Hmac-Sha256": shopify }, flipMiddleByte(body)), "no_matching_signature");

  const ts = String(Math.floor(Date.now() / 1000));
  const slack = "v0=" + createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex");
  const slackHeaders = { "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": slack };
  assertValid(verify("slack", secret, slackHeaders, body));
  assertInvalid(verify("slack", secret, slackHeaders, flipMiddleByte(body)), "no_matching_signature");
  assertInvalid(verify("slack", secret, { ...slackHeaders, "X-Slack-Request-Timestamp": String(Number(ts) - 400) }, body), "timestamp_too_old");

  assertValid(verify("gitlab", secret, { "X-Gitlab-Token": secret }, body));
  assertInvalid(verify("gitlab", secret, { "X-Gitlab-Token": secret.slice(1) }, body), "no_matching_signature");

  for (const [algorithm, encoding] of [["sha1", "hex"], ["sha256", "base64"], ["sha512", "hex"]]) {
    const value = "sig=" + createHmac(algorithm, secret).update(body).digest(encoding);
    const extra = ["--hmac-header", "X-My-Signature", "--hmac-algorithm", algorithm, "--hmac-encoding", encoding, "--hmac-prefix", "sig="];
    assertValid(verify("hmac", secret, { "X-My-Signature": value }, body, extra));
    assertInvalid(verify("hmac", secret, { "X-My-Signature": value }, flipMiddleByte(body), extra), "no_matching_signature");
  }
});

test("bad input gets a clear error and exit 1, never a crash", () => {
  const body = "{}";
  const now = String(Math.floor(Date.now() / 1000));
  const standard = { "webhook-id": "msg_1", "webhook-timestamp": now };
  const secret = "whsec_" + randomBytes(24).toString("base64");
  const cases = [
    ["standard", secret, { ...standard, "webhook-signature": "garbage" }, "malformed_header"],
    ["standard", secret, { ...standard, "webhook-signature": "v1,!!!not-base64!!!" }, "no_matching_signature"],
    ["standard", secret, { ...standard, "webhook-signature": "v1," + "A".repeat(20000) }, "malformed_header"],
    ["standard", secret, { "webhook-id": "msg_1", "webhook-signature": "v1,abc" }, "missing_header"],
    ["github", "k", { "X-Hub-Signature-256": "sha256=zz" }, "malformed_header"],
    ["github", "k", { "X-Hub-Signature-256": "sha256=" + "a".repeat(10000) }, "malformed_header"],
    ["stripe", "whsec_x", { "Stripe-Signature": ",,,=" }, "malformed_header"],
    ["shopify", "k", { "X-Shopify-Hmac-Sha256": "%%%" }, "malformed_header"],
    ["slack", "k", { "X-Slack-Request-Timestamp": "12abc", "X-Slack-Signature": "v0=00" }, "malformed_timestamp"],
  ];
  for (const [scheme, key, headers, reason] of cases) {
    assertInvalid(verify(scheme, key, headers, body), reason);
  }
  for (const key of ["whsec_", "whsec_c2hvcnQ=", "whsec_***", "whpk_AAAA", ""]) {
    const result = verify("standard", key, { ...standard, "webhook-signature": "v1,abc" }, body);
    assert.equal(result.code, 1, `${key}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /--secret: /);
  }
  const noColon = hookd(["verify", "--scheme", "github", "--secret", "k", "-H", "no colon here"], body);
  assert.equal(noColon.code, 2);
  assert.match(noColon.stderr, /-H wants 'Name: value'/);
});
