// What GET /metrics says is what happened: messages published to endpoints that succeed, fail, time
// out, are gone or are refused by the SSRF guard, inbound requests valid, forged and repeated, and the
// counters scraped afterwards say exactly that. Then a real Prometheus (Debian's) scrapes a running
// hookd, and its query API returns the series; the alert rules and the dashboard of
// docs/observability.md use only series hookd exposes, and promtool accepts the rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sign as githubSign } from "@octokit/webhooks-methods";
import { api, startHookd, startReceiver, waitFor } from "./server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const docs = path.join(here, "../../docs/observability");

// The samples of a text exposition, by series ("name{labels}" as written) .
export function parseMetrics(text) {
  const samples = new Map();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

async function scrape(url, token) {
  const response = await fetch(url + "/metrics", token ? { headers: { authorization: `Bearer ${token}` } } : {});
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
  return parseMetrics(await response.text());
}

// A receiver that never answers: hookd's attempts to it time out.
function startSilentReceiver() {
  const server = createServer(() => {});
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}/hook`,
        close: () => {
          server.closeAllConnections();
          server.close();
        },
      });
    });
  });
}

test("the scraped counters say exactly what happened", { timeout: 90000 }, async () => {
  const ok = await startReceiver(() => 204);
  const failing = await startReceiver(() => 500);
  const rejecting = await startReceiver(() => 404);
  const gone = await startReceiver(() => 410);
  const operational = await startReceiver(() => 204);
  const silent = await startSilentReceiver();
  const server = await startHookd({
    env: {
      HOOKD_METRICS_LISTEN: "127.0.0.1:0",
      HOOKD_DELIVERY_TIMEOUT: "1s",
      HOOKD_DELIVERY_RETRY_SCHEDULE: "",  // one attempt per message: the counts do not depend on time
      HOOKD_ALLOW_SUBNETS: "127.0.0.1/32",  // 127.0.0.2 is refused by the SSRF guard, never connected to
      HOOKD_OPERATIONAL_WEBHOOKS_URL: operational.url,
    },
  });
  try {
    assert.ok(server.metricsUrl, "hookd printed the monitoring listener's address");
    const before = await scrape(server.metricsUrl);
    assert.equal(before.get('hookd_messages_accepted_total{origin="api"}'), 0);

    const published = { ok: 5, failing: 3, rejecting: 2, silent: 2, gone: 1, refused: 1 };
    const urls = {
      ok: ok.url,
      failing: failing.url,
      rejecting: rejecting.url,
      silent: silent.url,
      gone: gone.url,
      refused: "http://127.0.0.2:9/hook",
    };
    for (const [name, count] of Object.entries(published)) {
      assert.equal((await api(server, "POST", "/api/v1/app", { name, uid: name })).status, 201);
      const made = await api(server, "POST", `/api/v1/app/${name}/endpoint`, { url: urls[name], uid: "e" });
      assert.equal(made.status, 201, JSON.stringify(made.json));
      for (let i = 0; i < count; ++i) {
        const sent = await api(server, "POST", `/api/v1/app/${name}/msg`, { eventType: "order.paid", payload: { i } });
        assert.equal(sent.status, 202);
      }
    }
    // An endpoint a user disables through the API.
    assert.equal((await api(server, "POST", "/api/v1/app", { name: "manual", uid: "manual" })).status, 201);
    assert.equal((await api(server, "POST", "/api/v1/app/manual/endpoint", { url: ok.url, uid: "e" })).status, 201);
    assert.equal((await api(server, "PATCH", "/api/v1/app/manual/endpoint/e", { disabled: true })).status, 200);

    // Inbound: one valid request, the same delivery again (a duplicate), and a forged one.
    assert.equal((await api(server, "POST", "/api/v1/app", { name: "inbound", uid: "inbound" })).status, 201);
    const source = { name: "gh", scheme: "github", secrets: ["octo-secret"], app: "inbound" };
    assert.equal((await api(server, "POST", "/api/v1/source", source)).status, 201);
    const body = JSON.stringify({ action: "opened" });
    const headers = {
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": await githubSign("octo-secret", body),
    };
    const inbound = (b) => fetch(server.url + "/in/gh", { method: "POST", headers, body: b });
    assert.equal((await inbound(body)).status, 200);
    assert.equal((await (await inbound(body)).json()).duplicate, true);
    assert.equal((await inbound(body.replace("opened", "closed"))).status, 401);

    const total = Object.values(published).reduce((a, b) => a + b, 0);
    let metrics;
    const attempts = (outcome) => metrics.get(`hookd_delivery_attempts_total{outcome="${outcome}"}`);
    await waitFor(
      async () => {
        metrics = await scrape(server.metricsUrl);
        const opsAccepted = metrics.get('hookd_messages_accepted_total{origin="operational"}');
        return (
          attempts("http_5xx") === 3 &&
          attempts("http_4xx") === 3 &&
          attempts("timeout") === 2 &&
          attempts("refused") === 1 &&
          opsAccepted > 0 &&
          opsAccepted === operational.requests.length &&
          attempts("success") === published.ok + operational.requests.length
        );
      },
      { timeout: 30000, what: "every attempt counted" },
    );
    const ops = operational.requests.length;
    assert.equal(ok.requests.length, published.ok);
    assert.equal(metrics.get('hookd_messages_accepted_total{origin="api"}'), total);
    assert.equal(metrics.get('hookd_messages_accepted_total{origin="inbound"}'), 1);
    assert.equal(attempts("connection_error"), 0);
    assert.equal(attempts("http_other"), 0);
    assert.equal(metrics.get("hookd_delivery_attempt_duration_seconds_count"), total + ops);
    assert.equal(metrics.get("hookd_delivery_lag_seconds_count"), published.ok + ops);
    assert.equal(metrics.get('hookd_delivery_lag_seconds_bucket{le="+Inf"}'), published.ok + ops);
    // The silent endpoint's attempts took the timeout: none finished within half a second.
    const fast = metrics.get('hookd_delivery_attempt_duration_seconds_bucket{le="0.5"}');
    assert.ok(fast <= total + ops - 2, `attempts under 0.5 s: ${fast}`);
    assert.equal(metrics.get('hookd_endpoints_disabled_total{reason="gone"}'), 1);
    assert.equal(metrics.get('hookd_endpoints_disabled_total{reason="api"}'), 1);
    assert.equal(metrics.get('hookd_endpoints_disabled_total{reason="failing"}'), 0);
    assert.equal(metrics.get("hookd_endpoints_disabled"), 2);
    assert.equal(metrics.get('hookd_inbound_requests_total{scheme="github",verdict="valid"}'), 1);
    assert.equal(metrics.get('hookd_inbound_requests_total{scheme="github",verdict="duplicate"}'), 1);
    assert.equal(metrics.get('hookd_inbound_requests_total{scheme="github",verdict="invalid_signature"}'), 1);
    assert.equal(metrics.get('hookd_api_requests_total{code="2xx",method="POST",route="/api/v1/app/{app_id}/msg"}'), total);
    assert.equal(metrics.get('hookd_api_requests_total{code="4xx",method="POST",route="/in/{source}"}'), 1);
    assert.equal(metrics.get("hookd_deliveries_in_flight"), 0);
    assert.equal(metrics.get("hookd_deliveries_queued_in_store"), 0);
    // The message to the gone endpoint waits for it to be enabled again.
    assert.equal(metrics.get("hookd_deliveries_parked_in_store"), 1);
    assert.ok(metrics.get("hookd_store_commit_duration_seconds_count") > 0);
    for (const [series] of metrics) {
      assert.doesNotMatch(series, /(app|ep|msg|src)_[0-9A-Za-z]{27}/, "no label holds an id");
    }
    if (server.dsn) assert.ok(metrics.get("hookd_leases_held") >= 1, "on PostgreSQL, this node holds leases");
    else assert.equal(metrics.get("hookd_leases_held"), undefined);

    // On the API's address, /metrics needs the organization token.
    assert.equal((await fetch(server.url + "/metrics")).status, 401);
    const viaApi = await scrape(server.url, server.token);
    assert.equal(viaApi.get('hookd_messages_accepted_total{origin="api"}'), total);
  } finally {
    await server.stop();
    server.cleanup();
    for (const receiver of [ok, failing, rejecting, gone, operational, silent]) receiver.close();
  }
});

// tests/abuse/readiness.test.mjs shows readiness answering 503 while PostgreSQL is down.
test("liveness and readiness answer on both addresses", { timeout: 60000 }, async () => {
  const server = await startHookd({ env: { HOOKD_METRICS_LISTEN: "127.0.0.1:0" } });
  try {
    for (const base of [server.metricsUrl, server.url]) {
      for (const probe of ["/health/live", "/health/ready"]) {
        const response = await fetch(base + probe);
        assert.equal(response.status, 200, base + probe);
        assert.deepEqual(await response.json(), { status: "ok" });
      }
    }
    assert.equal((await fetch(server.metricsUrl + "/api/v1/app")).status, 404, "the monitoring listener serves no API");
    assert.equal((await fetch(server.metricsUrl + "/metrics", { method: "POST" })).status, 405);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

// A free loopback port (bound and released: Prometheus takes no port 0).
function freePort() {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

test("a real Prometheus scrapes hookd and finds its series; the docs' rules and dashboard use only them", { timeout: 90000 }, async () => {
  const promtool = spawnSync("promtool", ["check", "rules", path.join(docs, "hookd-alerts.yml")], { encoding: "utf8" });
  assert.equal(promtool.status, 0, promtool.stdout + promtool.stderr);

  const receiver = await startReceiver(() => 204);
  const server = await startHookd({ env: { HOOKD_METRICS_LISTEN: "127.0.0.1:0" } });
  const dir = mkdtempSync(path.join(tmpdir(), "hookd-prometheus-"));
  let prometheus;
  try {
    assert.equal((await api(server, "POST", "/api/v1/app", { name: "Scraped", uid: "scraped" })).status, 201);
    assert.equal((await api(server, "POST", "/api/v1/app/scraped/endpoint", { url: receiver.url })).status, 201);
    for (let i = 0; i < 7; ++i) {
      assert.equal((await api(server, "POST", "/api/v1/app/scraped/msg", { eventType: "a.b", payload: { i } })).status, 202);
    }
    await waitFor(() => receiver.requests.length === 7, { what: "the deliveries" });

    const port = await freePort();
    const target = (url) => new URL(url).host;
    writeFileSync(path.join(dir, "token"), server.token);
    writeFileSync(
      path.join(dir, "prometheus.yml"),
      [
        "global: { scrape_interval: 1s, evaluation_interval: 1s }",
        "rule_files: [" + JSON.stringify(path.join(docs, "hookd-alerts.yml")) + "]",
        "scrape_configs:",
        "  - job_name: hookd",
        `    static_configs: [{ targets: ["${target(server.metricsUrl)}"] }]`,
        "  - job_name: hookd-api",
        `    authorization: { credentials_file: ${JSON.stringify(path.join(dir, "token"))} }`,
        `    static_configs: [{ targets: ["${target(server.url)}"] }]`,
        "",
      ].join("\n"),
    );
    prometheus = spawn(
      "prometheus",
      [
        `--config.file=${path.join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let log = "";
    prometheus.stderr.on("data", (chunk) => (log += chunk));
    const query = async (expr) => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`);
        const body = await response.json();
        return body.status === "success" ? body.data.result : null;
      } catch {
        return null;
      }
    };
    const value = async (expr) => {
      const result = await query(expr);
      return result && result.length === 1 ? Number(result[0].value[1]) : null;
    };
    await waitFor(async () => (await value('hookd_messages_accepted_total{job="hookd",origin="api"}')) === 7, {
      timeout: 40000,
      what: `Prometheus to scrape hookd (its log: ${log.slice(-2000)})`,
    });
    // The API's address, scraped with the token (each job is scraped on its own schedule).
    await waitFor(async () => (await value('up{job="hookd-api"}')) === 1, { timeout: 20000, what: "the API's address scraped" });
    assert.equal(await value('hookd_messages_accepted_total{job="hookd-api",origin="api"}'), 7);
    assert.equal(await value('hookd_delivery_attempts_total{job="hookd",outcome="success"}'), 7);
    assert.equal(await value('hookd_delivery_lag_seconds_count{job="hookd"}'), 7);
    assert.ok((await value('histogram_quantile(0.99, sum by (le) (rate(hookd_delivery_attempt_duration_seconds_bucket{job="hookd"}[1m])))')) !== undefined);

    // Every series the rules and the dashboard name is one hookd exposes (as Prometheus stored it).
    const names = new Set((await query('count by (__name__) ({job="hookd"})')).map((r) => r.metric.__name__));
    const dashboard = readFileSync(path.join(docs, "grafana-dashboard.json"), "utf8");
    const rules = readFileSync(path.join(docs, "hookd-alerts.yml"), "utf8");
    const used = new Set([...(dashboard + rules).matchAll(/\bhookd_[a-z_]+/g)].map((m) => m[0]));
    assert.ok(used.size >= 8, `the rules and dashboard use ${used.size} series`);
    for (const name of used) {
      if (name === "hookd_leases_held" && !server.dsn) continue;  // PostgreSQL only
      assert.ok(names.has(name), `${name} is exposed by hookd`);
    }
    // Every panel's query is valid PromQL that Prometheus evaluates.
    for (const panel of JSON.parse(dashboard).panels) {
      for (const t of panel.targets ?? []) {
        const expr = t.expr.replaceAll("$__rate_interval", "1m").replaceAll("$job", "hookd");
        assert.notEqual(await query(expr), null, `${panel.title}: ${expr}`);
      }
    }
  } finally {
    prometheus?.kill("SIGTERM");
    await server.stop();
    server.cleanup();
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
