// What hookd keeps on disk holds secrets (endpoint keys in the database, the JWT secret): the data
// directory it creates is 0700 and every file in it 0600, whatever the umask.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { api, startHookd } from "./abuse.mjs";
import { testPostgres } from "../interop/server.mjs";

const mode = (file) => (statSync(file).mode & 0o777).toString(8);

test("the data directory is 0700 and its files 0600", { skip: testPostgres() !== null, timeout: 30000 }, async () => {
  const parent = mkdtempSync(path.join(tmpdir(), "hookd-files-"));
  const dataDir = path.join(parent, "new", "data");
  let hookd = await startHookd({ dataDir });
  try {
    const app = await api(hookd, "POST", "/api/v1/app", { name: "Secrets", uid: "secrets" });
    assert.equal(app.status, 201);
    assert.equal(mode(dataDir), "700");
    const files = readdirSync(dataDir);
    for (const name of ["hookd.db", "hookd.db-wal", "hookd.db-shm", "jwt-secret"]) assert.ok(files.includes(name), name);
    for (const name of files) assert.equal(mode(path.join(dataDir, name)), "600", name);

    // Files an older hookd made 0644 are narrowed at the next start.
    const token = hookd.token;
    await hookd.stop();
    for (const name of readdirSync(dataDir)) chmodSync(path.join(dataDir, name), 0o644);
    hookd = await startHookd({ dataDir });
    hookd.token = token;
    assert.equal((await api(hookd, "GET", "/api/v1/app/secrets")).status, 200);
    for (const name of ["hookd.db", "hookd.db-wal", "hookd.db-shm"]) {
      if (existsSync(path.join(dataDir, name))) assert.equal(mode(path.join(dataDir, name)), "600", name);
    }
  } finally {
    await hookd.stop();
    rmSync(parent, { recursive: true, force: true });
  }
});
