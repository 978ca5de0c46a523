// A process signal must never end hookd: a peer that closes its end makes a write fail, and the writer
// handles it. A hook whose command exits without reading its stdin, sent a body larger than a pipe
// holds, used to kill the server with SIGPIPE.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { assertAnswers, startHookd } from "./abuse.mjs";

test("a hook command that ignores its stdin does not kill the server", { timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hookd-abuse-"));
  const hooksFile = path.join(dir, "hooks.json");
  writeFileSync(hooksFile, JSON.stringify([{ id: "drop", "execute-command": "/bin/true", "hookd-payload-on-stdin": true }]));
  const hookd = await startHookd({ env: { HOOKD_HOOKS_FILES: hooksFile } });
  try {
    const body = "x".repeat(300 * 1024);
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${hookd.url}/hooks/drop`, { method: "POST", body });
      assert.equal(response.status, 200);
      await response.text();
    }
    assert.equal(hookd.child.exitCode, null, "hookd is still running");
    await assertAnswers(hookd.url);
  } finally {
    await hookd.stop();
    hookd.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
