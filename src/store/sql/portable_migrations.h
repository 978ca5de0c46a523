// Migrations whose SQL is the same on SQLite and PostgreSQL. Each database's list (sqlite/, postgres/)
// names them at their number; like every migration, they never change once released.
#pragma once

namespace hookd::store::sql::portable {

// Migration 10, hop counts.
inline constexpr const char* kHopCounts = R"sql(
-- How many hookd servers a message passed through before this one (an inbound request's hookd-hops
-- header), so that an endpoint routing back to a source of the same server cannot loop for ever.
ALTER TABLE message ADD COLUMN hops INTEGER NOT NULL DEFAULT 0;
)sql";

// Migration 11, replay keys.
inline constexpr const char* kReplayKeys = R"sql(
-- For sources whose providers sign no timestamp (GitHub, Shopify, GitLab, Twilio, hmac): a digest of
-- what the signature covers, so that a captured request replayed with a new delivery id within the
-- dedupe window is a duplicate still.
ALTER TABLE inbound_request ADD COLUMN replay_key TEXT;
CREATE INDEX inbound_replay ON inbound_request(source_id, replay_key, received_at) WHERE replay_key IS NOT NULL;
)sql";

// Migration 12, source names per organization.
inline constexpr const char* kSourceNamesPerOrganization = R"sql(
-- A source's name is unique in its organization only: one organization no longer learns from a 409 that
-- another uses a name, nor takes names first. /in/{id} finds any source; /in/{name}, the default
-- organization's.
CREATE UNIQUE INDEX source_by_org_name ON source(org_id, name);
DROP INDEX source_name;
)sql";

}  // namespace hookd::store::sql::portable
