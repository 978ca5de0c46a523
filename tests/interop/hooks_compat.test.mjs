// `hookd hooks` and Debian's `webhook` side by side on hooks files written the way people write them
// for `webhook`: files named .json that only a YAML parser reads, values of unexpected types, rules
// whose inputs are missing or malformed, bodies that are not the JSON object a hook expects, and
// several files of which one does not load. Whatever `webhook` answers, hookd answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { fileURLToPath } from "node:url";
import { hookdBin } from "./hookd.mjs";
import { exchange, freePort, startBoth } from "./side_by_side.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const file = (name) => path.join(here, "hooks", name);
const json = { "content-type": "application/json" };
const form = { "content-type": "application/x-www-form-urlencoded" };

async function compare(servers, cases) {
  const [webhook, hookd] = servers;
  const differences = [];
  try {
    for (const [target, options = {}] of cases) {
      const expected = await exchange(webhook.url + target, options);
      const actual = await exchange(hookd.url + target, options);
      const what = `${options.method ?? "POST"} ${target} ${JSON.stringify(options.body ?? "")}`;
      if (!isDeepStrictEqual(actual, expected)) differences.push({ what, webhook: expected, hookd: actual });
    }
    assert.equal(differences.length, 0, differences.map((d) => JSON.stringify(d)).join("\n"));
  } finally {
    for (const server of servers) server.child.kill();
  }
}

test("hooks files that only a YAML parser reads load as in webhook, values converted as Go converts them", { timeout: 60000 }, async () => {
  const servers = await startBoth([file("quirks.json"), file("broken.json"), file("bodies.json")], [
    "-header", "X-Served-By=hooks", "-header", "X-Other=server"]);
  await compare(servers, [
    ["/hooks/methods", { headers: { "x-a": "1" } }],
    ["/hooks/methods", { method: "PUT" }],
    ["/hooks/methods", { method: "GET" }],
    ["/hooks/"],
    ["/hooks/dup"],
    ...["1e3", "signed-exponent", "dot", "hex", "octal", "float", "big", "tiny", "underscore"].map((n) => [`/hooks/number-${n}`]),
    ["/hooks/bool-on"],
    ["/hooks/null-message"],
    ["/hooks/date-message"],
    ["/hooks/code-float"],
    ["/hooks/broken"],
    ["/hooks/headers"],
    ["/hooks/not-satisfied-headers"],
  ]);
});

test("rules answer 'not satisfied', 500 or run the hook on the same inputs as in webhook", { timeout: 60000 }, async () => {
  const servers = await startBoth([file("rules.yaml")], ["-header", "X-Served-By=hooks"]);
  const ids = ["and-not-missing", "or-not-missing", "not-missing", "not-and-missing", "bad-range", "comma-range",
    "spaced-ranges", "match-before-bad-range", "unknown-source", "unknown-source-in-or", "request-bad-key",
    "empty-rule", "empty-not", "two-kinds"];
  await compare(servers, [
    ...ids.map((id) => [`/hooks/${id}`]),
    ["/hooks/value-number", { headers: { "x-number": "42" } }],
    ["/hooks/value-number", { headers: { "x-number": "42.0" } }],
    ["/hooks/value-float", { headers: { "x-number": "1.1" } }],
    ["/hooks/value-bool", { headers: json, body: '{"flag": true}' }],
    ["/hooks/value-bool", { headers: json, body: '{"flag": "yes"}' }],
    ["/hooks/payload-not-an-object", { headers: json, body: "42" }],
    ["/hooks/payload-not-an-object", { headers: json, body: '{"a": 1} and then other bytes' }],
    ["/hooks/payload-not-an-object", { headers: json, body: '[{"a": 1}]' }],
    ["/hooks/header-is-json", {
      headers: { ...json, "x-data": '{"kind": "push", "n": 1.50}' },
      body: JSON.stringify({ inner: '{"x": 1} tail', list: "[1, 2]", number: "42" }),
    }],
    ["/hooks/header-is-json?q=" + encodeURIComponent('{"a": "b"}'), {
      headers: { ...json, "x-data": '{"kind": "push"}' },
      body: JSON.stringify({ inner: '{"x": {"y": [1]}}', list: "[1, 2]", number: 42 }),
    }],
    ["/hooks/header-is-json", { headers: { ...json, "x-data": '{"kind": "pull"}' }, body: "{}" }],
    ["/hooks/header-is-json", { headers: { ...json, "x-data": "not json" }, body: "{}" }],
    ["/hooks/deprecated-hash", { headers: { "x-signature": "sha256=" + createHmac("sha256", "mysecret").update("body").digest("hex") }, body: "body" }],
    ["/hooks/deprecated-hash", { headers: { "x-signature": "sha256=00" }, body: "body" }],
    ["/hooks/regex-any-rune?v=x%ffy"],
    ["/hooks/regex-any-rune?v=x%c3%a9y"],
    ["/hooks/regex-any-rune?v=x%c3y"],
    ["/hooks/regex-any-rune?v=xzzy"],
  ]);
});

test("payloads, queries, the environment and passed files reach the command as in webhook", { timeout: 60000 }, async () => {
  const servers = await startBoth([file("bodies.json")], ["-header", "X-Served-By=hooks"], {
    HOOK_SHARED: "from the server", NAMED: "from the server" });
  await compare(servers, [
    ...["42", '"text"', '{"a": 1} and then other bytes', "[1] x", '{"a": 1}{"b": 2}', "null", "", "  {\"a\" : 2}  ",
      '{"a": 1, "a": 2}', "[]"].map((body) => ["/hooks/payload", { headers: json, body }]),
    ["/hooks/payload", { headers: json, body: Buffer.from('{"a": "x\xffy", "\xfe": 1}', "latin1") }],
    ["/hooks/payload?a=%ff&%c0%af=b", { headers: json, body: "{}" }],
    ["/hooks/payload", { headers: form, body: "a=1&b=2" }],
    ["/hooks/payload", { headers: form, body: "a=1&b=%zz" }],
    ["/hooks/payload", { headers: form, body: "a=1;b=2&c=3" }],
    ["/hooks/payload?a=1;b=2&c=%zz&d=ok&e=1&e=2&=empty&f", { headers: json, body: "{}" }],
    ["/hooks/environment", { headers: { "x-named": "first", "x-second": "second" } }],
    ["/hooks/environment", { headers: { "x-named": "only the first" } }],
    ["/hooks/file-mode", { headers: json, body: '{"content": "what the file holds"}' }],
    // multipart/form-data as Go's reader takes it.
    ...[
      "--XX\nContent-Disposition: form-data; name=\"a\"\n\nLF only\n--XX--\n",
      "--XX \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nspaces after the boundary\r\n--XX--  \r\n",
      "a preamble\r\n--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nafter a preamble\r\n--XX--\r\n",
      "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nholds\r\n--XXY and more\r\n--XX--\r\n",
      "--XX\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n--XX--",
      "--XX\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--XX\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nnamed\r\n--XX--",
      "--XX\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nplain\r\n--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.json\"\r\nContent-Type: application/json\r\n\r\n{\"k\": 1}\r\n--XX--\r\n",
      "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno final boundary\r\n",
    ].map((body) => ["/hooks/multipart", { headers: { "content-type": "multipart/form-data; boundary=XX" }, body }]),
    ["/hooks/multipart", { headers: { "content-type": "multipart/form-data; BOUNDARY=XX" },
      body: "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nupper-case parameter\r\n--XX--\r\n" }],
    ["/hooks/with%20space"],
    ["/hooks/nul-argument?a=x%00y"],
    ["/hooks/nul-argument?a=xy"],
    ["/hooks/code-103"],
  ]);
});

test("-http-methods loses its spaces and is upper-cased, and so is each of a hook's http-methods, trimmed", { timeout: 60000 }, async () => {
  const servers = await startBoth([file("bodies.json"), file("quirks.json")], ["-http-methods", "POST, put"]);
  await compare(servers, [
    ["/hooks/default-methods"],
    ["/hooks/default-methods", { method: "PUT" }],
    ["/hooks/default-methods", { method: "GET" }],
    ["/hooks/methods", { method: "PUT" }],
  ]);
});

// Runs a binary until it exits or `ms` pass: the exit code, or "running" (and it is stopped).
function exitOf(binary, args, ms = 3000) {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: "ignore" });
    const timer = setTimeout(() => {
      child.kill();
      resolve("running");
    }, ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

test("a hooks file that does not load, and an id defined in two files, end or start the server as in webhook", { timeout: 60000 }, async () => {
  const cases = [
    [file("broken.json")],
    [file("broken.json"), "-nopanic"],
    [file("broken.json"), "-verbose"],
    [file("broken.json"), file("bodies.json")],
    [file("bodies.json"), file("duplicate.json")],
    [file("bodies.json"), file("duplicate.json"), "-nopanic"],
    [file("bodies.json"), file("bodies.json")],
  ];
  for (const items of cases) {
    const args = items.flatMap((item) => (item.startsWith("-") ? [item] : ["-hooks", item]));
    const outcomes = [];
    for (const [binary, prefix] of [["/usr/bin/webhook", []], [hookdBin, ["hooks"]]]) {
      const port = await freePort();
      outcomes.push(await exitOf(binary, [...prefix, ...args, "-ip", "127.0.0.1", "-port", String(port)]));
    }
    assert.deepEqual(outcomes[1], outcomes[0], items.map((item) => path.basename(item)).join(" "));
  }
});
