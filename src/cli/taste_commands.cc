// Verbs of the taste layer (taste import|demo-catalog|train|recommend|similar|playlist|prompt|
// eval). The listening data and the model live in DATA/taste/ (docs/formats/listening.md);
// every feature applies the policy for the listener's territory and moment (docs/taste.md).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/common.h"
#include "core/territory.h"
#include "core/text.h"
#include "ledger/ledger.h"
#include "rights/model.h"
#include "service/recent_plays.h"
#include "service/taste_service.h"
#include "taste/als.h"
#include "taste/catalog_map.h"
#include "taste/discovery.h"
#include "taste/evaluation.h"
#include "taste/listening.h"
#include "taste/tag_space.h"

namespace accord::cli {
namespace {

using nlohmann::json;

std::string ListeningPath(const Globals& g) { return service::TasteListeningPath(DataDir(g)); }
std::string ModelPath(const Globals& g) { return service::TasteModelPath(DataDir(g)); }

std::string Fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", digits, value);
  return buffer;
}

taste::ListeningData LoadListening(const Globals& g) {
  return Check(service::LoadListening(DataDir(g)));
}

// Everything a feature needs: the taste service (listening data, model, tags), the policy
// snapshot and its allowed recordings, and the discovery over them.
struct Session {
  std::unique_ptr<service::TasteService> taste;
  std::unique_ptr<service::RegistryService> registry;
  std::shared_ptr<const rights::Snapshot> snapshot;
  std::shared_ptr<const taste::Discovery> discovery;
  rights::RecordingBitmap allowed;
  Territory territory = Territory::FromIndex(0);
  Timestamp at;
  const taste::ListeningData& data() const { return taste->data(); }
};

std::unique_ptr<Session> OpenSession(const Globals& g, const std::string& territory,
                                     const std::string& at, bool with_tags) {
  auto s = std::make_unique<Session>();
  s->territory = ParseArg(Territory::Parse(territory), "--territory");
  s->at = ParseTime(at, "--at");
  s->taste = Check(service::TasteService::Open(DataDir(g), {.with_tags = with_tags}));
  s->registry = OpenService(g);
  s->snapshot = Check(s->registry->snapshot());
  s->snapshot->Filter(rights::Scope::kRecommend, s->territory, s->at, &s->allowed);
  s->discovery = Check(s->taste->DiscoveryFor(s->registry->registry(), s->snapshot));
  return s;
}

// An item by key (party id or ISRC) or by display name.
uint32_t ResolveItem(const Session& s, const std::string& text, const std::string& flag) {
  return Check(s.taste->ResolveItem(text, flag));
}

// --listener ID, or --played ITEM[=PLAYS] (fold-in), or neither (cold start).
taste::Taste ResolveTaste(const Session& s, const std::string& listener,
                          const std::vector<std::string>& played, std::string* who) {
  if (!listener.empty()) {
    std::optional<uint32_t> u = s.data().FindListener(listener);
    if (!u) throw Failure{NotFoundError("--listener: no listener " + QuoteForError(listener))};
    *who = "listener " + listener;
    return s.discovery->TasteOf(*u);
  }
  std::vector<std::pair<uint32_t, float>> history;
  for (const std::string& entry : played) {
    const size_t eq = entry.rfind('=');
    float plays = 1;
    std::string name = entry;
    if (eq != std::string::npos) {
      name = entry.substr(0, eq);
      try {
        plays = std::stof(entry.substr(eq + 1));
      } catch (const std::exception&) {
        throw Failure{InvalidArgumentError("--played: bad play count in " + QuoteForError(entry))};
      }
      if (!(plays > 0) || plays > 1e9) {
        throw Failure{
            InvalidArgumentError("--played: play count must be 1..1e9 in " + QuoteForError(entry))};
      }
    }
    history.emplace_back(ResolveItem(s, name, "--played"), plays);
  }
  *who = history.empty()
             ? "a new listener (cold start)"
             : "a new listener with " + std::to_string(history.size()) + " played items (fold-in)";
  return s.discovery->TasteFromHistory(std::move(history));
}

json PicksJson(const Session& s, const std::vector<taste::Pick>& picks) {
  return service::PicksJson(s.data(), *s.snapshot, picks);
}

std::string PicksText(const Session& s, const std::vector<taste::Pick>& picks) {
  std::string text;
  for (size_t n = 0; n < picks.size(); ++n) {
    const taste::Pick& p = picks[n];
    text += std::to_string(n + 1) + ". " + s.data().item_name(p.item) + "  [" +
            s.snapshot->recording_isrc(p.recording).str() + "]  " + Fixed(p.score, 3) + "  " +
            p.reason + "\n";
  }
  if (picks.empty()) text += "(nothing the policy allows here)\n";
  return text;
}

std::string PolicyLine(const Session& s) {
  return "policy: recommend in " + std::string(s.territory.code()) + " at " + s.at.ToString() +
         ": " + std::to_string(s.discovery->catalog().AllowedItems(s.allowed).Count()) + " of " +
         std::to_string(s.data().item_count()) + " items allowed\n";
}

void AddPolicyFlags(CLI::App* cmd, std::string* territory, std::string* at) {
  cmd->add_option("--territory", *territory, "The listener's country (ISO 3166-1 alpha-2)")
      ->required();
  cmd->add_option("--at", *at, "ISO 8601 time the policy is applied at (default: now)");
}

void AddImport(CLI::App& taste_cmd, Globals& g) {
  auto* cmd = taste_cmd.add_subcommand(
      "import", "Import listening history (generic CSV/JSONL files and/or a HetRec folder)");
  static std::vector<std::string> files;
  static std::string hetrec;
  static uint64_t skip_bad = 0;
  cmd->add_option("files", files, "Generic CSV or JSON Lines files (docs/formats/listening.md)");
  cmd->add_option("--hetrec", hetrec, "A Last.fm HetRec 2011 folder (user_artists.dat, ...)");
  cmd->add_option("--skip-bad", skip_bad, "Skip up to N bad rows per file (default 0: strict)");
  cmd->callback([&g] {
    if (files.empty() && hetrec.empty()) {
      throw Failure{InvalidArgumentError("give files to import, or --hetrec DIR")};
    }
    taste::ListeningBuilder builder;
    taste::ImportOptions options;
    options.max_bad_rows = skip_bad;
    std::vector<taste::ImportReport> reports;
    if (!hetrec.empty()) Check(builder.AddHetrecDirectory(hetrec, options, &reports));
    for (const std::string& file : files) {
      taste::ImportReport report;
      Check(builder.AddGenericFile(file, options, &report));
      reports.push_back(std::move(report));
    }
    taste::ListeningData data = Check(std::move(builder).Build());
    Check(data.Save(ListeningPath(g)));
    json out = {{"listeners", data.listener_count()},
                {"items", data.item_count()},
                {"pairs", data.plays().nnz()},
                {"tags", data.tag_count()},
                {"files", json::array()}};
    std::string text;
    for (const taste::ImportReport& r : reports) {
      out["files"].push_back({{"file", r.file},
                              {"rows", r.rows},
                              {"accepted", r.accepted},
                              {"duplicates_merged", r.duplicates_merged},
                              {"bad_rows", r.bad_rows},
                              {"unknown_references", r.unknown_references},
                              {"bad_row_messages", r.bad_row_messages}});
      text += r.file + ": " + std::to_string(r.rows) + " rows, " + std::to_string(r.accepted) +
              " accepted, " + std::to_string(r.duplicates_merged) + " duplicates merged, " +
              std::to_string(r.bad_rows) + " bad rows skipped" +
              (r.unknown_references
                   ? ", " + std::to_string(r.unknown_references) + " naming unknown artists"
                   : "") +
              "\n";
      for (const std::string& m : r.bad_row_messages) text += "  " + m + "\n";
    }
    text += "wrote " + ListeningPath(g) + ": " + std::to_string(data.listener_count()) +
            " listeners, " + std::to_string(data.item_count()) + " items, " +
            std::to_string(data.plays().nnz()) + " listener-item pairs, " +
            std::to_string(data.tag_count()) + " tags\n";
    Print(g, out, text);
  });
}

void AddDemoCatalog(CLI::App& taste_cmd, Globals& g) {
  auto* cmd = taste_cmd.add_subcommand(
      "demo-catalog",
      "Write a registry import file that puts the imported artists in the catalog (demo)");
  static std::string out_path;
  static uint32_t opt_out_every = 10;
  cmd->add_option("--out", out_path, "Where to write the JSON (default: stdout)");
  cmd->add_option("--opt-out-every", opt_out_every,
                  "Every Nth artist opts out of recommendations (0: none; default 10)");
  cmd->callback([&g] {
    taste::ListeningData data = LoadListening(g);
    taste::DemoCatalogOptions options;
    options.opt_out_every = opt_out_every;
    WriteOutput(out_path, Check(taste::DemoCatalogJson(data, options)));
  });
}

void AddAlsFlags(CLI::App* cmd, taste::AlsOptions* o) {
  cmd->add_option("--factors", o->factors, "Latent factors (default 64)");
  cmd->add_option("--regularization", o->regularization, "L2 regularization (default 40)");
  cmd->add_option("--alpha", o->alpha, "Confidence 1 + alpha*log1p(plays) (default 1)");
  cmd->add_option("--iterations", o->iterations, "ALS iterations (default 15)");
  cmd->add_option("--cg-steps", o->cg_steps, "Conjugate-gradient steps per row (default 3)");
  cmd->add_option("--threads", o->threads, "Threads (default 2)");
  cmd->add_option("--seed", o->seed, "Random seed (default 1)");
}

// The settings that won the HetRec evaluation (docs/taste.md, "Quality").
taste::AlsOptions DefaultAls() {
  taste::AlsOptions o;
  o.factors = 64;
  o.regularization = 40;
  o.alpha = 1;
  o.iterations = 15;
  return o;
}

void AddTrain(CLI::App& taste_cmd, Globals& g) {
  auto* cmd = taste_cmd.add_subcommand("train", "Train the ALS model on the imported listening");
  static taste::AlsOptions options = DefaultAls();
  AddAlsFlags(cmd, &options);
  cmd->callback([&g] {
    taste::ListeningData data = LoadListening(g);
    std::string text;
    json iterations = json::array();
    const auto start = std::chrono::steady_clock::now();
    taste::AlsModel model =
        Check(taste::TrainAls(data.plays(), options, [&](const taste::AlsIterationStats& s) {
          iterations.push_back({{"iteration", s.iteration},
                                {"seconds_listeners", s.seconds_users},
                                {"seconds_items", s.seconds_items}});
          text += "iteration " + std::to_string(s.iteration) + ": " +
                  Fixed(s.seconds_users + s.seconds_items, 3) + " s\n";
        }));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Check(model.Save(ModelPath(g), taste::ListeningFingerprint(data.plays())));
    text += "wrote " + ModelPath(g) + ": " + std::to_string(options.factors) + " factors, " +
            std::to_string(data.listener_count()) + " listeners, " +
            std::to_string(data.item_count()) + " items, trained in " + Fixed(seconds, 2) + " s\n";
    Print(g, {{"model", ModelPath(g)}, {"seconds", seconds}, {"iterations", iterations}}, text);
  });
}

void AddRecommend(CLI::App& taste_cmd, Globals& g) {
  auto* cmd = taste_cmd.add_subcommand("recommend",
                                       "Top N allowed items for a listener, each with the reason");
  static std::string listener, territory, at;
  static std::vector<std::string> played;
  static int n = 10;
  cmd->add_option("--listener", listener, "A listener in the imported data");
  cmd->add_option("--played", played,
                  "Or: a new listener's plays, ITEM[=PLAYS] (repeatable; none = cold start)");
  cmd->add_option("-n,--count", n, "How many (default 10)");
  AddPolicyFlags(cmd, &territory, &at);
  cmd->callback([&g] {
    auto s = OpenSession(g, territory, at, false);
    std::string who;
    taste::Taste taste = ResolveTaste(*s, listener, played, &who);
    std::vector<taste::Pick> picks = Check(s->discovery->Recommend(taste, s->allowed, n));
    Print(g,
          json{{"for", who},
               {"territory", std::string(s->territory.code())},
               {"items", PicksJson(*s, picks)}},
          "for " + who + "\n" + PolicyLine(*s) + PicksText(*s, picks));
  });
}

void AddSimilar(CLI::App& taste_cmd, Globals& g) {
  auto* cmd = taste_cmd.add_subcommand("similar", "More like this artist or recording");
  static std::string item_text, territory, at;
  static int n = 10;
  cmd->add_option("item", item_text, "Key (artist:..., ISRC) or name")->required();
  cmd->add_option("-n,--count", n, "How many (default 10)");
  AddPolicyFlags(cmd, &territory, &at);
  cmd->callback([&g] {
    auto s = OpenSession(g, territory, at, false);
    const uint32_t item = ResolveItem(*s, item_text, "item");
    std::vector<taste::Pick> picks = Check(s->discovery->Similar(item, s->allowed, n));
    Print(g, {{"like", s->data().item_key(item)}, {"items", PicksJson(*s, picks)}},
          "more like " + s->data().item_name(item) + "\n" + PolicyLine(*s) + PicksText(*s, picks));
  });
}

void AddPlaylistFlags(CLI::App* cmd, taste::PlaylistOptions* o, std::vector<std::string>* recent) {
  cmd->add_option("--length", o->length, "Tracks (default 20)");
  cmd->add_option("--max-per-artist", o->max_per_artist, "At most k per artist (default 2)");
  cmd->add_option("--diversity", o->diversity, "0..1, maximal marginal relevance (default 0.3)");
  cmd->add_option("--explore", o->explore, "0 = comfort .. 1 = explore (default 0.2)");
  cmd->add_option("--recent", *recent, "Recently heard items, never repeated (repeatable)");
}

std::vector<uint32_t> ResolveItems(const Session& s, const std::vector<std::string>& texts) {
  std::vector<uint32_t> items;
  for (const std::string& text : texts) items.push_back(ResolveItem(s, text, "--recent"));
  return items;
}

void AddPlaylist(CLI::App& taste_cmd, Globals& g) {
  auto* cmd = taste_cmd.add_subcommand("playlist", "A playlist for a listener, with rules");
  static std::string listener, territory, at;
  static std::vector<std::string> played, recent;
  static taste::PlaylistOptions options;
  static int recent_hours = 24;
  cmd->add_option("--listener", listener, "A listener in the imported data");
  cmd->add_option("--played", played, "Or: a new listener's plays, ITEM[=PLAYS]");
  AddPlaylistFlags(cmd, &options, &recent);
  cmd->add_option("--recent-hours", recent_hours,
                  "Also never repeat what the ledger recorded --listener hearing through AI "
                  "features in these hours before --at (0..720, 0 = off; default 24)");
  AddPolicyFlags(cmd, &territory, &at);
  cmd->callback([&g] {
    auto s = OpenSession(g, territory, at, false);
    std::string who;
    taste::Taste taste = ResolveTaste(*s, listener, played, &who);
    options.recent_items = ResolveItems(*s, recent);
    size_t from_ledger = 0;
    if (recent_hours < 0 || recent_hours > service::kMaxRecentHours) {
      throw Failure{InvalidArgumentError("--recent-hours: expected 0.." +
                                         std::to_string(service::kMaxRecentHours))};
    }
    // Only an existing ledger is read: a playlist never creates one (and its signing key).
    if (!listener.empty() && recent_hours > 0 &&
        std::filesystem::exists(std::filesystem::path(DataDir(g)) / "ledger")) {
      auto book = Check(ledger::Ledger::Open(DataDir(g)));
      from_ledger = Check(service::AddRecentlyHeardItems(*book, s->data(), listener, s->at,
                                                         recent_hours, &options.recent_items));
    }
    std::vector<taste::Pick> picks = Check(s->discovery->Playlist(taste, s->allowed, options));
    Print(g, {{"for", who}, {"recent_from_ledger", from_ledger}, {"items", PicksJson(*s, picks)}},
          "playlist for " + who + "\n" +
              (from_ledger > 0
                   ? "left out " + std::to_string(from_ledger) + " items heard in the last " +
                         std::to_string(recent_hours) + " h (ledger)\n"
                   : "") +
              PolicyLine(*s) + PicksText(*s, picks));
  });
}

void AddPrompt(CLI::App& taste_cmd, Globals& g) {
  auto* cmd =
      taste_cmd.add_subcommand("prompt", "A playlist from a text prompt (grammar: docs/taste.md)");
  static std::string prompt, listener, territory, at;
  static std::vector<std::string> recent;
  static taste::PlaylistOptions options;
  cmd->add_option("prompt", prompt, "e.g. \"upbeat metal for running\"")->required();
  cmd->add_option("--listener", listener, "Blend in this listener's taste");
  AddPlaylistFlags(cmd, &options, &recent);
  AddPolicyFlags(cmd, &territory, &at);
  cmd->callback([&g] {
    auto s = OpenSession(g, territory, at, true);
    std::string who;
    std::optional<taste::Taste> taste;
    if (!listener.empty()) taste = ResolveTaste(*s, listener, {}, &who);
    options.recent_items = ResolveItems(*s, recent);
    taste::PromptResult result =
        Check(s->discovery->Prompt(prompt, taste ? &*taste : nullptr, s->allowed, options));
    std::string text = "prompt: " + prompt + "\n";
    for (const taste::PromptTerm& t : result.terms) {
      text += "  " + t.text + " -> " + t.role + (t.detail.empty() ? "" : ": " + t.detail) + "\n";
    }
    if (!result.reached_tags.empty()) {
      text += "  reaches tags:";
      for (const auto& [tag, similarity] : result.reached_tags) {
        text += " " + tag + " (" + Fixed(similarity, 2) + ")";
      }
      text += "\n";
    }
    Print(g,
          {{"prompt", prompt},
           {"interpretation", service::PromptTermsJson(result)},
           {"reached_tags", service::ReachedTagsJson(result)},
           {"items", PicksJson(*s, result.playlist)}},
          text + PolicyLine(*s) + PicksText(*s, result.playlist));
  });
}

void AddEval(CLI::App& taste_cmd, Globals& g) {
  auto* cmd = taste_cmd.add_subcommand(
      "eval", "Offline quality: popularity, item-kNN and ALS under the protocol of docs/taste.md");
  static std::string hetrec;
  static std::vector<uint64_t> seeds{1, 2, 3};
  static taste::ProtocolOptions options;
  static taste::AlsOptions als = DefaultAls();
  cmd->add_option("--hetrec", hetrec, "Evaluate on a HetRec folder (default: imported data)");
  cmd->add_option("--seeds", seeds, "Split seeds (default 1 2 3)");
  cmd->add_option("--knn", options.knn_neighbors, "Neighbours kept by item-kNN (default 100)");
  AddAlsFlags(cmd, &als);
  cmd->callback([&g] {
    taste::ListeningData data;
    if (!hetrec.empty()) {
      taste::ListeningBuilder builder;
      std::vector<taste::ImportReport> reports;
      Check(builder.AddHetrecDirectory(hetrec, {}, &reports));
      data = Check(std::move(builder).Build());
    } else {
      data = LoadListening(g);
    }
    options.seeds = seeds;
    options.als = als;
    options.threads = als.threads;
    std::vector<taste::ProtocolResult> results = Check(taste::RunProtocol(data.plays(), options));
    json out = json::array();
    std::string text = "split 80/20 of " + std::to_string(data.plays().nnz()) + " pairs, seeds";
    for (uint64_t seed : seeds) text += " " + std::to_string(seed);
    text += "; ALS factors " + std::to_string(als.factors) + ", regularization " +
            Fixed(als.regularization, 3) + ", alpha " + Fixed(als.alpha, 2) + ", iterations " +
            std::to_string(als.iterations) + ", cg steps " + std::to_string(als.cg_steps) + "\n";
    text += "model              P@10    nDCG@10  MAP@10  coverage  fit s (all seeds)\n";
    for (const taste::ProtocolResult& r : results) {
      out.push_back({{"model", r.name},
                     {"precision_at_10", r.mean.precision},
                     {"ndcg_at_10", r.mean.ndcg},
                     {"map_at_10", r.mean.map},
                     {"coverage", r.mean.coverage},
                     {"listeners", r.mean.listeners},
                     {"fit_seconds", r.fit_seconds}});
      std::string name = r.name;
      name.resize(18, ' ');
      text += name + " " + Fixed(r.mean.precision, 4) + "  " + Fixed(r.mean.ndcg, 4) + "   " +
              Fixed(r.mean.map, 4) + "  " + Fixed(r.mean.coverage, 4) + "    " +
              Fixed(r.fit_seconds, 2) + "\n";
    }
    Print(g, out, text);
  });
}

}  // namespace

void AddTasteCommands(CLI::App& app, Globals& g) {
  auto* taste_cmd = app.add_subcommand(
      "taste", "Listening history, the ALS model and discovery under the policy");
  taste_cmd->require_subcommand(1);
  AddImport(*taste_cmd, g);
  AddDemoCatalog(*taste_cmd, g);
  AddTrain(*taste_cmd, g);
  AddRecommend(*taste_cmd, g);
  AddSimilar(*taste_cmd, g);
  AddPlaylist(*taste_cmd, g);
  AddPrompt(*taste_cmd, g);
  AddEval(*taste_cmd, g);
}

}  // namespace accord::cli
