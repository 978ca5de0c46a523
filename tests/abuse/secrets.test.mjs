// Secrets and tokens never reach the log, at any level: a whole flow (applications, endpoints with a
// secret and its rotation, deliveries, inbound sources, hooks, app-portal tokens, and requests with bad
// tokens and bad signatures) runs with log_level trace, and the log is searched for each of them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Webhook } from "../interop/node_modules/standardwebhooks/dist/index.js";
import { api, startHookd, startReceiver, waitFor } from "./abuse.mjs";

const endpointSecret = "whsec_c2VjcmV0LWVuZHBvaW50LWtleS0wMTIzNDU2Nzg5";
const sourceSecret = "whsec_c291cmNlLXNlY3JldC1rZXktOTg3NjU0MzIxMA==";
const hookSecret = "hook-secret-5f1c9a7e2b";

test("no secret or token reaches the log at trace level", { timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hookd-secrets-"));
  const hooksFile = path.join(dir, "hooks.json");
  writeFileSync(hooksFile, JSON.stringify([{
    id: "signed",
    "execute-command": "/bin/true",
    "trigger-rule": { match: { type: "payload-hmac-sha256", secret: hookSecret, parameter: { source: "header", name: "X-Signature" } } },
  }]));
  const receiver = await startReceiver();
  const hookd = await startHookd({ env: { HOOKD_LOG_LEVEL: "trace", HOOKD_HOOKS_FILES: hooksFile } });
  const seen = [endpointSecret, sourceSecret, hookSecret, hookd.token];
  try {
    seen.push(readFileSync(path.join(hookd.dataDir, "jwt-secret"), "utf8").trim());
    assert.equal((await api(hookd, "POST", "/api/v1/app", { name: "Secret", uid: "secret" })).status, 201);
    const endpoint = await api(hookd, "POST", "/api/v1/app/secret/endpoint", { url: receiver.url, secret: endpointSecret });
    assert.equal(endpoint.status, 201);
    const ep = endpoint.json.id;
    assert.equal((await api(hookd, "POST", `/api/v1/app/secret/endpoint/${ep}/secret/rotate`, {})).status, 204);
    seen.push((await api(hookd, "GET", `/api/v1/app/secret/endpoint/${ep}/secret`)).json.key);
    const portal = await api(hookd, "POST", "/api/v1/auth/app-portal-access/secret", {});
    seen.push(portal.json.token);

    assert.equal((await api(hookd, "POST", "/api/v1/app/secret/msg", { eventType: "a.b", payload: { n: 1 } })).status, 202);
    await waitFor(() => receiver.requests.length === 1, { what: "the delivery" });

    // An inbound source: one genuine request, one with a forged signature.
    const source = await api(hookd, "POST", "/api/v1/source", { name: "partner", scheme: "standard", secrets: [sourceSecret], app: "secret" });
    assert.equal(source.status, 201, JSON.stringify(source.json));
    const body = JSON.stringify({ type: "in.event" });
    const now = new Date();
    const signed = new Webhook(sourceSecret).sign("msg_in_1", now, body);
    const headersOf = (signature) => ({
      "webhook-id": "msg_in_1",
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": signature,
      "content-type": "application/json",
    });
    const genuine = await fetch(`${hookd.url}/in/partner`, { method: "POST", headers: headersOf(signed), body });
    assert.equal(genuine.status, 200);
    const forged = await fetch(`${hookd.url}/in/partner`, { method: "POST", headers: headersOf("v1,Zm9yZ2Vk"), body });
    assert.equal(forged.status, 401);

    // A hook, called with a good signature and a bad one.
    const signature = createHmac("sha256", hookSecret).update(body).digest("hex");
    assert.equal((await fetch(`${hookd.url}/hooks/signed`, { method: "POST", headers: { "X-Signature": `sha256=${signature}` }, body })).status, 200);
    await fetch(`${hookd.url}/hooks/signed`, { method: "POST", headers: { "X-Signature": "sha256=00" }, body });

    // Tokens that are not valid: a forged one, and the JWT secret itself.
    const forgedToken = hookd.token.slice(0, -8) + "AAAAAAAA";
    seen.push(forgedToken);
    for (const token of [forgedToken, seen[4]]) {
      const response = await fetch(`${hookd.url}/api/v1/app`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 401);
    }
  } finally {
    await hookd.stop();
    hookd.cleanup();
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const log = hookd.stderr();
  if (process.env.HOOKD_SHOW_LOG) console.log(log);
  // It did log: the refused inbound request and the hooks, at least.
  assert.match(log, /refused/);
  assert.match(log, /hooks: /);
  for (const secret of seen) {
    assert.ok(secret && secret.length > 8);
    const forms = [secret, secret.replace(/^whsec_/, "")];
    for (const form of forms) assert.ok(!log.includes(form), `the log holds a secret or token: ${form.slice(0, 12)}…`);
  }
});
