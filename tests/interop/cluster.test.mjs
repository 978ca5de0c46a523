// Three `hookd serve` nodes on one PostgreSQL: messages published through all of them, one node killed
// with SIGKILL in the middle. Every accepted message reaches every matching endpoint; duplicates come
// only from attempts in flight at the kill; a FIFO endpoint gets its messages in order and a throttled
// one at its rate, whichever node delivers. Runs in CTest's interop_postgres (skipped on SQLite).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { api, startHookd, startReceiver, testPostgres, waitFor } from "./server.mjs";

const kLeaseTtl = "2s";
const kThrottle = 10; // deliveries per second of the throttled endpoint

// Publishes through `nodes` in turn; a node that is gone is skipped, as a load balancer would.
async function publish(nodes, turn, app, payload) {
  for (let tries = 0; tries < nodes.length; ++tries) {
    const node = nodes[(turn + tries) % nodes.length];
    if (node.dead) continue;
    try {
      const { status, json } = await api(node, "POST", `/api/v1/app/${app}/msg`, { eventType: "cluster.test", payload });
      if (status === 202) return json.id;
    } catch {
      // refused: the node was killed meanwhile
    }
  }
  throw new Error("no node accepted the message");
}

const firstReceipts = (receiver) => {
  const seen = new Set();
  const order = [];
  for (const request of receiver.requests) {
    const id = request.headers["svix-id"];
    if (!seen.has(id)) order.push(id);
    seen.add(id);
  }
  return order;
};

test("three nodes share PostgreSQL, and a node killed mid-stream loses nothing", {
  skip: !testPostgres() && "runs on PostgreSQL (CTest's interop_postgres)",
  timeout: 180000,
}, async () => {
  const env = { HOOKD_LEASE_TTL: kLeaseTtl };
  const first = await startHookd({ env });
  const db = first.dsn;
  const nodes = [first, await startHookd({ env, db }), await startHookd({ env, db })];
  // The first node generated the JWT secret and keeps it in the database: its token works on all.
  for (const node of nodes) node.token = first.token;
  const plain = await startReceiver();
  const fifo = await startReceiver();
  const throttled = await startReceiver();
  try {
    const apps = ["a1", "a2", "a3", "a4", "a5", "a6"];
    for (const uid of apps) {
      assert.equal((await api(first, "POST", "/api/v1/app", { name: uid, uid })).status, 201);
      const endpoint = await api(nodes[apps.indexOf(uid) % 3], "POST", `/api/v1/app/${uid}/endpoint`, { url: `${plain.url}?app=${uid}` });
      assert.equal(endpoint.status, 201);
    }
    assert.equal((await api(first, "POST", "/api/v1/app", { name: "fifo", uid: "fifo" })).status, 201);
    assert.equal((await api(nodes[1], "POST", "/api/v1/app/fifo/endpoint", { url: fifo.url, fifo: true })).status, 201);
    assert.equal((await api(first, "POST", "/api/v1/app", { name: "slow", uid: "slow" })).status, 201);
    assert.equal((await api(nodes[2], "POST", "/api/v1/app/slow/endpoint", { url: throttled.url, throttleRate: kThrottle })).status, 201);

    const accepted = new Map(); // message id → app
    // The node to be killed delivers for half the applications, FIFO and throttled ones included: the
    // first node with work for an application takes its lease.
    for (const [index, app] of [...apps, "fifo", "slow"].entries()) {
      const node = index % 2 === 0 || index >= apps.length ? nodes[1] : nodes[0];
      accepted.set(await publish([node], 0, app, { warmup: true }), app);
    }
    const fifoOrder = [...accepted].filter(([, app]) => app === "fifo").map(([id]) => id);
    let published = 0;
    let killed = false;
    let heldByKilled = new Set();
    const killAt = 200;
    const plainLoad = async (worker) => {
      for (let n = worker; n < 420; n += 6) {
        const app = apps[n % apps.length];
        accepted.set(await publish(nodes, n, app, { n }), app);
        if (++published === killAt && !killed) {
          killed = true;
          // Which applications the node delivers for, as it dies: only their messages may come twice.
          const leases = spawnSync("psql", [db, "-Atc",
            "SELECT a.uid FROM app_lease l JOIN application a ON a.id = l.app_id WHERE l.node_id LIKE '%" +
              nodes[1].dataDir.split("/").pop() + "'"], { encoding: "utf8" });
          heldByKilled = new Set(leases.stdout.split("\n").filter(Boolean));
          nodes[1].dead = true;
          await nodes[1].kill();
        }
      }
    };
    const fifoLoad = async () => {
      for (let n = 0; n < 40; ++n) {
        const id = await publish(nodes, n, "fifo", { n });
        accepted.set(id, "fifo");
        fifoOrder.push(id);
      }
    };
    const slowLoad = async () => {
      for (let n = 0; n < 40; ++n) accepted.set(await publish(nodes, n, "slow", { n }), "slow");
    };
    await Promise.all([...[0, 1, 2, 3, 4, 5].map(plainLoad), fifoLoad(), slowLoad()]);
    assert.ok(killed, "the node was killed mid-stream");

    const receiverOf = (app) => (app === "fifo" ? fifo : app === "slow" ? throttled : plain);
    const delivered = (receiver) => new Set(receiver.requests.map((r) => r.headers["svix-id"]));
    const missing = () => [...accepted].filter(([id, app]) => !delivered(receiverOf(app)).has(id));
    await waitFor(() => missing().length === 0, { timeout: 60000, what: "every accepted message delivered" }).catch((error) => {
      const byApp = {};
      for (const [, app] of missing()) byApp[app] = (byApp[app] ?? 0) + 1;
      throw new Error(`${error.message}: missing ${JSON.stringify(byApp)}`);
    });
    // Each plain message reached its own app's endpoint.
    for (const request of plain.requests) {
      assert.equal(accepted.get(request.headers["svix-id"]), new URL(request.url, "http://x").searchParams.get("app"));
    }
    // Duplicates: only attempts in flight when the node died (sent, or answered but not yet recorded),
    // so only messages of the applications it delivered for, and at most once more.
    const all = [...plain.requests, ...fifo.requests, ...throttled.requests];
    const times = new Map();
    for (const request of all) times.set(request.headers["svix-id"], (times.get(request.headers["svix-id"]) ?? 0) + 1);
    const duplicated = [...times].filter(([, n]) => n > 1);
    console.log(`cluster: ${accepted.size} messages accepted, ${all.length} deliveries, ${duplicated.length} delivered twice;` +
      ` the killed node held ${[...heldByKilled].join(", ") || "nothing"}`);
    for (const [id, n] of duplicated) {
      assert.equal(n, 2, `${id} was delivered ${n} times`);
      assert.ok(heldByKilled.has(accepted.get(id)), `${id} of ${accepted.get(id)} came twice, but the killed node did not deliver for it`);
    }
    // FIFO: in the order accepted, whichever node delivered.
    assert.deepEqual(firstReceipts(fifo), fifoOrder);
    // throttleRate: no one-second window holds much more than the rate (the bucket's burst, and a new
    // holder's fresh bucket after the takeover).
    const paced = throttled.requests.map((r) => r.at).sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; i < paced.length; ++i) {
      while (paced[i] - paced[j] >= 1000) ++j;
      busiest = Math.max(busiest, i - j + 1);
    }
    assert.ok(busiest <= 2 * kThrottle + 2, `${busiest} deliveries within one second at throttleRate ${kThrottle}`);
    assert.ok(paced.at(-1) - paced[0] >= ((40 - 2 * kThrottle) / kThrottle) * 1000 - 500, "the throttled endpoint was paced");
  } finally {
    for (const node of nodes) if (!node.dead) await node.stop();
    for (const node of nodes) node.cleanup();
    plain.close();
    fifo.close();
    throttled.close();
  }
});

test("an API-only node queues the work, and a worker node delivers it", {
  skip: !testPostgres() && "runs on PostgreSQL (CTest's interop_postgres)",
  timeout: 60000,
}, async () => {
  const front = await startHookd({ role: "api" });
  const db = front.dsn;
  const worker = await startHookd({ role: "worker", db });
  const receiver = await startReceiver();
  try {
    assert.equal((await api(front, "POST", "/api/v1/app", { name: "split", uid: "split" })).status, 201);
    assert.equal((await api(front, "POST", "/api/v1/app/split/endpoint", { url: receiver.url })).status, 201);
    const ids = [];
    for (let n = 0; n < 20; ++n) {
      const { status, json } = await api(front, "POST", "/api/v1/app/split/msg", { eventType: "split.test", payload: { n } });
      assert.equal(status, 202);
      ids.push(json.id);
    }
    // The worker delivers what the API node accepted: told of it at commit, or finding it within 2 s.
    await waitFor(() => ids.every((id) => receiver.requests.some((r) => r.headers["svix-id"] === id)), {
      timeout: 20000,
      what: "the worker delivering what the API node accepted",
    });
    const attempts = await api(front, "GET", `/api/v1/app/split/attempt/msg/${ids[0]}`);
    assert.equal(attempts.json.data[0].status, 0);
  } finally {
    await worker.stop();
    await front.stop();
    worker.cleanup();
    front.cleanup();
    receiver.close();
  }
});
