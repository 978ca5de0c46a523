// `hookd hooks` and Debian's `webhook` side by side: the same hooks files (the webhook tool's own
// example included, unchanged), the same requests; the status, the headers and the body (which, for
// hooks that include their command's output, shows what the command received) must be the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hookdBin } from "./hookd.mjs";
import { exchange, freePort, startBoth, waitForPort } from "./side_by_side.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = [path.join(here, "hooks/compat.json"), path.join(here, "hooks/compat.yaml")];
const example = "/usr/share/doc/webhook/hooks.json.example";

const push = JSON.stringify({
  ref: "refs/heads/main",
  head_commit: { id: "1a2b3c" },
  commits: [{ message: "first" }, { message: "second <b>&" }],
  pusher: { name: "octocat" },
  amount: 1.50,
  flags: { b: true, a: null },
  decoded: Buffer.from("decoded file content").toString("base64"),
});
const hmac = (algorithm, body) => createHmac(algorithm, "mysecret").update(body).digest("hex");

const requests = [
  ["/hooks/echo?q=one&q=two", { headers: { "content-type": "application/json", "x-thing": "th" }, body: push }],
  ["/hooks/echo", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "amount=5&head_commit.id=form" }],
  ["/hooks/echo", { headers: { "content-type": "application/json" }, body: "{not json" }],
  ["/hooks/environment", { headers: { "content-type": "application/json" }, body: push }],
  ["/hooks/background", { headers: { "content-type": "application/json" }, body: push }],
  ["/hooks/failing", {}],
  ["/hooks/failing-with-output", {}],
  ["/hooks/missing-command", {}],
  ["/hooks/put-only", {}],
  ["/hooks/put-only", { method: "PUT" }],
  ["/hooks/github", { headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=" + hmac("sha256", push) }, body: push }],
  ["/hooks/github", { headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=" + hmac("sha256", push + " ") }, body: push }],
  ["/hooks/github", { headers: { "content-type": "application/json" }, body: push }],
  ["/hooks/github", { headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=" + hmac("sha256", push.replace("main", "dev")) }, body: push.replace("main", "dev") }],
  ["/hooks/either?token=letmein", { headers: { "x-hub-signature": "sha1=00" }, body: "x" }],
  ["/hooks/either?token=no", { headers: { "x-hub-signature": "sha1=" + hmac("sha1", "x") }, body: "x" }],
  ["/hooks/either?token=no", { headers: { "x-hub-signature": "sha1=00" }, body: "x" }],
  ["/hooks/local-only", {}],
  ["/hooks/sha512", { headers: { "x-signature": "sha512=" + hmac("sha512", "body") }, body: "body" }],
  ["/hooks/sha512", { headers: { "x-signature": hmac("sha512", "other") }, body: "body" }],
  ["/hooks/yaml-echo?lang=en", { headers: { "content-type": "application/json" }, body: JSON.stringify([{ name: "first" }]) }],
  ["/hooks/odd-code", {}],
  // XML bodies, as webhook reads them (mxj): attributes, lists, #text, namespaces, entities, CDATA,
  // mixed content, what follows the root, and bodies that are not XML.
  ...[
    '<app id="7"><name>hookd</name></app>',
    '<?xml version="1.0"?>\n<!-- c --><app>\n  <name> spaced </name>\n  <list><v>1</v><v>2</v></list>\n  <t a="1">txt</t><e/>\n</app>',
    '<ns:app xmlns:ns="urn:x" ns:id="9"><ns:name>other</ns:name><m>a<i>x</i>b</m><k><i>x</i>b</k></ns:app>',
    '<!DOCTYPE app><app><name>&lt;&amp;&#65;&#x42;</name><c><![CDATA[<raw>&amp;]]></c><b/><b c="1"/></app><after/>',
    '<app><name>x</name></wrong>',
    "not xml at all",
    '<app a="1" a="2">&bogus;</app>',
  ].map((body) => ["/hooks/xml", { headers: { "content-type": "application/xml" }, body }]),
  // Rules read XML payloads too: the first matches on an element, the second on an attribute.
  ...['<app id="7"><name>hookd</name></app>', '<app id="7"><name>other</name></app>', '<app id="8"/>'].map(
    (body) => ["/hooks/xml-rule", { headers: { "content-type": "application/xml" }, body }],
  ),
  ["/hooks/echo", { headers: { "content-type": "text/xml; charset=utf-8" }, body: '<r><x>1</x><x>2</x></r>' }],
  ["/hooks/unknown", {}],
  ["/hooks/", {}],
  ["/", { method: "GET" }],
  ["/elsewhere", {}],
];

// multipart/form-data bodies: fields, a JSON file part, a named part read as JSON, a file ignored.
function multipart() {
  const form = new FormData();
  form.append("name", "octo cat");
  form.append("name", "second value");
  form.append("meta", new Blob(['{"version": 2, "tags": ["a"]}'], { type: "text/plain" }), "meta.txt");
  form.append("config", new Blob(['{"debug": true}'], { type: "application/json" }), "config.json");
  form.append("ignored", new Blob(["plain file"], { type: "text/plain" }), "notes.txt");
  return form;
}

test("hookd hooks answers what webhook answers, on the same hooks files", { timeout: 60000 }, async () => {
  assert.equal(spawnSync("/usr/bin/webhook", ["-version"]).status, 0, "Debian's webhook package is not installed");
  const [webhook, hookd] = await startBoth(fixtures, ["-header", "X-Served-By=hooks"]);
  try {
    const withForm = [...requests, ["/hooks/form", { body: multipart() }], ["/hooks/form", {
      headers: { "content-type": "multipart/form-data; boundary=nope" },
      body: "not a multipart body",
    }]];
    for (const [target, options] of withForm) {
      const expected = await exchange(webhook.url + target, options);
      const actual = await exchange(hookd.url + target, options);
      assert.deepEqual(actual, expected, `${options.method ?? "POST"} ${target}`);
    }
  } finally {
    webhook.child.kill();
    hookd.child.kill();
  }
});

test("the webhook tool's own example hooks file runs unchanged", { timeout: 30000 }, async () => {
  const [webhook, hookd] = await startBoth([example]);
  try {
    const body = JSON.stringify({ ref: "refs/heads/master", head_commit: { id: "c0ffee" }, pusher: { name: "a", email: "a@b" } });
    const cases = [
      { headers: { "content-type": "application/json", "x-hub-signature": "sha1=" + hmac("sha1", body) }, body },
      { headers: { "content-type": "application/json", "x-hub-signature": "sha1=" + hmac("sha1", "tampered") }, body },
      { headers: { "content-type": "application/json", "x-hub-signature": "sha1=" + hmac("sha1", body.replace("master", "dev")) }, body: body.replace("master", "dev") },
    ];
    for (const options of cases) {
      const expected = await exchange(webhook.url + "/hooks/webhook", options);
      const actual = await exchange(hookd.url + "/hooks/webhook", options);
      assert.deepEqual(actual, expected);
    }
  } finally {
    webhook.child.kill();
    hookd.child.kill();
  }
});

test("-template expands getenv in hooks files as webhook does", { timeout: 30000 }, async () => {
  const env = { HOOKS_TEST_SECRET: "from-env", HOOKS_TEST_MESSAGE: 'say "hi" & <bye>', HOOKS_TEST_MODE: "lo<o>se" };
  const [webhook, hookd] = await startBoth([path.join(here, "hooks/template.json")], ["-template"], env);
  try {
    const body = '{"x":1}';
    const signed = createHmac("sha256", "from-env").update(body).digest("hex");
    for (const signature of [signed, "00"]) {
      const options = { headers: { "x-sig": "sha256=" + signature }, body };
      const expected = await exchange(webhook.url + "/hooks/templated", options);
      const actual = await exchange(hookd.url + "/hooks/templated", options);
      assert.deepEqual(actual, expected);
    }
    const accepted = await exchange(hookd.url + "/hooks/templated", { headers: { "x-sig": "sha256=" + signed }, body });
    assert.equal(accepted.body, 'say "hi" & <bye>');
    // Go's template actions: if/else if/else, with, variables, comparisons, and/or/not, len, print, printf.
    const logic = await exchange(webhook.url + "/hooks/templated-logic", {});
    assert.deepEqual(await exchange(hookd.url + "/hooks/templated-logic", {}), logic);
    assert.match(logic.body, /^lo<o>se\/42\/"lo<o>se"\/true len=8 both 1 2x3 true changed end\n$/);
  } finally {
    webhook.child.kill();
    hookd.child.kill();
  }
});

// One HTTPS request trusting only `ca`; what a client sees, as exchange() reports it.
function secureExchange(url, ca, { headers = {}, body = "" } = {}) {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { method: "POST", headers, ca }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => {
        const kept = Object.entries(response.headers)
          .filter(([name]) => !["date", "server", "connection", "keep-alive"].includes(name))
          .sort();
        resolve({ status: response.statusCode, headers: kept, body: Buffer.concat(chunks).toString() });
      });
    });
    request.on("error", reject);
    request.end(body);
  });
}

// A self-signed certificate for 127.0.0.1 and its key, in a new directory: { directory, cert, key }.
function makeCertificate(prefix) {
  const directory = mkdtempSync(path.join(tmpdir(), prefix));
  const cert = path.join(directory, "cert.pem");
  const key = path.join(directory, "key.pem");
  const made = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-days", "1", "-subj", "/CN=hooks-test", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", key, "-out", cert]);
  assert.equal(made.status, 0, made.stderr?.toString());
  return { directory, cert, key };
}

test("-secure serves the hooks over HTTPS with -cert and -key, as webhook does", { timeout: 30000 }, async () => {
  const { directory, cert, key } = makeCertificate("hookd-hooks-tls-");
  const [webhook, hookd] = await startBoth(fixtures, ["-secure", "-cert", cert, "-key", key]);
  try {
    const ca = readFileSync(cert);
    const options = { headers: { "content-type": "application/json" }, body: push };
    const expected = await secureExchange(webhook.url + "/hooks/echo?q=tls", ca, options);
    const actual = await secureExchange(hookd.url + "/hooks/echo?q=tls", ca, options);
    assert.equal(actual.status, 200);
    assert.deepEqual(actual, expected);
    // A client that does not trust the certificate gets no answer from either.
    await assert.rejects(secureExchange(hookd.url + "/hooks/echo", undefined, options));
    // A key that cannot be read stops hookd at start, with a reason.
    rmSync(key);
    const broken = spawnSync(hookdBin, ["hooks", "-hooks", fixtures[0], "-ip", "127.0.0.1", "-port", "0", "-secure",
      "-cert", cert, "-key", key], { timeout: 10000 });
    assert.notEqual(broken.status, 0);
    assert.match(broken.stderr.toString(), /cannot use private key/);
  } finally {
    webhook.child.kill();
    hookd.child.kill();
    rmSync(directory, { recursive: true, force: true });
  }
});

test("-list-cipher-suites and -cipher-suites take Go's names", { timeout: 30000 }, async () => {
  const listed = spawnSync(hookdBin, ["hooks", "-list-cipher-suites"], { encoding: "utf8" });
  assert.equal(listed.status, 0);
  assert.equal(listed.stdout, spawnSync("/usr/bin/webhook", ["-list-cipher-suites"], { encoding: "utf8" }).stdout);

  const { directory, cert, key } = makeCertificate("hookd-hooks-ciphers-");
  const secure = ["-secure", "-cert", cert, "-key", key];
  const unknown = spawnSync(hookdBin, ["hooks", "-hooks", fixtures[0], "-port", "0", ...secure, "-cipher-suites", "NOPE"],
    { encoding: "utf8", timeout: 10000 });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown cipher suite: NOPE/);

  const port = await freePort();
  const child = spawn(hookdBin, ["hooks", "-hooks", fixtures[0], "-ip", "127.0.0.1", "-port", String(port), ...secure,
    "-cipher-suites", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256"], { stdio: "ignore" });
  try {
    await waitForPort(port);
    const ca = readFileSync(cert);
    const url = `https://127.0.0.1:${port}/hooks/echo`;
    const tls12 = (ciphers) => new Promise((resolve, reject) => {
      const request = httpsRequest(url, { method: "POST", ca, ciphers, maxVersion: "TLSv1.2" }, (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode));
      });
      request.on("error", reject);
      request.end("{}");
    });
    assert.equal(await tls12("ECDHE-ECDSA-AES256-GCM-SHA384"), 200);
    await assert.rejects(tls12("ECDHE-ECDSA-AES128-GCM-SHA256"));  // not in the list
  } finally {
    child.kill();
    rmSync(directory, { recursive: true, force: true });
  }
});

test("-setuid and -setgid run the hooks as that user once the port is bound", {
  skip: process.getuid() !== 0 && "needs root, to change user",
  timeout: 30000,
}, async () => {
  const directory = mkdtempSync(path.join(tmpdir(), "hookd-hooks-setuid-"));
  const file = path.join(directory, "hooks.json");
  writeFileSync(file, JSON.stringify([{ id: "who", "execute-command": "/usr/bin/id",
    "include-command-output-in-response": true, "pass-arguments-to-command": [{ source: "string", name: "-u" }] }]));
  const alone = spawnSync(hookdBin, ["hooks", "-hooks", file, "-setuid", "65534"], { encoding: "utf8", timeout: 10000 });
  assert.equal(alone.status, 2);
  assert.match(alone.stderr, /setuid and setgid options must be used together/);
  const port = await freePort();
  const child = spawn(hookdBin, ["hooks", "-hooks", file, "-ip", "127.0.0.1", "-port", String(port),
    "-setuid", "65534", "-setgid", "65534"], { stdio: "ignore" });
  try {
    await waitForPort(port);
    const answer = await fetch(`http://127.0.0.1:${port}/hooks/who`);
    assert.equal(answer.status, 200);
    assert.equal((await answer.text()).trim(), "65534");
  } finally {
    child.kill();
    rmSync(directory, { recursive: true, force: true });
  }
});
