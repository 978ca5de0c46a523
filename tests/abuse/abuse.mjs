// What every abuse test checks after sending its hostile input to the real `hookd` binary: the server
// still answers a health check within 1 s, its resident memory stayed under a stated bound, and
// nothing it accepted was lost. Traffic goes to loopback only.
import { readFileSync } from "node:fs";
import { connect } from "node:net";
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
