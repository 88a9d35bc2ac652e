#include "rights/policy_test_world.h"

namespace accord::rights::testing {

Timestamp T(const std::string& iso8601) { return *Timestamp::Parse(iso8601); }
Isrc R(const std::string& isrc) { return *Isrc::Parse(isrc); }
Territory Where(const std::string& code) { return *Territory::Parse(code); }

Registry PolicyExampleWorld() {
  using catalog::Party;
  using catalog::PartyKind;
  Registry registry;
  registry.parties = {
      Party{"artist:ada", PartyKind::kArtist, "Ada", std::nullopt, {}},
      Party{"artist:ben", PartyKind::kArtist, "Ben", std::nullopt, {}},
      Party{"label:north", PartyKind::kLabel, "North Records", std::nullopt, {}},
      Party{
          "dist:wave", PartyKind::kDistributor, "Wave Distribution", std::nullopt, {"label:north"}},
      Party{"pub:song", PartyKind::kPublisher, "Song Publishing", std::nullopt, {"writer:cy"}},
      Party{"writer:cy", PartyKind::kWriter, "Cy", std::nullopt, {}},
  };
  catalog::Work work;
  work.iswc = *Iswc::Parse("T-034.524.680-1");
  work.title = "Northern Lights";
  work.writers = {{"writer:cy", 500000}};
  work.publishers = {{"pub:song", 500000}};
  registry.works = {work};

  catalog::Recording lights;
  lights.isrc = R("QZDEM2600001");
  lights.title = "Northern Lights";
  lights.main_artists = {"artist:ada"};
  lights.featured_artists = {"artist:ben"};
  lights.duration_ms = 215000;
  lights.master_owners = {{"label:north", 1000000}};
  lights.work = work.iswc;
  catalog::Recording stat;
  stat.isrc = R("QZDEM2600002");
  stat.title = "Static";
  stat.main_artists = {"artist:ben"};
  stat.duration_ms = 190000;
  stat.master_owners = {{"label:north", 1000000}};
  registry.recordings = {lights, stat};

  Agreement a1;
  a1.id = "A1";
  a1.licensor = "dist:wave";
  a1.all_controlled = true;
  a1.scopes.Insert(Scope::kRecommend);
  a1.scopes.Insert(Scope::kDj);
  a1.scopes.Insert(Scope::kRemix);
  a1.territories = TerritorySet::WorldwideExcept({Where("US")});
  a1.start = T("2026-01-01");
  a1.end = T("2027-01-01");
  Agreement a2;
  a2.id = "A2";
  a2.licensor = "pub:song";
  a2.all_controlled = false;
  a2.recordings = {lights.isrc};
  a2.scopes.Insert(Scope::kRemix);
  a2.territories = TerritorySet::Only({Where("DE")});
  a2.start = T("2026-01-01");
  registry.agreements = {a1, a2};
  return registry;
}

}  // namespace accord::rights::testing
