// `hookd --version` names the version and the commit the binary was built from.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hookdBin } from "./hookd.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "../..");

test("hookd --version names the version and the commit", () => {
  const result = spawnSync(hookdBin, ["--version"], { encoding: "utf8" });
  assert.equal(result.status, 0);
  const match = result.stdout.match(/^hookd (\d+\.\d+\.\d+) \(commit ([0-9a-f]{12}(?:-dirty)?|unknown)\)\n$/);
  assert.ok(match, result.stdout);
  const head = spawnSync("git", ["-C", root, "rev-parse", "--short=12", "HEAD"], { encoding: "utf8" });
  if (head.status === 0 && !process.env.HOOKD_BIN) {
    assert.equal(match[2].replace("-dirty", ""), head.stdout.trim(), "built from another commit than the checkout's");
  }
});
