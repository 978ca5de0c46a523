// Slow and idle clients cannot hold the server: a head must arrive within http.header_timeout, a body
// at http.body_min_rate, and connections past http.max_connections are answered 503 while those
// already open go on being served.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { Agent, request } from "node:http";
import { api, assertAnswers, cpuSeconds, rawConnection, rssMiB, sleep, startHookd, waitFor } from "./abuse.mjs";

// One request on `agent` (a keep-alive connection made before the attack); resolves with its status.
function get(agent, url, path) {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", reject);
    req.end();
  });
}

test("slowloris, slow bodies and a flood of idle connections", { timeout: 90000 }, async () => {
  const hookd = await startHookd({
    env: { HOOKD_HTTP_HEADER_TIMEOUT: "1s", HOOKD_HTTP_BODY_TIMEOUT: "1s", HOOKD_HTTP_MAX_CONNECTIONS: "200" },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = [];
  try {
    assert.equal((await api(hookd, "POST", "/api/v1/app", { name: "Slow", uid: "slow" })).status, 201);
    assert.equal(await get(agent, hookd.url, "/api/v1/health/ping"), 204);
    const rssBefore = rssMiB(hookd.child.pid);

    // 150 clients send a head one line at a time, 100 a body one byte at a time, 100 nothing at all:
    // 350 connections against a cap of 200.
    const answers = [];
    const closedAt = [];
    const started = Date.now();
    for (let i = 0; i < 350; i++) {
      const socket = await rawConnection(hookd.url);
      let data = "";
      socket.on("data", (chunk) => (data += chunk));
      socket.on("close", () => {
        closedAt.push(Date.now() - started);
        answers.push(data);
      });
      socket.on("error", () => {});
      sockets.push(socket);
      if (i < 150) socket.write("GET /api/v1/health/ping HTTP/1.1\r\nHost: x\r\n");
      else if (i < 250) socket.write("POST /api/v1/app HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
    }
    const trickle = setInterval(() => {
      sockets.forEach((socket, i) => {
        if (socket.destroyed) return;
        if (i < 150) socket.write("X-Slow: 1\r\n");
        else if (i < 250) socket.write("x");
      });
    }, 100);
    try {
      // While they hold what they can, the connection opened before them is served.
      for (let i = 0; i < 5; i++) assert.equal(await get(agent, hookd.url, "/api/v1/health/ping"), 204);
      const refused = () => answers.filter((a) => a.startsWith("HTTP/1.1 503")).length;
      await waitFor(() => refused() >= 150, { timeout: 10000, what: "the connections over the cap answered 503" });
      // Every one of them is closed by the deadlines (1 s, and the body's 1 s plus what its rate earned).
      await waitFor(() => closedAt.length === 350, { timeout: 15000, what: "every slow connection closed" });
    } finally {
      clearInterval(trickle);
    }
    assert.ok(Math.max(...closedAt) < 10000, `the slowest connection was kept ${Math.max(...closedAt)} ms`);
    await assertAnswers(hookd.url);
    assert.equal((await api(hookd, "GET", "/api/v1/app/slow")).status, 200);
    const rssAfter = rssMiB(hookd.child.pid);
    assert.ok(rssAfter < rssBefore + 64, `RSS grew from ${rssBefore} to ${rssAfter} MiB`);
    assert.match(hookd.stderr(), /refusing connections: 200 are open/);
  } finally {
    sockets.forEach((s) => s.destroy());
    agent.destroy();
    await hookd.stop();
    hookd.cleanup();
  }
});

test("out of file descriptors, accept backs off instead of spinning", { timeout: 60000 }, async () => {
  const hookd = await startHookd();
  const sockets = [];
  try {
    // Leave hookd a few descriptors more than it uses now, so that a flood of connections exhausts them.
    const used = readdirSync(`/proc/${hookd.child.pid}/fd`).length;
    const limit = used + 10;
    const lowered = spawnSync("prlimit", ["--pid", String(hookd.child.pid), `--nofile=${limit}:${limit}`]);
    assert.equal(lowered.status, 0, lowered.stderr?.toString());
    for (let i = 0; i < 40; i++) {
      const socket = await rawConnection(hookd.url);
      socket.on("error", () => {});
      sockets.push(socket);
    }
    await waitFor(() => /cannot accept connections: Too many open files/.test(hookd.stderr()), {
      what: "the warning that accept failed",
    });
    const before = cpuSeconds(hookd.child.pid);
    await sleep(2000);
    const used2s = cpuSeconds(hookd.child.pid) - before;
    assert.ok(used2s < 0.5, `hookd used ${used2s} s of CPU in 2 s while out of descriptors`);
    sockets.forEach((s) => s.destroy());
    sockets.length = 0;
    // The connections that waited in the backlog are taken, and closed at the header deadline; then
    // new ones are served again.
    await waitFor(
      async () => {
        try {
          await assertAnswers(hookd.url);
          return true;
        } catch {
          return false;
        }
      },
      { timeout: 20000, what: "a health check answered again" },
    );
  } finally {
    sockets.forEach((s) => s.destroy());
    await hookd.stop();
    hookd.cleanup();
  }
});
