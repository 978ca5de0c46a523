// The documentation's examples run as written: every ```sh block of README.md is run with bash (with
// `hookd` meaning the binary under test) and must succeed; every "$ command" line of docs/*.md must
// print exactly the lines that follow it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hookdBin } from "./hookd.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "../..");

function shellBlocks(markdown) {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

function bash(script) {
  const prelude = `set -euo pipefail\nhookd() { "${hookdBin}" "$@"; }\n`;
  return spawnSync("bash", ["-c", prelude + script], { encoding: "utf8" });
}

test("README quickstart commands succeed", () => {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const quickstart = readme.slice(readme.indexOf("## Quickstart: sign and verify"));
  const blocks = shellBlocks(quickstart.slice(0, quickstart.indexOf("\n## ", 3)));
  assert.ok(blocks.length > 0);
  for (const block of blocks) {
    const result = bash(block);
    assert.equal(result.status, 0, `${block}\n${result.stdout}${result.stderr}`);
    assert.doesNotMatch(result.stdout, /invalid/);
  }
});

test("docs transcripts print what they show", () => {
  for (const file of readdirSync(path.join(root, "docs")).filter((f) => f.endsWith(".md"))) {
    for (const block of shellBlocks(readFileSync(path.join(root, "docs", file), "utf8"))) {
      const lines = block.trimEnd().split("\n");
      if (!lines[0].startsWith("$ ")) continue;
      const result = bash(lines[0].slice(2));
      assert.equal(result.status, 0, `${file}: ${lines[0]}\n${result.stderr}`);
      assert.equal(result.stdout.trimEnd(), lines.slice(1).join("\n"), `${file}: ${lines[0]}`);
    }
  }
});
