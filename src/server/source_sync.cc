#include "server/source_sync.h"

#include "api/jwt.h"
#include "core/ids.h"

namespace hookd::server {
namespace {

core::Result<std::string> application_for(store::Store& store, const std::string& org, const std::string& app,
                                          core::TimePoint now) {
  if (auto found = store.get_application(org, app)) return found->id;
  auto created = store.create_application({core::new_id("app_"), org, app, app, std::nullopt, {}, now, now});
  if (!created && created.error().code == core::ErrorCode::conflict) return application_for(store, org, app, now);
  if (!created) return fail(std::move(created).error());
  return created->id;
}

}  // namespace

core::Status sync_sources(store::Store& store, const std::vector<store::Source>& sources, core::TimePoint now) {
  const std::string org(api::kDefaultOrgId);
  for (store::Source wanted : sources) {
    auto app_id = application_for(store, org, wanted.app_id, now);
    if (!app_id) return core::error(app_id.error().code, "source " + wanted.name + ": " + app_id.error().detail);
    wanted.app_id = *app_id;
    wanted.org_id = org;
    wanted.id = core::new_id("src_");
    wanted.created_at = wanted.updated_at = now;
    auto saved = store.update_source(
        org, wanted.name,
        [&](store::Source& source) {
          const std::string id = source.id;
          const auto created_at = source.created_at;
          source = wanted;
          source.id = id;
          source.created_at = created_at;
          return core::Status{};
        },
        wanted);
    if (!saved) return core::error(saved.error().code, "source " + wanted.name + ": " + saved.error().detail);
  }
  return {};
}

}  // namespace hookd::server
