// Standard Webhooks interop: hookd signs and the npm `standardwebhooks` and `svix` libraries verify,
// and the reverse, over random keys, ids and payloads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { hookd, parseHeaderLines, headerArgs, randomId, samplePayloads } from "./hookd.mjs";

function generatedSecret() {
  const { code, stdout } = hookd(["secret", "generate"]);
  assert.equal(code, 0);
  return stdout.trim();
}

function randomSecret() {
  // Any length the Svix API accepts: 24 to 75 bytes.
  return "whsec_" + randomBytes(24 + Math.floor(Math.random() * 52)).toString("base64");
}

test("hookd sign output verifies with standardwebhooks and svix", () => {
  for (const payload of samplePayloads()) {
    for (const secret of [generatedSecret(), randomSecret()]) {
      const id = randomId();
      const signed = hookd(["sign", "--secret", secret, "--id", id], payload);
      assert.equal(signed.code, 0, signed.stderr);
      const headers = parseHeaderLines(signed.stdout);
      assert.deepEqual(Object.keys(headers), ["webhook-id", "webhook-timestamp", "webhook-signature"]);
      assert.equal(headers["webhook-id"], id);
      assert.deepEqual(new StandardWebhook(secret).verify(payload, headers), JSON.parse(payload));

      const svixSigned = hookd(["sign", "--svix", "--secret", secret, "--id", id], payload);
      assert.equal(svixSigned.code, 0, svixSigned.stderr);
      const svixHeaders = parseHeaderLines(svixSigned.stdout);
      assert.deepEqual(Object.keys(svixHeaders), ["svix-id", "svix-timestamp", "svix-signature"]);
      new SvixWebhook(secret).verify(payload, svixHeaders); // throws when the signature does not verify
    }
  }
});

test("hookd verify accepts standardwebhooks signatures and rejects any changed byte", () => {
  for (const payload of samplePayloads()) {
    const secret = randomSecret();
    const id = randomId();
    const now = new Date();
    const signature = new StandardWebhook(secret).sign(id, now, payload);
    const headers = {
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": signature,
    };
    const verify = (h, body) => hookd(["verify", "--scheme", "standard", "--secret", secret, ...headerArgs(h)], body);

    const ok = verify(headers, payload);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal(ok.stdout, "valid\n");

    const body = Buffer.from(payload);
    const changedBody = Buffer.from(body);
    changedBody[Math.floor(body.length / 2)] ^= 0x01;
    const cases = [
      [headers, changedBody, "no_matching_signature"],
      [{ ...headers, "webhook-id": id.slice(0, -1) + (id.endsWith("a") ? "b" : "a") }, body, "no_matching_signature"],
      [{ ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) - 1) }, body, "no_matching_signature"],
      [{ ...headers, "webhook-signature": signature.slice(0, 5) + (signature[5] === "A" ? "B" : "A") + signature.slice(6) }, body, "no_matching_signature"],
      [{ ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) - 600) }, body, "timestamp_too_old"],
      [{ ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) + 600) }, body, "timestamp_too_new"],
      [{ ...headers, "webhook-timestamp": "soon" }, body, "malformed_timestamp"],
    ];
    for (const [h, b, reason] of cases) {
      const result = verify(h, b);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, new RegExp(`^invalid: ${reason}: `));
    }
  }
});

test("hookd verify --scheme svix accepts the svix library's signatures", () => {
  const secret = randomSecret();
  const id = randomId();
  const payload = JSON.stringify({ hello: "wörld" });
  const now = new Date();
  const signature = new SvixWebhook(secret).sign(id, now, payload);
  const headers = { "svix-id": id, "svix-timestamp": String(Math.floor(now.getTime() / 1000)), "svix-signature": signature };
  const ok = hookd(["verify", "--scheme", "svix", "--secret", secret, ...headerArgs(headers)], payload);
  assert.equal(ok.code, 0, ok.stdout);
  const bad = hookd(["verify", "--scheme", "svix", "--secret", randomSecret(), ...headerArgs(headers)], payload);
  assert.equal(bad.code, 1);
});

test("a rotation's signatures are each accepted by the library", () => {
  const oldSecret = randomSecret();
  const newSecret = generatedSecret();
  const payload = '{"rotating":true}';
  const signed = hookd(["sign", "--secret", oldSecret, "--secret", newSecret, "--id", "msg_rot"], payload);
  assert.equal(signed.code, 0);
  const headers = parseHeaderLines(signed.stdout);
  assert.equal(headers["webhook-signature"].split(" ").length, 2);
  for (const secret of [oldSecret, newSecret]) new StandardWebhook(secret).verify(payload, headers);
  assert.throws(() => new StandardWebhook(randomSecret()).verify(payload, headers));
});

test("payloads that are not UTF-8 sign and verify byte for byte", () => {
  const secret = generatedSecret();
  const payload = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b, 0x7d, 0xc3]);
  const signed = hookd(["sign", "--secret", secret, "--id", "msg_bin"], payload);
  assert.equal(signed.code, 0);
  const headers = parseHeaderLines(signed.stdout);
  assert.equal(hookd(["verify", "--scheme", "standard", "--secret", secret, ...headerArgs(headers)], payload).code, 0);
  const changed = Buffer.from(payload);
  changed[0] = 0xfd;
  assert.equal(hookd(["verify", "--scheme", "standard", "--secret", secret, ...headerArgs(headers)], changed).code, 1);
});

test("Ed25519 (v1a) keys sign and verify through the CLI", () => {
  const generated = hookd(["secret", "generate", "--type", "ed25519"]);
  const [privateKey, publicKey] = generated.stdout.trim().split("\n");
  assert.match(privateKey, /^whsk_/);
  assert.match(publicKey, /^whpk_/);
  assert.equal(hookd(["secret", "public", privateKey]).stdout.trim(), publicKey);
  const payload = '{"signed":"with ed25519"}';
  const signed = hookd(["sign", "--secret", privateKey, "--id", "msg_ed"], payload);
  const headers = parseHeaderLines(signed.stdout);
  assert.match(headers["webhook-signature"], /^v1a,/);
  assert.equal(hookd(["verify", "--scheme", "standard", "--secret", publicKey, ...headerArgs(headers)], payload).code, 0);
  assert.equal(hookd(["verify", "--scheme", "standard", "--secret", publicKey, ...headerArgs(headers)], payload + " ").code, 1);
});
