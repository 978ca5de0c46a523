// Every example of webhook's documentation (docs/Hook-Examples.md and docs/Hook-Rules.md at tag 2.8.0,
// as hooks/documented.yaml adapts them) sent to Debian's `webhook` and to `hookd hooks` side by side:
// for each hook, requests that satisfy its rules (signed as GitHub, Gogs and Scalr sign) and requests
// that do not. Both answer the same status, headers and body.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { fileURLToPath } from "node:url";
import { exchange, startBoth } from "./side_by_side.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const hooksFile = path.join(here, "hooks", "documented.yaml");

// --- Helpers -------------------------------------------------------------------------------------

const hmac = (algorithm, secret, body) => createHmac(algorithm, secret).update(body).digest("hex");

// A JSON POST; `headers(body)` adds headers computed over the exact body (signatures).
const jsonPost = (value, headers = () => ({})) => {
  const body = JSON.stringify(value);
  return { headers: { "content-type": "application/json", ...headers(body) }, body };
};
const formPost = (fields) => ({
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});
const xmlPost = (body) => ({ headers: { "content-type": "application/xml" }, body });

// Scalr's Date header, "Mon 02 Jan 2006 15:04:05 UTC" (Go's layout), and its signature: HMAC-SHA1 of
// the body followed by that header.
function scalrDate(date) {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const two = (n) => String(n).padStart(2, "0");
  return `${days[date.getUTCDay()]} ${two(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC`;
}
const scalrKey = "Scalr-provided signing key";
const scalrSigned = (date, key = scalrKey) => (body) => ({ Date: date, "X-Signature": hmac("sha1", key, body + date) });
const now = scalrDate(new Date()); // Within the 5 minutes webhook allows, for both servers.
const outdated = "Fri 08 Sep 2017 11:24:32 UTC"; // The documentation's example date.

// --- Bodies --------------------------------------------------------------------------------------

const githubPush = (ref) => ({
  ref,
  before: "9049f1265b7d61be4a8904a9a27120d2064dab3b",
  after: "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
  head_commit: { id: "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", message: "Update README.md", timestamp: "2015-05-05T19:40:15-04:00" },
  repository: { id: 35129377, name: "public-repo", full_name: "baxterthehacker/public-repo", owner: { name: "baxterthehacker", email: "baxterthehacker@users.noreply.github.com" } },
  pusher: { name: "baxterthehacker", email: "baxterthehacker@users.noreply.github.com" },
});
const githubPing = { zen: "Keep it logically awesome.", hook_id: 4815162342, hook: { type: "Repository", events: ["push"] } };
const giteaPush = (secret, ref) => ({
  secret,
  ref,
  before: "28e1879d029cb852e4844d9c718537df08844e03",
  after: "bffeb74224043ba2feb48d137756c8a9331c449a",
  head_commit: { id: "bffeb74224043ba2feb48d137756c8a9331c449a", message: "Update README", url: "http://localhost:3000/gitea/webhooks/commit/bffeb74224043ba2feb48d137756c8a9331c449a" },
  repository: { id: 140, name: "webhooks", full_name: "gitea/webhooks", owner: { id: 1, login: "gitea", username: "gitea" } },
  pusher: { id: 1, login: "gitea", full_name: "Gitea", email: "someone@gitea.io", username: "gitea" },
});
const gitlabPush = { object_kind: "push", ref: "refs/heads/master", user_name: "John Smith", user_email: "john@example.com", project_id: 15, total_commits_count: 4 };
const bitbucketPush = { actor: { username: "emmap1", display_name: "Emma", type: "user" }, repository: { full_name: "team_name/repo_name", type: "repository" } };
const slackCommand = (token) => ({
  token, team_id: "T0001", team_domain: "example", channel_id: "C2147483705", channel_name: "test", user_id: "U2147483697",
  user_name: "Steve", command: "/redeploy", text: "production", response_url: "https://hooks.slack.com/commands/1234/5678",
});
const travisBuild = (state, branch) => ({
  payload: JSON.stringify({
    id: 1, number: "1", status: state === "passed" ? 0 : 1, result: state === "passed" ? 0 : 1, status_message: state, state,
    branch, commit: "62aae5f70ceee39123ef", message: "the commit message", type: "push",
    repository: { id: 1, name: "minimal", owner_name: "svenfuchs", url: "http://github.com/svenfuchs/minimal" },
  }),
});
const scalrEvent = { eventName: "HostUp", eventId: "0a7d8f34-1b2c-4d5e-8f90-123456789abc", timestamp: "Fri 08 Sep 2017 11:24:32 UTC", userData: "", data: { SCALR_SERVER_HOSTNAME: "web-1", SCALR_EVENT_NAME: "HostUp", SCALR_FARM_ID: "42" } };
const sendgridEvent = (event, extra = {}) => ({ email: "example@test.com", timestamp: 1513299569, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>", event, category: "cat facts", sg_event_id: "sg_event_id", sg_message_id: "sg_message_id", ...extra });
const sendgridEvents = [sendgridEvent("processed"), sendgridEvent("deferred", { response: "400 try again later", attempt: "5" })];
const xmlApp = (firstUser, message) => `<app>
  <users>
    <user id="1" name="${firstUser}" />
    <user id="2" name="Sally" />
  </users>
  <messages>
    <message id="1" from_user="1" to_user="2">${message}</message>
  </messages>
</app>`;
// Plex's two parts: the payload field and a thumb file (a few bytes of a JPEG).
function plexForm(event, { payloadAsFile = false } = {}) {
  const payload = JSON.stringify({ event, user: true, owner: true, Account: { id: 1, title: "elan" }, Server: { title: "Office", uuid: "54664a3d8acc39983675640ec9ce00b70af9cc36" }, Player: { local: true, publicAddress: "200.200.200.200", title: "Plex Web (Safari)", uuid: "r6yfkdnfggbh2bdnvkffwbms" }, Metadata: { librarySectionType: "artist", title: "Love The One You're With", type: "track" } });
  const form = new FormData();
  if (payloadAsFile) form.append("payload", new Blob([payload], { type: "application/json" }), "payload.json");
  else form.append("payload", payload);
  form.append("thumb", new Blob([Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46])], { type: "image/jpeg" }), "thumb.jpg");
  return { body: form };
}
// The documentation's testRequest.json for pass-file-to-command (a 16x16 PNG).
const documentedPng = "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAGXRFWHRTb2Z0d2FyZQBBZG9iZSBJbWFnZVJlYWR5ccllPAAAA2lpVFh0WE1MOmNvbS5hZG9iZS54bXAAAAAAADw/eHBhY2tldCBiZWdpbj0i77u/IiBpZD0iVzVNME1wQ2VoaUh6cmVTek5UY3prYzlkIj8+IDx4OnhtcG1ldGEgeG1sbnM6eD0iYWRvYmU6bnM6bWV0YS8iIHg6eG1wdGs9IkFkb2JlIFhNUCBDb3JlIDUuMC1jMDYwIDYxLjEzNDc3NywgMjAxMC8wMi8xMi0xNzozMjowMCAgICAgICAgIj4gPHJkZjpSREYgeG1sbnM6cmRmPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5LzAyLzIyLXJkZi1zeW50YXgtbnMjIj4gPHJkZjpEZXNjcmlwdGlvbiByZGY6YWJvdXQ9IiIgeG1sbnM6eG1wUmlnaHRzPSJodHRwOi8vbnMuYWRvYmUuY29tL3hhcC8xLjAvcmlnaHRzLyIgeG1sbnM6eG1wTU09Imh0dHA6Ly9ucy5hZG9iZS5jb20veGFwLzEuMC9tbS8iIHhtbG5zOnN0UmVmPSJodHRwOi8vbnMuYWRvYmUuY29tL3hhcC8xLjAvc1R5cGUvUmVzb3VyY2VSZWYjIiB4bWxuczp4bXA9Imh0dHA6Ly9ucy5hZG9iZS5jb20veGFwLzEuMC8iIHhtcFJpZ2h0czpNYXJrZWQ9IkZhbHNlIiB4bXBNTTpEb2N1bWVudElEPSJ4bXAuZGlkOjEzMTA4RDI0QzMxQjExRTBCMzYzRjY1QUQ1Njc4QzFBIiB4bXBNTTpJbnN0YW5jZUlEPSJ4bXAuaWlkOjEzMTA4RDIzQzMxQjExRTBCMzYzRjY1QUQ1Njc4QzFBIiB4bXA6Q3JlYXRvclRvb2w9IkFkb2JlIFBob3Rvc2hvcCBDUzMgV2luZG93cyI+IDx4bXBNTTpEZXJpdmVkRnJvbSBzdFJlZjppbnN0YW5jZUlEPSJ1dWlkOkFDMUYyRTgzMzI0QURGMTFBQUI4QzUzOTBEODVCNUIzIiBzdFJlZjpkb2N1bWVudElEPSJ1dWlkOkM5RDM0OTY2NEEzQ0REMTFCMDhBQkJCQ0ZGMTcyMTU2Ii8+IDwvcmRmOkRlc2NyaXB0aW9uPiA8L3JkZjpSREY+IDwveDp4bXBtZXRhPiA8P3hwYWNrZXQgZW5kPSJyIj8+IBFgEwAAAmJJREFUeNqkk89rE1EQx2d/NNq0xcYYayPYJDWC9ODBsKIgAREjBmvEg2cvHnr05KHQ9iB49SL+/BMEfxBQKHgwCEbTNNIYaqgaoanFJi+rcXezye4689jYkIMIDnx47837zrx583YFx3Hgf0xA6/dJyAkkgUy4vgryAnmNWH9L4EVmotFoKplMHgoGg6PkrFarjXQ6/bFcLj/G5W1E+3NaX4KZeDx+dX5+7kg4HBlmrC6JoiDFYrGhROLM/mp1Y6JSqdCd3/SW0GUqEAjkl5ZyHTSHKBQKnO6a9khD2m5cr91IJBJ1VVWdiM/n6LruNJtNDs3JR3ukIW03SHTHi8iVsbG9I51OG1bW16HVasHQZopDc/JZVgdIQ1o3BmTkEnJXURS/KIpgGAYPkCQJPi0u8uzDKQN0XQPbtgE1MmrHs9nsfSqAEjxCNtHxZHLy4G4smUQgyzL4LzOegDGGp1ucVqsNqKVrpJCM7F4hg6iaZvhqtZrg8XjA4xnAU3XeKLqWaRImoIZeQXVjQO5pYp4xNVirsR1erxer2O4yfa227WCwhtWoJmn7m0h270NxmemFW4706zMm8GCgxBGEASCfhnukIW03iFdQnOPz0LNKp3362JqQzSw4u2LXBe+Bs3xD+/oc1NxN55RiC9fOme0LEQiRf2rBzaKEeJJ37ZWTVunBeGN2WmQjg/DeLTVP89nzAive2dMwlo9bpFVC2xWMZr+A720FVn88fAUb3wDMOjyN7YNc6TvUSHQ4AH6TOUdLL7em68UtWPsJqxgTpgeiLu1EBt1R+Me/mF7CQPTfAgwAGxY2vOTrR3oAAAAASUVORK5CYII=";

// --- Cases: [hook, satisfies its rules, what, request] --------------------------------------------
// request: { query, method, headers, body } for exchange(); the same request goes to both servers.
// For a hook without a trigger rule, a request that does not "satisfy" it lacks the values it uses.

const sha1 = (secret) => (body) => ({ "X-Hub-Signature": "sha1=" + hmac("sha1", secret, body) });
const gogs = (secret) => (body) => ({ "X-Gogs-Signature": hmac("sha256", secret, body) });
const header = (name, value) => () => ({ [name]: value });
const both = (...fns) => (body) => Object.assign({}, ...fns.map((fn) => fn(body)));

const cases = [
  ["examples-github", true, "push to master, signed", jsonPost(githubPush("refs/heads/master"), sha1("mysecret"))],
  ["examples-github", false, "push to master, signed with another secret", jsonPost(githubPush("refs/heads/master"), sha1("notmysecret"))],
  ["examples-github", false, "push to master, unsigned", jsonPost(githubPush("refs/heads/master"))],
  ["examples-github", false, "push to another branch, signed", jsonPost(githubPush("refs/heads/develop"), sha1("mysecret"))],

  ["examples-bitbucket", false, "from loopback, outside 104.192.143.0/24", jsonPost(bitbucketPush)],
  ["examples-bitbucket-loopback", true, "from loopback", jsonPost(bitbucketPush)],
  ["examples-bitbucket-loopback", true, "from loopback, without an actor", jsonPost({})],

  ["examples-gitlab", true, "the token", jsonPost(gitlabPush, header("X-Gitlab-Token", "<YOUR-GENERATED-TOKEN>"))],
  ["examples-gitlab", false, "another token", jsonPost(gitlabPush, header("X-Gitlab-Token", "my-token"))],
  ["examples-gitlab", false, "no token", jsonPost(gitlabPush)],

  ["examples-gogs", true, "push to master, signed", jsonPost(giteaPush(undefined, "refs/heads/master"), gogs("mysecret"))],
  ["examples-gogs", false, "push to master, signed with another secret", jsonPost(giteaPush(undefined, "refs/heads/master"), gogs("notmysecret"))],
  ["examples-gogs", false, "push to master, unsigned", jsonPost(giteaPush(undefined, "refs/heads/master"))],
  ["examples-gogs", false, "push to another branch, signed", jsonPost(giteaPush(undefined, "refs/heads/develop"), gogs("mysecret"))],

  ["examples-gitea", true, "push to master with the secret", jsonPost(giteaPush("mysecret", "refs/heads/master"))],
  ["examples-gitea", false, "push to master with another secret", jsonPost(giteaPush("notmysecret", "refs/heads/master"))],
  ["examples-gitea", false, "push to master without a secret", jsonPost(giteaPush(undefined, "refs/heads/master"))],
  ["examples-gitea", false, "push to another branch with the secret", jsonPost(giteaPush("mysecret", "refs/heads/develop"))],

  ["examples-slack", true, "slash command with the token", formPost(slackCommand("<YOUR-GENERATED-TOKEN>"))],
  ["examples-slack", false, "slash command with another token", formPost(slackCommand("gIkuvaNzQIHg97ATvDxqgjtO"))],

  ["examples-simple-one", true, "GET ?token=42", { query: "?token=42", method: "GET" }],
  ["examples-simple-one", false, "GET without a token", { method: "GET" }],
  ["examples-simple-one", false, "GET ?token=43", { query: "?token=43", method: "GET" }],

  ["examples-file", true, "the documented PNG", jsonPost({ binary: documentedPng })],
  ["examples-file", true, "a text file", jsonPost({ binary: Buffer.from("hello world\n").toString("base64") })],
  ["examples-file", false, "no file", jsonPost({ other: "aGVsbG8=" })],
  // webhook writes what Go's base64 decoder returns with its error, the 9 bytes before the bad quantum.
  ["examples-file", false, "not base64", jsonPost({ binary: "aGVsbG8gd29ybGQ!" })],
  ["examples-file", false, "base64 without its padding", jsonPost({ binary: "aGVsbG8" })],
  ["examples-file", false, "base64 with bytes after its padding", jsonPost({ binary: "aGVsbG8=xyz" })],
  ["examples-file", false, "base64 over lines", jsonPost({ binary: "aGVs\r\nbG8=" })],

  ["examples-scalr", true, "HostUp, signed now", jsonPost(scalrEvent, scalrSigned(now))],
  ["examples-scalr", false, "signed with another key", jsonPost(scalrEvent, scalrSigned(now, "another key"))],
  ["examples-scalr", false, "signed in 2017", jsonPost(scalrEvent, scalrSigned(outdated))],
  ["examples-scalr", false, "without a signature", jsonPost(scalrEvent, header("Date", now))],
  ["examples-scalr", false, "without a date", jsonPost(scalrEvent, (body) => ({ "X-Signature": hmac("sha1", scalrKey, body) }))],

  ["examples-travis", true, "passed on master", formPost(travisBuild("passed", "master"))],
  ["examples-travis", false, "failed on master", formPost(travisBuild("failed", "master"))],
  ["examples-travis", false, "passed on another branch", formPost(travisBuild("passed", "develop"))],

  ["examples-sendgrid", true, "the documented events", jsonPost(sendgridEvents)],
  ["examples-sendgrid", false, "only the first event", jsonPost(sendgridEvents.slice(0, 1))],
  ["examples-sendgrid", false, "a second event that is not deferred", jsonPost([sendgridEvent("processed"), sendgridEvent("delivered")])],

  ["examples-xml", true, "the documented payload", xmlPost(xmlApp("Jeff", "Hello!!"))],
  ["examples-xml", false, "another first user", xmlPost(xmlApp("Bob", "Hello!!"))],
  ["examples-xml", false, "another message", xmlPost(xmlApp("Jeff", "Bye"))],

  ["examples-plex", true, "media.play", plexForm("media.play")],
  ["examples-plex", true, "media.play, the payload a JSON file part", plexForm("media.play", { payloadAsFile: true })],
  ["examples-plex", false, "media.pause", plexForm("media.pause")],

  ["examples-string-arguments", true, "with pusher.email", jsonPost(githubPush("refs/heads/master"))],
  ["examples-string-arguments", false, "without pusher.email", jsonPost({ ref: "refs/heads/master" })],

  ["rules-and", true, "master with an owner", jsonPost(githubPush("refs/heads/master"))],
  ["rules-and", false, "master without an owner", jsonPost({ ref: "refs/heads/master" })],
  ["rules-and", false, "another branch with an owner", jsonPost(githubPush("refs/heads/development"))],

  ["rules-or", true, "master", jsonPost(githubPush("refs/heads/master"))],
  ["rules-or", true, "development", jsonPost(githubPush("refs/heads/development"))],
  ["rules-or", false, "another branch", jsonPost(githubPush("refs/heads/feature"))],
  ["rules-or", false, "no ref", jsonPost(githubPing)],

  ["rules-not", true, "master", jsonPost(githubPush("refs/heads/master"))],
  ["rules-not", false, "development", jsonPost(githubPush("refs/heads/development"))],
  ["rules-not", true, "no ref (a missing parameter is not 'not satisfied')", jsonPost(githubPing)],

  ["rules-multi-level", true, "push to master, signed", jsonPost(githubPush("refs/heads/master"), both(sha1("mysecret"), header("X-GitHub-Event", "push")))],
  ["rules-multi-level", true, "ping, signed", jsonPost(githubPing, both(sha1("mysecret"), header("X-GitHub-Event", "ping")))],
  ["rules-multi-level", false, "push to another branch, signed", jsonPost(githubPush("refs/heads/development"), both(sha1("mysecret"), header("X-GitHub-Event", "push")))],
  ["rules-multi-level", false, "ping, signed with another secret", jsonPost(githubPing, both(sha1("yoursecret"), header("X-GitHub-Event", "ping")))],
  ["rules-multi-level", false, "ping, unsigned", jsonPost(githubPing, header("X-GitHub-Event", "ping"))],

  ["rules-value", true, "development", jsonPost(githubPush("refs/heads/development"))],
  ["rules-value", false, "master", jsonPost(githubPush("refs/heads/master"))],
  ["rules-value", false, "no ref", jsonPost(githubPing)],

  ["rules-regex", true, "any ref", jsonPost(githubPush("refs/tags/v1.0.0"))],
  ["rules-regex", true, "an empty ref", jsonPost({ ref: "" })],
  ["rules-regex", false, "no ref", jsonPost(githubPing)],

  ...[["sha1", "X-Hub-Signature"], ["sha256", "X-Signature"], ["sha512", "X-Signature"]].flatMap(([algorithm, name]) => {
    const id = `rules-hmac-${algorithm}`;
    const sign = (body) => hmac(algorithm, "yoursecret", body);
    const signed = (value) => jsonPost(githubPush("refs/heads/master"), (body) => ({ [name]: value(body) }));
    return [
      [id, true, `${algorithm}=signature`, signed((body) => `${algorithm}=${sign(body)}`)],
      [id, true, "signature without a prefix", signed(sign)],
      [id, true, "second of two signatures", signed((body) => `${algorithm}=${"0".repeat(sign(body).length)},${algorithm}=${sign(body)}`)],
      [id, false, "signed with another secret", signed((body) => `${algorithm}=${hmac(algorithm, "mysecret", body)}`)],
      [id, false, "signature in upper case", signed((body) => `${algorithm}=${sign(body).toUpperCase()}`)],
      [id, false, "no signature", jsonPost(githubPush("refs/heads/master"))],
    ];
  }),

  ["rules-ip-whitelist", false, "from loopback, outside 192.168.0.1/24", { body: "" }],
  ["rules-ip-whitelist-loopback", true, "from loopback", { body: "" }],

  ["rules-scalr-signature", true, "signed now", jsonPost(scalrEvent, scalrSigned(now))],
  ["rules-scalr-signature", false, "signed with another key", jsonPost(scalrEvent, scalrSigned(now, "another key"))],
  ["rules-scalr-signature", false, "signed in 2017", jsonPost(scalrEvent, scalrSigned(outdated))],
  ["rules-scalr-signature", false, "a date that is not a date", jsonPost(scalrEvent, scalrSigned("yesterday"))],
];

// --- Running them --------------------------------------------------------------------------------

let servers;
before(async () => {
  servers = await startBoth([hooksFile]);
});
after(() => {
  for (const server of servers ?? []) server.child.kill();
});

// Sends each request to both servers; fails with every difference, one per paragraph.
async function compare(hookCases) {
  const [webhook, hookd] = servers;
  const differences = [];
  for (const [id, , what, { query = "", ...request }] of hookCases) {
    const target = `/hooks/${id}${query}`;
    const expected = await exchange(webhook.url + target, request);
    const actual = await exchange(hookd.url + target, request);
    if (!isDeepStrictEqual(actual, expected)) {
      differences.push(`${request.method ?? "POST"} ${target} (${what})\n  webhook: ${JSON.stringify(expected)}\n  hookd:   ${JSON.stringify(actual)}`);
    }
  }
  assert.equal(differences.length, 0, `${differences.length} difference(s):\n\n${differences.join("\n\n")}`);
}

const hookIds = [...readFileSync(hooksFile, "utf8").matchAll(/^- id: (\S+)$/gm)].map((match) => match[1]);

// A hook and its "-loopback" twin (the same ip-whitelist rule with 127.0.0.1/32) count as one.
test("every documented hook has a request that satisfies its rules and one that does not", () => {
  const example = (id) => id.replace(/-loopback$/, "");
  for (const id of new Set(hookIds.map(example))) {
    const kinds = new Set(cases.filter(([hook]) => example(hook) === id).map(([, satisfies]) => satisfies));
    assert.ok(kinds.has(true), `${id}: no request that satisfies it`);
    assert.ok(kinds.has(false), `${id}: no request that does not satisfy it`);
  }
  assert.deepEqual([...new Set(cases.map(([hook]) => hook))].filter((id) => !hookIds.includes(id)), []);
});

for (const id of hookIds) {
  test(`${id}: webhook and hookd answer the same`, { timeout: 60000 }, () => compare(cases.filter(([hook]) => hook === id)));
}
