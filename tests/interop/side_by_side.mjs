// Running Debian's `webhook` and `hookd hooks` side by side on the same hooks files, and what a
// client sees of each answer.
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import path from "node:path";
import { hookdBin } from "./hookd.mjs";

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function waitForPort(port) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10000;
    const attempt = () => {
      const socket = connect(port, "127.0.0.1");
      socket.on("connect", () => {
        socket.destroy();
        resolve();
      });
      socket.on("error", () => (Date.now() > deadline ? reject(new Error(`nothing on ${port}`)) : setTimeout(attempt, 50)));
    };
    attempt();
  });
}

export async function startBoth(files, extra = [], env = {}) {
  const hooksArgs = files.flatMap((file) => ["-hooks", file]);
  const servers = [];
  for (const binary of ["/usr/bin/webhook", hookdBin]) {
    const port = await freePort();
    const args = [...(binary === hookdBin ? ["hooks"] : []), ...hooksArgs, "-ip", "127.0.0.1", "-port", String(port), ...extra];
    const child = spawn(binary, args, { stdio: "ignore", env: { ...process.env, ...env } });
    await waitForPort(port);
    const scheme = extra.includes("-secure") ? "https" : "http";
    servers.push({ name: path.basename(binary), url: `${scheme}://127.0.0.1:${port}`, child });
  }
  return servers;
}

// What a client sees, without what differs between any two servers (the date, Server, keep-alive).
export async function exchange(url, { method = "POST", headers = {}, body } = {}) {
  const response = await fetch(url, { method, headers, body });
  const kept = [...response.headers.entries()]
    .filter(([name]) => !["date", "server", "connection", "keep-alive"].includes(name))
    .sort();
  return { status: response.status, headers: kept, body: await response.text() };
}

