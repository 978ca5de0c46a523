// What every abuse test checks after sending its hostile input to the real `hookd` binary: the server
// still answers a health check within 1 s, its resident memory stayed under a stated bound, and
// nothing it accepted was lost. Traffic goes to loopback only.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

export { api, startHookd, startReceiver, waitFor } from "../interop/server.mjs";
export { hookdBin } from "../interop/hookd.mjs";

// The resident set of process `pid`, in MiB (VmRSS of /proc/pid/status).
export function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(status.match(/^VmRSS:\s+(\d+) kB/m)[1]);
  return kib / 1024;
}

// The highest resident set the process reached so far, in MiB (VmHWM).
export function peakRssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/^VmHWM:\s+(\d+) kB/m)[1]) / 1024;
}

// Asserts that GET `url`/api/v1/health/ping answers 204 within `ms` on a new connection.
export async function assertAnswers(url, ms = 1000) {
  const started = Date.now();
  const response = await fetch(`${url}/api/v1/health/ping`, { signal: AbortSignal.timeout(ms) });
  assert.equal(response.status, 204, "health ping");
  const took = Date.now() - started;
  assert.ok(took <= ms, `the health check took ${took} ms`);
  return took;
}

// A raw TCP connection to `url`'s host and port; resolves once connected.
export function rawConnection(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on("error", reject);
  });
}

// Resolves with how the server ended `socket`: { closed: true, data } once it closed, with whatever it
// wrote before; rejects after `ms`.
export function whenClosed(socket, ms) {
  return new Promise((resolve, reject) => {
    let data = "";
    socket.on("data", (chunk) => (data += chunk));
    const timer = setTimeout(() => reject(new Error(`the server kept the connection open for ${ms} ms`)), ms);
    const done = () => {
      clearTimeout(timer);
      resolve({ closed: true, data });
    };
    socket.on("close", done);
    socket.on("error", () => {});
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// CPU time the process used so far, in seconds (user + system, from /proc/pid/stat).
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// A PostgreSQL server of the test's own (scripts/test-postgres.sh), so that stopping or locking it
// disturbs no other test: { dsn, pause, resume, stop }.
export function startOwnPostgres() {
  const dir = mkdtempSync(path.join(tmpdir(), "hookd-own-pg-"));
  const state = path.join(dir, "state");
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../scripts/test-postgres.sh");
  const run = (action) => {
    const done = spawnSync(script, [action, state], { encoding: "utf8" });
    assert.equal(done.status, 0, `test-postgres.sh ${action}: ${done.stderr}`);
  };
  run("start");
  return {
    dsn: readFileSync(state, "utf8").trim(),
    pause: () => run("pause"),
    resume: () => run("resume"),
    stop: () => {
      run("stop");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
