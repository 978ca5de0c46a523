// Runs the hookd binary under test: HOOKD_BIN (set by CTest), else the default build tree's.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
export const hookdBin = process.env.HOOKD_BIN ?? path.join(here, "../../build/src/cli/hookd");

// Runs `hookd args…` with `input` (string or Buffer) on stdin; returns { code, stdout, stderr }.
export function hookd(args, input = "") {
  const result = spawnSync(hookdBin, args, { input, maxBuffer: 64 * 1024 * 1024 });
  // EPIPE: hookd exited (a usage error) before reading its input; its answer is still there.
  if (result.error && result.error.code !== "EPIPE") throw result.error;
  return { code: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

// Parses "Name: value" lines into an object.
export function parseHeaderLines(text) {
  const headers = {};
  for (const line of text.trim().split("\n")) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return headers;
}

// Headers as repeated -H arguments.
export function headerArgs(headers) {
  return Object.entries(headers).flatMap(([name, value]) => ["-H", `${name}: ${value}`]);
}

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
export function randomId(prefix = "msg_") {
  const bytes = randomBytes(27);
  return prefix + Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

// JSON payloads of several shapes: empty object, non-ASCII text, and about 1 MiB.
export function samplePayloads() {
  const big = "x".repeat(1024 * 1024);
  return [
    "{}",
    JSON.stringify({ type: "invoice.paid", amount: 1234 }),
    JSON.stringify({ text: "héllo wörld, 日本語, emoji 🎉, quote \" and \\ backslash" }),
    JSON.stringify({ noise: randomBytes(300).toString("base64") }),
    JSON.stringify({ big }),
  ];
}
