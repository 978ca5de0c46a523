#include "store/sqlite/sqlite_schema.h"

#include "store/sql/portable_migrations.h"

namespace hookd::store::sqlite {
namespace {

// Times are microseconds since the Unix epoch; lists and JSON values are JSON text.
constexpr sql::Migration kMigrations[] = {
    {1, "initial", R"sql(
CREATE TABLE application (
  id            TEXT PRIMARY KEY,
  org_id        TEXT NOT NULL,
  uid           TEXT,
  name          TEXT NOT NULL,
  throttle_rate INTEGER,
  metadata      TEXT NOT NULL DEFAULT '{}',
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  deleted       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX application_by_org ON application(org_id, id);
CREATE UNIQUE INDEX application_uid ON application(org_id, uid) WHERE uid IS NOT NULL AND deleted = 0;

CREATE TABLE event_type (
  org_id       TEXT NOT NULL,
  name         TEXT NOT NULL,
  description  TEXT NOT NULL,
  archived     INTEGER NOT NULL DEFAULT 0,
  deprecated   INTEGER NOT NULL DEFAULT 0,
  schemas      TEXT,
  feature_flag TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (org_id, name)
) WITHOUT ROWID;

CREATE TABLE endpoint (
  id            TEXT PRIMARY KEY,
  org_id        TEXT NOT NULL,
  app_id        TEXT NOT NULL,
  uid           TEXT,
  url           TEXT NOT NULL,
  description   TEXT NOT NULL DEFAULT '',
  version       INTEGER NOT NULL DEFAULT 1,
  throttle_rate INTEGER,
  disabled      INTEGER NOT NULL DEFAULT 0,
  event_types   TEXT,
  channels      TEXT,
  headers       TEXT NOT NULL DEFAULT '{}',
  metadata      TEXT NOT NULL DEFAULT '{}',
  keys          TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  deleted       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX endpoint_by_app ON endpoint(app_id, id);
CREATE UNIQUE INDEX endpoint_uid ON endpoint(app_id, uid) WHERE uid IS NOT NULL AND deleted = 0;

CREATE TABLE message (
  id                 TEXT PRIMARY KEY,
  org_id             TEXT NOT NULL,
  app_id             TEXT NOT NULL,
  event_type         TEXT NOT NULL,
  event_id           TEXT,
  channels           TEXT,
  created_at         INTEGER NOT NULL,
  payload_expires_at INTEGER NOT NULL
);
CREATE INDEX message_by_app ON message(app_id, id);
CREATE UNIQUE INDEX message_event_id ON message(app_id, event_id) WHERE event_id IS NOT NULL;

-- Payloads apart from messages, so that they can expire or be expunged on their own.
CREATE TABLE message_content (
  msg_id  TEXT PRIMARY KEY,
  payload BLOB NOT NULL
);

-- The delivery queue: one row per (message, endpoint). status: 0 success, 1 pending, 2 fail.
-- claimed: a dispatcher holds the row in memory; unclaimed pending rows wait here until due.
CREATE TABLE destination (
  msg_id          TEXT NOT NULL,
  endpoint_id     TEXT NOT NULL,
  status          INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  claimed         INTEGER NOT NULL DEFAULT 0,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (msg_id, endpoint_id)
) WITHOUT ROWID;
CREATE INDEX destination_by_endpoint ON destination(endpoint_id, msg_id);
CREATE INDEX destination_due ON destination(endpoint_id, next_attempt_at) WHERE status = 1 AND claimed = 0;
CREATE INDEX destination_claimed ON destination(claimed) WHERE claimed = 1;

CREATE TABLE attempt (
  id                   TEXT PRIMARY KEY,
  org_id               TEXT NOT NULL,
  app_id               TEXT NOT NULL,
  msg_id               TEXT NOT NULL,
  endpoint_id          TEXT NOT NULL,
  url                  TEXT NOT NULL,
  response             TEXT NOT NULL,
  response_status_code INTEGER NOT NULL,
  response_duration_ms INTEGER NOT NULL,
  status               INTEGER NOT NULL,
  trigger_type         INTEGER NOT NULL,
  created_at           INTEGER NOT NULL
);
CREATE INDEX attempt_by_msg ON attempt(msg_id, id);
CREATE INDEX attempt_by_endpoint ON attempt(endpoint_id, id);
)sql"},
    {2, "endpoint retry schedule", R"sql(
ALTER TABLE endpoint ADD COLUMN retry_schedule TEXT;
)sql"},
    {3, "fifo endpoints and failure tracking", R"sql(
ALTER TABLE endpoint ADD COLUMN fifo INTEGER NOT NULL DEFAULT 0;
-- When the endpoint's current run of failures began (its last success was before); null: not failing.
ALTER TABLE endpoint ADD COLUMN failing_since INTEGER;
-- A FIFO endpoint's queued work, in message order.
CREATE INDEX destination_in_order ON destination(endpoint_id, msg_id) WHERE status = 1 AND claimed = 0;
)sql"},
    {4, "payload expiry", R"sql(
-- When the payload is purged (the message's payload_expires_at), beside the payload so that purging
-- walks an index of the payloads still kept.
ALTER TABLE message_content ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
UPDATE message_content SET expires_at = (SELECT payload_expires_at FROM message WHERE id = msg_id);
CREATE INDEX message_content_expiry ON message_content(expires_at);
)sql"},
    {5, "inbound sources", R"sql(
CREATE TABLE source (
  id                    TEXT PRIMARY KEY,
  org_id                TEXT NOT NULL,
  name                  TEXT NOT NULL,
  scheme                TEXT NOT NULL,
  secrets               TEXT NOT NULL,
  tolerance_seconds     INTEGER,
  hmac                  TEXT NOT NULL DEFAULT '{}',
  app_id                TEXT NOT NULL,
  event_type            TEXT,
  dedupe_header         TEXT,
  dedupe_field          TEXT,
  dedupe_window_seconds INTEGER NOT NULL,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL
);
CREATE UNIQUE INDEX source_name ON source(name);
CREATE INDEX source_by_org ON source(org_id, id);

-- Verified inbound requests, as received. (source_id, dedupe_key) finds an earlier copy.
CREATE TABLE inbound_request (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL,
  source_id   TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  headers     TEXT NOT NULL,
  body        BLOB NOT NULL,
  dedupe_key  TEXT,
  msg_id      TEXT NOT NULL
);
CREATE INDEX inbound_by_source ON inbound_request(source_id, id);
CREATE INDEX inbound_dedupe ON inbound_request(source_id, dedupe_key, received_at) WHERE dedupe_key IS NOT NULL;
)sql"},
    {6, "shared settings", R"sql(
-- Values every node shares, such as the JWT secret generated when none is configured.
CREATE TABLE setting (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql"},
    {7, "application leases", R"sql(
-- Which node delivers each application's messages, until when (see store/sql/sql_cluster.cc).
-- changed_hands: whether the last write of the row gave it to another node.
CREATE TABLE app_lease (
  app_id        TEXT PRIMARY KEY,
  node_id       TEXT NOT NULL,
  expires_at    BIGINT NOT NULL,
  changed_hands BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX app_lease_by_node ON app_lease(node_id);
)sql"},
    {8, "kept answers", R"sql(
-- API answers kept under a digest of their request's token, idempotency key and path, so that a
-- retry finds them on any node and after a restart.
CREATE TABLE kept_answer (
  key        TEXT PRIMARY KEY,
  status     BIGINT NOT NULL,
  headers    TEXT NOT NULL,
  body       BLOB NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX kept_answer_age ON kept_answer(created_at);
)sql"},
    {9, "claims by endpoint", R"sql(
-- The claimed rows (what nodes hold in memory) by endpoint, so that whether an application has work in
-- a node's memory is one probe per endpoint (see kRenewBusyLeases in store/sql/sql_cluster.cc), and all
-- of them one range. Made before the index it replaces is dropped, so that reads of the queue wait only
-- for the drop.
CREATE INDEX destination_claimed_by_endpoint ON destination(claimed, endpoint_id) WHERE claimed = 1;
DROP INDEX destination_claimed;
)sql"},
    {10, "hop counts", sql::portable::kHopCounts},
    {11, "replay keys", sql::portable::kReplayKeys},
    {12, "source names per organization", sql::portable::kSourceNamesPerOrganization},
};

}  // namespace

std::span<const sql::Migration> migrations() { return kMigrations; }

}  // namespace hookd::store::sqlite
