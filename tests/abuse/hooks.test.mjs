// Command hooks under hostile requests: a regex rule over a 1 MB value (std::regex crashed), more
// concurrent requests than hookd runs commands for, commands that must not see hookd's secrets, a file
// to pass with no temporary directory to write it in (that ended the process), and a JSON body of tiny
// values (each cost ~60 bytes parsed: 8 MiB took 480 MB).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { assertAnswers, peakRssMiB, startHookd } from "./abuse.mjs";

function hooksFile(dir, hooks) {
  const file = path.join(dir, "hooks.json");
  writeFileSync(file, JSON.stringify(hooks));
  return file;
}

// Runs `check(hookd)` against hookd serve with `hooks` as its hooks file and `env`, then stops it.
async function withHooks(hooks, env, check) {
  const dir = mkdtempSync(path.join(tmpdir(), "hookd-hooks-"));
  const hookd = await startHookd({ env: { HOOKD_HOOKS_FILES: hooksFile(dir, hooks), ...env(dir) } });
  try {
    await check(hookd);
    assert.equal(hookd.child.exitCode, null);
    await assertAnswers(hookd.url);
  } finally {
    await hookd.stop();
    hookd.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

const postJson = (url, body) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });

test("a regex rule over a 1 MB value answers, and the server lives", { timeout: 60000 }, async () => {
  const hooks = [{
    id: "branch",
    "execute-command": "/bin/true",
    "trigger-rule": { match: { type: "regex", regex: "^(a|b)*c$", parameter: { source: "payload", name: "ref" } } },
  }];
  await withHooks(hooks, () => ({ HOOKD_MAX_BODY_BYTES: String(2 << 20) }), async (hookd) => {
    const body = JSON.stringify({ ref: "a".repeat(1 << 20) });
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const response = await postJson(`${hookd.url}/hooks/branch`, body);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "Hook rules were not satisfied.");
      assert.ok(Date.now() - started < 2000, `the rule took ${Date.now() - started} ms`);
    }
  });
});

test("past hooks.max_commands, requests are answered 503", { timeout: 60000 }, async () => {
  const hooks = [{ id: "slow", "execute-command": "/bin/sleep", "pass-arguments-to-command": [{ source: "string", name: "3" }] }];
  await withHooks(hooks, () => ({ HOOKD_HOOKS_MAX_COMMANDS: "3" }), async (hookd) => {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${hookd.url}/hooks/slow`, { method: "POST" })).status);
    assert.deepEqual(statuses, [200, 200, 200, 503, 503, 503]);
  });
});

test("commands never see hookd's own secrets; other variables pass", { timeout: 60000 }, async () => {
  const hooks = [{ id: "env", "execute-command": "/usr/bin/env", "include-command-output-in-response": true }];
  const secrets = { HOOKD_JWT_SECRET: "jwt-secret-of-the-hooks-test-0123456", PARTNER_SECRET: "partner-secret-7a1b2c3d" };
  const env = (dir) => {
    const config = path.join(dir, "hookd.toml");
    writeFileSync(config, '[[sources]]\nname = "repos"\nscheme = "github"\nsecrets = ["env:PARTNER_SECRET"]\napp = "repos"\n');
    return { ...secrets, HOOKD_CONFIG: config, UNRELATED_SETTING: "visible" };
  };
  await withHooks(hooks, env, async (hookd) => {
    const response = await fetch(`${hookd.url}/hooks/env`, { method: "POST" });
    assert.equal(response.status, 200);
    const environment = await response.text();
    assert.match(environment, /^UNRELATED_SETTING=visible$/m);
    assert.doesNotMatch(environment, /^HOOKD_/m);
    for (const value of Object.values(secrets)) assert.ok(!environment.includes(value), "a secret reached the command");
  });
});

test("a file to pass with no temporary directory fails that command only", { timeout: 60000 }, async () => {
  const hooks = [{
    id: "file",
    "execute-command": "/bin/true",
    "include-command-output-in-response": true,
    "pass-file-to-command": [{ source: "payload", name: "content", envname: "PASSED" }],
  }];
  await withHooks(hooks, (dir) => ({ TMPDIR: path.join(dir, "missing") }), async (hookd) => {
    for (let i = 0; i < 3; i++) {
      // As webhook: the file is left out (and said in the log), the command runs.
      assert.equal((await postJson(`${hookd.url}/hooks/file`, '{"content":"x"}')).status, 200);
    }
  });
});

test("a JSON body of millions of tiny values keeps memory bounded", { timeout: 60000 }, async () => {
  const hooks = [{
    id: "payload",
    "execute-command": "/bin/true",
    "pass-arguments-to-command": [{ source: "payload", name: "root.0" }],
  }];
  await withHooks(hooks, () => ({ HOOKD_MAX_BODY_BYTES: String(9 << 20) }), async (hookd) => {
    const body = "[" + "0,".repeat(4 << 20) + "0]"; // 8 MiB, 4 million values
    for (let i = 0; i < 2; i++) assert.equal((await postJson(`${hookd.url}/hooks/payload`, body)).status, 200);
    const peak = peakRssMiB(hookd.child.pid);
    assert.ok(peak < 200, `peak RSS ${peak} MiB`);
  });
});
