// The inbound sources of the configuration file, made real in the store at start: each goes into the
// default organization, its application (by uid) is created when missing, and a source of that name is
// created or updated to match the file. Sources made through the API are left alone.
#pragma once

#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "store/store.h"

namespace hookd::server {

core::Status sync_sources(store::Store& store, const std::vector<store::Source>& sources, core::TimePoint now);

}  // namespace hookd::server
