// Command hooks under hostile requests: a regex rule over a 1 MB value (std::regex crashed), more
// concurrent requests than hookd runs commands for, and commands that must not see hookd's secrets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { assertAnswers, startHookd } from "./abuse.mjs";

function hooksFile(dir, hooks) {
  const file = path.join(dir, "hooks.json");
  writeFileSync(file, JSON.stringify(hooks));
  return file;
}

test("a regex rule over a 1 MB value answers, and the server lives", { timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hookd-hooks-"));
  const file = hooksFile(dir, [{
    id: "branch",
    "execute-command": "/bin/true",
    "trigger-rule": { match: { type: "regex", regex: "^(a|b)*c$", parameter: { source: "payload", name: "ref" } } },
  }]);
  const hookd = await startHookd({ env: { HOOKD_HOOKS_FILES: file, HOOKD_MAX_BODY_BYTES: String(2 << 20) } });
  try {
    const body = JSON.stringify({ ref: "a".repeat(1 << 20) });
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const response = await fetch(`${hookd.url}/hooks/branch`, { method: "POST", headers: { "content-type": "application/json" }, body });
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "Hook rules were not satisfied.");
      assert.ok(Date.now() - started < 2000, `the rule took ${Date.now() - started} ms`);
    }
    assert.equal(hookd.child.exitCode, null);
    await assertAnswers(hookd.url);
  } finally {
    await hookd.stop();
    hookd.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("past hooks.max_commands, requests are answered 503", { timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hookd-hooks-"));
  const file = hooksFile(dir, [{ id: "slow", "execute-command": "/bin/sleep", "pass-arguments-to-command": [{ source: "string", name: "3" }] }]);
  const hookd = await startHookd({ env: { HOOKD_HOOKS_FILES: file, HOOKD_HOOKS_MAX_COMMANDS: "3" } });
  try {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${hookd.url}/hooks/slow`, { method: "POST" })).status);
    assert.deepEqual(statuses, [200, 200, 200, 503, 503, 503]);
    await assertAnswers(hookd.url);
  } finally {
    await hookd.stop();
    hookd.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("commands never see hookd's own secrets; other variables pass", { timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hookd-hooks-"));
  const file = hooksFile(dir, [{ id: "env", "execute-command": "/usr/bin/env", "include-command-output-in-response": true }]);
  const config = path.join(dir, "hookd.toml");
  writeFileSync(config, '[[sources]]\nname = "repos"\nscheme = "github"\nsecrets = ["env:PARTNER_SECRET"]\napp = "repos"\n');
  const secrets = { HOOKD_JWT_SECRET: "jwt-secret-of-the-hooks-test-0123456", PARTNER_SECRET: "partner-secret-7a1b2c3d" };
  const hookd = await startHookd({
    env: { ...secrets, HOOKD_CONFIG: config, HOOKD_HOOKS_FILES: file, UNRELATED_SETTING: "visible" },
  });
  try {
    const response = await fetch(`${hookd.url}/hooks/env`, { method: "POST" });
    assert.equal(response.status, 200);
    const environment = await response.text();
    assert.match(environment, /^UNRELATED_SETTING=visible$/m);
    assert.doesNotMatch(environment, /^HOOKD_/m);
    for (const value of Object.values(secrets)) assert.ok(!environment.includes(value), "a secret reached the command");
  } finally {
    await hookd.stop();
    hookd.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
