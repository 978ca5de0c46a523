// Starts `hookd serve` as a child process on a free loopback port with a fresh data directory, and
// receivers on loopback for its deliveries. When HOOKD_TEST_POSTGRES names the tests' PostgreSQL server
// (CTest's interop_postgres), hookd keeps its data there instead, in a schema of the data directory's own.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { hookdBin } from "./hookd.mjs";

// The PostgreSQL schema that stands for data directory `dir` (made if missing), or null on SQLite:
// { dsn, drop }.
export function testDatabase(dir) {
  const server = testPostgres();
  if (!server) return null;
  const schema = "i_" + path.basename(dir).replace(/[^A-Za-z0-9]/g, "_").toLowerCase();
  const psql = (sql) => spawnSync("psql", [server, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], { encoding: "utf8" });
  const made = psql(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  if (made.status !== 0) throw new Error(`cannot make schema ${schema}: ${made.stderr}`);
  return { dsn: `${server}?options=-csearch_path%3D${schema}`, drop: () => psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}

// The PostgreSQL connection string the tests' server runs on, or null on SQLite.
export function testPostgres() {
  const state = process.env.HOOKD_TEST_POSTGRES;
  return state ? readFileSync(state, "utf8").trim() : null;
}

// Resolves once hookd printed its address (and, on first start, its token). `storeArgs` are the
// arguments that name its database, for other hookd commands (prune, migrate). `db` shares another
// node's database (its `dsn`) rather than the data directory's own; `sqlite` keeps the data
// in the data directory even when the run is on PostgreSQL.
export function startHookd({ dataDir, env = {}, listen = "127.0.0.1:0", db, role, sqlite = false } = {}) {
  const dir = dataDir ?? mkdtempSync(path.join(tmpdir(), "hookd-interop-"));
  const database = db || sqlite ? null : testDatabase(dir);
  const dsn = db ?? database?.dsn;
  const storeArgs = ["--data-dir", dir, ...(dsn ? ["--db", dsn] : [])];
  const roleArgs = role ? ["--role", role] : [];
  const child = spawn(hookdBin, ["serve", "--listen", listen, ...roleArgs, ...storeArgs], {
    // The receivers run on this machine: open loopback to deliveries, as an operator would.
    env: { ...process.env, HOOKD_SYNCHRONOUS: "normal", HOOKD_ALLOW_SUBNETS: "127.0.0.0/8", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  // hookd logs which database it opened: the tests must be on the one this run asks for.
  const storeLine = dsn ? "data in PostgreSQL" : "data in SQLite";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hookd did not start on the expected store: ${stderr}`)), 15000);
    child.on("exit", (code) => reject(new Error(`hookd exited with ${code}: ${stderr}`)));
    const started = () => {
      const url = stdout.match(/listening on (http:\/\/\S+)/)?.[1];
      if (!url && !(role === "worker" && stdout.includes("delivering"))) return;
      if (!stderr.includes(storeLine)) return;
      // With a monitoring listener (metrics.listen), its address too.
      const metricsUrl = stdout.match(/metrics and probes on (http:\/\/\S+)/)?.[1];
      if (env.HOOKD_METRICS_LISTEN && !metricsUrl) return;
      clearTimeout(timer);
      const token = stdout.match(/^(eyJ\S+)$/m)?.[1];
      resolve({
        url,
        metricsUrl,
        token,
        dataDir: dir,
        dsn,
        storeArgs,
        child,
        stderr: () => stderr,
        // SIGTERM and wait for a clean exit.
        stop: () => stopChild(child, "SIGTERM"),
        // SIGKILL: no chance to finish anything.
        kill: () => stopChild(child, "SIGKILL"),
        cleanup: () => {
          database?.drop();
          rmSync(dir, { recursive: true, force: true });
        },
      });
    };
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      started();
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      started();
    });
  });
}

function stopChild(child, signal) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.removeAllListeners("exit");
    child.on("exit", (code) => resolve(code));
    child.kill(signal);
  });
}

// An HTTP receiver on 127.0.0.1 that records each request and answers with `answer(request)`.
export function startReceiver(answer = () => 204) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const request = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      };
      requests.push(request);
      const status = answer(request);
      res.writeHead(status);
      res.end();
    });
  });
  server.keepAliveTimeout = 60000;
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}/hook`, requests, close: () => server.close() });
    });
  });
}

// The Standard Webhooks headers of a delivery, renamed from svix-* to webhook-* for `standardwebhooks`.
export function standardHeaders(headers) {
  return {
    "webhook-id": headers["svix-id"],
    "webhook-timestamp": headers["svix-timestamp"],
    "webhook-signature": headers["svix-signature"],
  };
}

export async function waitFor(condition, { timeout = 15000, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Calls hookd's API with the server's token; answers { status, json }.
export async function api(server, method, path, body) {
  const response = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: response.status === 204 ? null : await response.json() };
}
