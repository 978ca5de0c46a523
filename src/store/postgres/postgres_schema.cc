#include "store/postgres/postgres_schema.h"

#include "store/sql/portable_migrations.h"

namespace hookd::store::postgres {
namespace {

// The SQLite schema's migrations, with the same numbers, in PostgreSQL's types: BIGINT for integers
// (microseconds since the Unix epoch for times), BYTEA for bytes, and text compared byte by byte
// (COLLATE "C"), as SQLite compares it, so that ids sort the same on both.
constexpr sql::Migration kMigrations[] = {
    {1, "initial", R"sql(
CREATE TABLE application (
  id            TEXT COLLATE "C" PRIMARY KEY,
  org_id        TEXT COLLATE "C" NOT NULL,
  uid           TEXT COLLATE "C",
  name          TEXT COLLATE "C" NOT NULL,
  throttle_rate BIGINT,
  metadata      TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  deleted       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX application_by_org ON application(org_id, id);
CREATE UNIQUE INDEX application_uid ON application(org_id, uid) WHERE uid IS NOT NULL AND deleted = 0;

CREATE TABLE event_type (
  org_id       TEXT COLLATE "C" NOT NULL,
  name         TEXT COLLATE "C" NOT NULL,
  description  TEXT COLLATE "C" NOT NULL,
  archived     BIGINT NOT NULL DEFAULT 0,
  deprecated   BIGINT NOT NULL DEFAULT 0,
  schemas      TEXT COLLATE "C",
  feature_flag TEXT COLLATE "C",
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  PRIMARY KEY (org_id, name)
);

CREATE TABLE endpoint (
  id            TEXT COLLATE "C" PRIMARY KEY,
  org_id        TEXT COLLATE "C" NOT NULL,
  app_id        TEXT COLLATE "C" NOT NULL,
  uid           TEXT COLLATE "C",
  url           TEXT COLLATE "C" NOT NULL,
  description   TEXT COLLATE "C" NOT NULL DEFAULT '',
  version       BIGINT NOT NULL DEFAULT 1,
  throttle_rate BIGINT,
  disabled      BIGINT NOT NULL DEFAULT 0,
  event_types   TEXT COLLATE "C",
  channels      TEXT COLLATE "C",
  headers       TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  metadata      TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  keys          TEXT COLLATE "C" NOT NULL,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  deleted       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX endpoint_by_app ON endpoint(app_id, id);
CREATE UNIQUE INDEX endpoint_uid ON endpoint(app_id, uid) WHERE uid IS NOT NULL AND deleted = 0;

CREATE TABLE message (
  id                 TEXT COLLATE "C" PRIMARY KEY,
  org_id             TEXT COLLATE "C" NOT NULL,
  app_id             TEXT COLLATE "C" NOT NULL,
  event_type         TEXT COLLATE "C" NOT NULL,
  event_id           TEXT COLLATE "C",
  channels           TEXT COLLATE "C",
  created_at         BIGINT NOT NULL,
  payload_expires_at BIGINT NOT NULL
);
CREATE INDEX message_by_app ON message(app_id, id);
CREATE UNIQUE INDEX message_event_id ON message(app_id, event_id) WHERE event_id IS NOT NULL;

-- Payloads apart from messages, so that they can expire or be expunged on their own.
CREATE TABLE message_content (
  msg_id  TEXT COLLATE "C" PRIMARY KEY,
  payload BYTEA NOT NULL
);

-- The delivery queue: one row per (message, endpoint). status: 0 success, 1 pending, 2 fail.
-- claimed: a dispatcher holds the row in memory; unclaimed pending rows wait here until due.
CREATE TABLE destination (
  msg_id          TEXT COLLATE "C" NOT NULL,
  endpoint_id     TEXT COLLATE "C" NOT NULL,
  status          BIGINT NOT NULL,
  attempts        BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  claimed         BIGINT NOT NULL DEFAULT 0,
  updated_at      BIGINT NOT NULL,
  PRIMARY KEY (msg_id, endpoint_id)
);
CREATE INDEX destination_by_endpoint ON destination(endpoint_id, msg_id);
CREATE INDEX destination_due ON destination(endpoint_id, next_attempt_at) WHERE status = 1 AND claimed = 0;
CREATE INDEX destination_claimed ON destination(claimed) WHERE claimed = 1;

CREATE TABLE attempt (
  id                   TEXT COLLATE "C" PRIMARY KEY,
  org_id               TEXT COLLATE "C" NOT NULL,
  app_id               TEXT COLLATE "C" NOT NULL,
  msg_id               TEXT COLLATE "C" NOT NULL,
  endpoint_id          TEXT COLLATE "C" NOT NULL,
  url                  TEXT COLLATE "C" NOT NULL,
  response             TEXT COLLATE "C" NOT NULL,
  response_status_code BIGINT NOT NULL,
  response_duration_ms BIGINT NOT NULL,
  status               BIGINT NOT NULL,
  trigger_type         BIGINT NOT NULL,
  created_at           BIGINT NOT NULL
);
CREATE INDEX attempt_by_msg ON attempt(msg_id, id);
CREATE INDEX attempt_by_endpoint ON attempt(endpoint_id, id);

-- SQLite's json_each for the JSON arrays kept as text (channels, event type filters), so that the SQL
-- store's queries read the same on both databases.
CREATE FUNCTION json_each(list TEXT) RETURNS TABLE (value TEXT) LANGUAGE sql IMMUTABLE
  AS $$ SELECT json_array_elements_text(list::json) $$;
)sql"},
    {2, "endpoint retry schedule", R"sql(
ALTER TABLE endpoint ADD COLUMN retry_schedule TEXT COLLATE "C";
)sql"},
    {3, "fifo endpoints and failure tracking", R"sql(
ALTER TABLE endpoint ADD COLUMN fifo BIGINT NOT NULL DEFAULT 0;
-- When the endpoint's current run of failures began (its last success was before); null: not failing.
ALTER TABLE endpoint ADD COLUMN failing_since BIGINT;
-- A FIFO endpoint's queued work, in message order.
CREATE INDEX destination_in_order ON destination(endpoint_id, msg_id) WHERE status = 1 AND claimed = 0;
)sql"},
    {4, "payload expiry", R"sql(
-- When the payload is purged (the message's payload_expires_at), beside the payload so that purging
-- walks an index of the payloads still kept.
ALTER TABLE message_content ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
UPDATE message_content SET expires_at = (SELECT payload_expires_at FROM message WHERE id = msg_id);
CREATE INDEX message_content_expiry ON message_content(expires_at);
)sql"},
    {5, "inbound sources", R"sql(
CREATE TABLE source (
  id                    TEXT COLLATE "C" PRIMARY KEY,
  org_id                TEXT COLLATE "C" NOT NULL,
  name                  TEXT COLLATE "C" NOT NULL,
  scheme                TEXT COLLATE "C" NOT NULL,
  secrets               TEXT COLLATE "C" NOT NULL,
  tolerance_seconds     BIGINT,
  hmac                  TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  app_id                TEXT COLLATE "C" NOT NULL,
  event_type            TEXT COLLATE "C",
  dedupe_header         TEXT COLLATE "C",
  dedupe_field          TEXT COLLATE "C",
  dedupe_window_seconds BIGINT NOT NULL,
  created_at            BIGINT NOT NULL,
  updated_at            BIGINT NOT NULL
);
CREATE UNIQUE INDEX source_name ON source(name);
CREATE INDEX source_by_org ON source(org_id, id);

-- Verified inbound requests, as received. (source_id, dedupe_key) finds an earlier copy.
CREATE TABLE inbound_request (
  id          TEXT COLLATE "C" PRIMARY KEY,
  org_id      TEXT COLLATE "C" NOT NULL,
  source_id   TEXT COLLATE "C" NOT NULL,
  received_at BIGINT NOT NULL,
  headers     TEXT COLLATE "C" NOT NULL,
  body        BYTEA NOT NULL,
  dedupe_key  TEXT COLLATE "C",
  msg_id      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX inbound_by_source ON inbound_request(source_id, id);
CREATE INDEX inbound_dedupe ON inbound_request(source_id, dedupe_key, received_at) WHERE dedupe_key IS NOT NULL;
)sql"},
    {6, "shared settings", R"sql(
-- Values every node shares, such as the JWT secret generated when none is configured.
CREATE TABLE setting (
  name  TEXT COLLATE "C" PRIMARY KEY,
  value TEXT COLLATE "C" NOT NULL
);
)sql"},
    {7, "application leases", R"sql(
-- Which node delivers each application's messages, until when (see store/sql/sql_cluster.cc).
-- changed_hands: whether the last write of the row gave it to another node.
CREATE TABLE app_lease (
  app_id        TEXT COLLATE "C" PRIMARY KEY,
  node_id       TEXT COLLATE "C" NOT NULL,
  expires_at    BIGINT NOT NULL,
  changed_hands BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX app_lease_by_node ON app_lease(node_id);
)sql"},
    {8, "kept answers", R"sql(
-- API answers kept under a digest of their request's token, idempotency key and path, so that a
-- retry finds them on any node and after a restart.
CREATE TABLE kept_answer (
  key        TEXT COLLATE "C" PRIMARY KEY,
  status     BIGINT NOT NULL,
  headers    TEXT COLLATE "C" NOT NULL,
  body       BYTEA NOT NULL,
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

}  // namespace hookd::store::postgres
