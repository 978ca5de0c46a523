// Under systemd, hookd serve's output is the journal, which keeps what it is given for more people than
// the operator to read: the first start names no token there, and says how to make one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fstatSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { hookdBin } from "./hookd.mjs";

async function firstStartOutput(asJournal) {
  const dir = mkdtempSync(path.join(tmpdir(), "hookd-journal-"));
  const out = path.join(dir, "stdout");
  const fd = openSync(out, "w");
  const { dev, ino } = fstatSync(fd, { bigint: true });
  const env = { ...process.env, HOOKD_LOG_LEVEL: "warn" };
  delete env.JOURNAL_STREAM;
  if (asJournal) env.JOURNAL_STREAM = `${dev}:${ino}`;
  const child = spawn(hookdBin, ["serve", "--listen", "127.0.0.1:0", "--data-dir", path.join(dir, "data")], {
    env, stdio: ["ignore", fd, "ignore"] });
  try {
    const deadline = Date.now() + 10000;
    while (!readFileSync(out, "utf8").includes("listening on") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return readFileSync(out, "utf8");
  } finally {
    child.kill();
    await new Promise((r) => child.on("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the first start prints a token, but not into systemd's journal", { timeout: 30000 }, async () => {
  assert.match(await firstStartOutput(false), /^eyJ\S+$/m);
  const journal = await firstStartOutput(true);
  assert.match(journal, /listening on/);
  assert.doesNotMatch(journal, /eyJ/);
  assert.match(journal, /hookd jwt generate/);
});
