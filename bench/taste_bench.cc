// End-to-end benchmarks of the taste layer (issue: taste and discovery). Run by hand; the
// figures and commands are in docs/taste.md.
//
//   build/bench/taste_bench als [--listeners N] [--items N] [--nnz N] [--factors K]
//                               [--iterations I] [--threads T] [--seed S]
//     ALS training time per iteration on a generated power-law matrix shaped like
//     Last.fm-360K (default 359,000 x 292,000, 16.7M non-zeros).
//   build/bench/taste_bench index [--items N] [--dim D] [--queries Q] [--fractions a,b,c]
//                                 [--cos-cap a,b] [--probe-lists a,b] [--lists L]
//                                 [--method auto|ordered|exact] [--build-threads T]
//                                 [--repeats R] [--query-seed S] [--vectors generated|als]
//                                 [--anchor-hnsw M] [--anchor-ef E] [--anchor-ef-construction C]
//     Filtered top-10 on generated item vectors (default 1M x 64) at each allowed fraction:
//     recall@10 against an exact scan of the allowed set, and queries per second on one
//     thread (median of R passes), the per-query policy work (method choice) included.
//     --vectors als searches the item factors of an ALS model trained on a Last.fm-360K-shaped
//     matrix of --items items instead of generated vectors, with listener factors as queries.
//     --anchor-hnsw M also builds the anchor on the same vectors, FAISS HNSW (inner
//     product, degree M), and measures its filtered search (IDSelectorBitmap) in the same run.
#include <faiss/IndexHNSW.h>
#include <faiss/impl/IDSelector.h>
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "taste/als.h"
#include "taste/vector_index.h"

namespace accord::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Flags {
  std::vector<std::string> args;
  std::string Get(const std::string& name, const std::string& fallback) const {
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == name) return args[i + 1];
    }
    return fallback;
  }
  double Number(const std::string& name, double fallback) const {
    return std::stod(Get(name, std::to_string(fallback)));
  }
};

// A listener x item matrix with power-law marginals: listener activity lognormal, item
// popularity Zipf(1.0) (Last.fm's long tail), duplicates within a row dropped.
taste::SparseMatrix PowerLawMatrix(uint32_t listeners, uint32_t items, uint64_t nnz,
                                   uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> cdf(items);
  double total = 0;
  for (uint32_t i = 0; i < items; ++i) {
    total += 1.0 / std::pow(static_cast<double>(i) + 10.0, 1.0);
    cdf[i] = total;
  }
  for (double& c : cdf) c /= total;
  std::lognormal_distribution<double> activity(0.0, 1.0);
  std::vector<double> weight(listeners);
  double weight_sum = 0;
  for (double& w : weight) weight_sum += (w = activity(rng));
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  // Item ids are shuffled so that popularity is not correlated with the id.
  std::vector<uint32_t> permutation(items);
  for (uint32_t i = 0; i < items; ++i) permutation[i] = i;
  std::shuffle(permutation.begin(), permutation.end(), rng);
  taste::SparseMatrix m;
  m.rows = listeners;
  m.cols = items;
  m.offsets.assign(size_t{listeners} + 1, 0);
  m.columns.reserve(nnz);
  m.values.reserve(nnz);
  std::vector<uint32_t> row;
  for (uint32_t u = 0; u < listeners; ++u) {
    const auto count = std::max<uint64_t>(
        1, std::min<uint64_t>(items / 10, static_cast<uint64_t>(std::llround(
                                              weight[u] / weight_sum * static_cast<double>(nnz)))));
    row.clear();
    // Draw until the row has `count` distinct items (a few rounds: repeats are from the head).
    for (int round = 0; round < 50 && row.size() < count; ++round) {
      for (uint64_t k = row.size(); k < count; ++k) {
        const auto it = std::lower_bound(cdf.begin(), cdf.end(), uniform(rng));
        row.push_back(permutation[static_cast<size_t>(
            std::min<ptrdiff_t>(it - cdf.begin(), static_cast<ptrdiff_t>(items) - 1))]);
      }
      std::sort(row.begin(), row.end());
      row.erase(std::unique(row.begin(), row.end()), row.end());
    }
    for (uint32_t item : row) {
      m.columns.push_back(item);
      m.values.push_back(static_cast<float>(1 + (rng() % 200)));
    }
    m.offsets[u + 1] = m.columns.size();
  }
  return m;
}

int RunAls(const Flags& flags) {
  const auto listeners = static_cast<uint32_t>(flags.Number("--listeners", 359000));
  const auto items = static_cast<uint32_t>(flags.Number("--items", 292000));
  const auto nnz = static_cast<uint64_t>(flags.Number("--nnz", 16.7e6));
  taste::AlsOptions options;
  options.factors = static_cast<int>(flags.Number("--factors", 64));
  options.iterations = static_cast<int>(flags.Number("--iterations", 3));
  options.threads = static_cast<int>(flags.Number("--threads", 2));
  options.cg_steps = static_cast<int>(flags.Number("--cg-steps", 3));
  options.seed = static_cast<uint64_t>(flags.Number("--seed", 1));
  std::printf("machine: %s\n", MachineDescription().c_str());
  auto start = Clock::now();
  const taste::SparseMatrix m = PowerLawMatrix(listeners, items, nnz, options.seed);
  std::printf("generated %u x %u, %llu non-zeros in %.1f s\n", listeners, items,
              static_cast<unsigned long long>(m.nnz()), SecondsSince(start));
  std::vector<double> seconds;
  std::vector<double> cpu_seconds;
  start = Clock::now();
  Result<taste::AlsModel> model =
      taste::TrainAls(m, options, [&](const taste::AlsIterationStats& s) {
        seconds.push_back(s.seconds_users + s.seconds_items);
        cpu_seconds.push_back(s.cpu_seconds);
        std::printf("iteration %d: %.2f s (listeners %.2f s, items %.2f s), CPU %.2f s\n",
                    s.iteration, s.seconds_users + s.seconds_items, s.seconds_users,
                    s.seconds_items, s.cpu_seconds);
        std::fflush(stdout);
      });
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "ALS %d factors, %d CG steps, %d threads: median %.2f s per iteration, CPU %.2f s "
      "(total incl. transposition %.1f s)\n",
      options.factors, options.cg_steps, options.threads, Median(seconds), Median(cpu_seconds),
      SecondsSince(start));
  return 0;
}

// Item vectors shaped like ALS factors: a mixture of 1,000 clusters (taste neighbourhoods)
// with lognormal norms (popular items have longer vectors), seeded.
taste::FactorMatrix ItemLikeVectors(uint32_t rows, int dim, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::lognormal_distribution<float> norm(0.0f, 0.5f);
  constexpr int kClusters = 1000;
  taste::FactorMatrix centers(kClusters, dim);
  for (Eigen::Index i = 0; i < centers.size(); ++i) centers.data()[i] = gauss(rng);
  taste::FactorMatrix m(rows, dim);
  for (uint32_t r = 0; r < rows; ++r) {
    const auto c = static_cast<Eigen::Index>(rng() % kClusters);
    for (int d = 0; d < dim; ++d) m(r, d) = centers(c, d) + 0.7f * gauss(rng);
    m.row(r) *= norm(rng) / m.row(r).norm();
  }
  return m;
}

rights::RecordingBitmap RandomAllowed(uint32_t size, double fraction, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution keep(fraction);
  rights::RecordingBitmap bitmap(size);
  for (uint32_t i = 0; i < size; ++i) {
    if (keep(rng)) bitmap.mutable_words()[i >> 6] |= uint64_t{1} << (i & 63);
  }
  return bitmap;
}

// Mean recall@10 of `results` against `truth` over the queries; -1 (after a message) when a
// disallowed item was returned.
double Recall(const std::vector<std::vector<taste::SearchHit>>& truth,
              const std::vector<std::vector<taste::SearchHit>>& results,
              const rights::RecordingBitmap& allowed) {
  double recall = 0;
  for (size_t q = 0; q < truth.size(); ++q) {
    std::set<uint32_t> expected;
    for (const auto& hit : truth[q]) expected.insert(hit.item);
    int found = 0;
    for (const auto& hit : results[q]) {
      found += static_cast<int>(expected.count(hit.item));
      if (!allowed.Test(hit.item)) {
        std::fprintf(stderr, "BUG: a disallowed item was returned\n");
        return -1;
      }
    }
    recall +=
        static_cast<double>(found) / static_cast<double>(std::max<size_t>(1, truth[q].size()));
  }
  return truth.empty() ? 0 : recall / static_cast<double>(truth.size());
}

int RunIndex(const Flags& flags) {
  const auto items = static_cast<uint32_t>(flags.Number("--items", 1e6));
  const int dim = static_cast<int>(flags.Number("--dim", 64));
  const int queries = static_cast<int>(flags.Number("--queries", 1000));
  taste::IndexOptions options;
  const std::string method = flags.Get("--method", "auto");
  options.method = method == "exact"     ? taste::IndexOptions::Method::kExact
                   : method == "ordered" ? taste::IndexOptions::Method::kLengthOrder
                                         : taste::IndexOptions::Method::kAuto;
  // Each value is measured on the same index.
  std::vector<float> cos_caps;
  {
    std::stringstream list(flags.Get("--cos-cap", std::to_string(options.cos_cap)));
    std::string part;
    while (std::getline(list, part, ',')) cos_caps.push_back(std::stof(part));
  }
  std::vector<int> probe_values;
  {
    std::stringstream list(flags.Get("--probe-lists", std::to_string(options.probe_lists)));
    std::string part;
    while (std::getline(list, part, ',')) probe_values.push_back(std::stoi(part));
  }
  options.lists = static_cast<uint32_t>(flags.Number("--lists", 0));
  options.build_threads = static_cast<int>(flags.Number("--build-threads", 2));
  const int repeats = std::max(1, static_cast<int>(flags.Number("--repeats", 3)));
  std::vector<double> fractions;
  {
    std::stringstream list(flags.Get("--fractions", "0.01,0.1,0.5"));
    std::string part;
    while (std::getline(list, part, ',')) fractions.push_back(std::stod(part));
  }
  std::printf("machine: %s\n", MachineDescription().c_str());
  taste::FactorMatrix vectors;
  taste::FactorMatrix query_vectors;
  const std::string source = flags.Get("--vectors", "generated");
  if (source == "als") {
    // Real ALS factors rather than a generator's guess at their shape: the item factors of a
    // model trained on the Last.fm-360K-shaped matrix of `als` (--items of them, listeners and
    // non-zeros scaled alike), queried with the factors of listeners drawn at random, as
    // `recommend` queries.
    const double scale = items / 292000.0;
    const auto listeners = static_cast<uint32_t>(std::llround(359000 * scale));
    const taste::SparseMatrix m =
        PowerLawMatrix(listeners, items, static_cast<uint64_t>(16.7e6 * scale), 1);
    taste::AlsOptions als;
    als.factors = dim;
    als.iterations = static_cast<int>(flags.Number("--als-iterations", 10));
    als.threads = 2;
    auto start = Clock::now();
    Result<taste::AlsModel> model = taste::TrainAls(m, als);
    if (!model.ok()) {
      std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
      return 1;
    }
    std::printf(
        "ALS item factors: %u listeners x %u items, %llu non-zeros, %d iterations, %.1f s\n",
        listeners, items, static_cast<unsigned long long>(m.nnz()), als.iterations,
        SecondsSince(start));
    vectors = model->item_factors();
    query_vectors.resize(queries, dim);
    std::mt19937_64 rng(static_cast<uint64_t>(flags.Number("--query-seed", 2)));
    for (int q = 0; q < queries; ++q) {
      query_vectors.row(q) =
          model->user_factors().row(static_cast<Eigen::Index>(rng() % listeners));
    }
  } else {
    vectors = ItemLikeVectors(items, dim, 1);
    // Seed 2 draws queries around other centres than the items'; --query-seed 1 makes the
    // queries the first items themselves (a "similar items" workload).
    query_vectors = ItemLikeVectors(static_cast<uint32_t>(queries), dim,
                                    static_cast<uint64_t>(flags.Number("--query-seed", 2)));
  }
  auto start = Clock::now();
  Result<std::unique_ptr<taste::ItemIndex>> index = taste::ItemIndex::Build(vectors, options);
  if (!index.ok()) {
    std::fprintf(stderr, "%s\n", index.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "index over %u x %d (%u direction lists, data cos_cap %.3f) built in %.1f s (%d OpenMP "
      "threads)\n",
      items, dim, (*index)->lists(), (*index)->cos_cap(), SecondsSince(start),
      options.build_threads);
  // --anchor-hnsw M builds the anchor on the same vectors (graph degree M).
  std::unique_ptr<faiss::IndexHNSWFlat> anchor;
  const int anchor_m = static_cast<int>(flags.Number("--anchor-hnsw", 0));
  const int anchor_ef = static_cast<int>(flags.Number("--anchor-ef", 256));
  if (anchor_m > 0) {
    start = Clock::now();
    omp_set_num_threads(options.build_threads > 0 ? options.build_threads : 2);
    anchor = std::make_unique<faiss::IndexHNSWFlat>(dim, anchor_m, faiss::METRIC_INNER_PRODUCT);
    anchor->hnsw.efConstruction = static_cast<int>(flags.Number("--anchor-ef-construction", 40));
    anchor->add(vectors.rows(), vectors.data());
    std::printf("anchor: FAISS HNSW M=%d efConstruction=%d built in %.1f s\n", anchor_m,
                anchor->hnsw.efConstruction, SecondsSince(start));
  }
  omp_set_num_threads(1);  // queries on one thread, as the issue asks
  std::printf(
      "fraction  cos_cap  probes  ordered/exact/handed over  rows checked  rows scored  recall@10  "
      "queries/s (1 thread, median of %d)\n",
      repeats);
  for (double fraction : fractions) {
    const rights::RecordingBitmap allowed = RandomAllowed(items, fraction, 3);
    const size_t allowed_count = allowed.Count();
    std::vector<std::vector<taste::SearchHit>> truth(static_cast<size_t>(queries));
    for (int q = 0; q < queries; ++q) {
      truth[static_cast<size_t>(q)] =
          (*index)->ExactSearch(query_vectors.row(q).data(), 10, &allowed);
    }
    for (float cos_cap : cos_caps) {
      for (int probe_lists : probe_values) {
        options.cos_cap = cos_cap;
        options.probe_lists = probe_lists;
        if (Status status = (*index)->SetSearchOptions(options); !status.ok()) {
          std::fprintf(stderr, "%s\n", status.ToString().c_str());
          return 1;
        }
        std::vector<std::vector<taste::SearchHit>> results(static_cast<size_t>(queries));
        taste::SearchStats stats;
        int ordered = 0, handed_over = 0;
        double rows_checked = 0, rows_scored = 0;
        std::vector<double> qps_runs;
        for (int repeat = 0; repeat < repeats; ++repeat) {
          ordered = handed_over = 0;
          rows_checked = rows_scored = 0;
          start = Clock::now();
          for (int q = 0; q < queries; ++q) {
            Result<std::vector<taste::SearchHit>> hits =
                (*index)->Search(query_vectors.row(q).data(), 10, &allowed, allowed_count, &stats);
            if (!hits.ok()) {
              std::fprintf(stderr, "%s\n", hits.status().ToString().c_str());
              return 1;
            }
            results[static_cast<size_t>(q)] = std::move(*hits);
            ordered += stats.exact ? 0 : 1;
            handed_over += stats.handed_over ? 1 : 0;
            rows_checked += static_cast<double>(stats.items_checked);
            rows_scored += static_cast<double>(stats.rows_scored);
          }
          qps_runs.push_back(queries / SecondsSince(start));
        }
        const double recall = Recall(truth, results, allowed);
        if (recall < 0) return 1;
        std::printf("%8.2f  %7.3f  %6d  %6d/%6d/%6d        %12.0f  %11.0f  %9.4f  %.0f\n", fraction,
                    (*index)->cos_cap(), probe_lists, ordered, queries - ordered - handed_over,
                    handed_over, rows_checked / queries, rows_scored / queries, recall,
                    Median(qps_runs));
        std::fflush(stdout);
      }
    }
    if (anchor != nullptr) {
      // The anchor, side by side: FAISS HNSW (inner product) searched under the same
      // bitmap through SearchParametersHNSW + IDSelectorBitmap. RecordingBitmap keeps bit i at
      // bit i % 64 of word i / 64, which on little-endian is FAISS's byte layout.
      faiss::IDSelectorBitmap selector(allowed.words().size() * sizeof(uint64_t),
                                       reinterpret_cast<const uint8_t*>(allowed.words().data()));
      faiss::SearchParametersHNSW params;
      params.efSearch = anchor_ef;
      params.sel = &selector;
      std::vector<std::vector<taste::SearchHit>> results(static_cast<size_t>(queries));
      std::vector<double> qps_runs;
      std::vector<float> distances(10);
      std::vector<faiss::Index::idx_t> labels(10);
      for (int repeat = 0; repeat < repeats; ++repeat) {
        start = Clock::now();
        for (int q = 0; q < queries; ++q) {
          anchor->search(1, query_vectors.row(q).data(), 10, distances.data(), labels.data(),
                         &params);
          std::vector<taste::SearchHit>& hits = results[static_cast<size_t>(q)];
          hits.clear();
          for (int n = 0; n < 10 && labels[n] >= 0; ++n) {
            hits.push_back({static_cast<uint32_t>(labels[n]), distances[n]});
          }
        }
        qps_runs.push_back(queries / SecondsSince(start));
      }
      const double recall = Recall(truth, results, allowed);
      if (recall < 0) return 1;
      std::printf(
          "%8.2f  FAISS HNSW + IDSelectorBitmap (anchor), efSearch %d: recall@10 %.4f  %.0f "
          "queries/s\n",
          fraction, anchor_ef, recall, Median(qps_runs));
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace
}  // namespace accord::bench

int main(int argc, char** argv) {
  accord::bench::Flags flags;
  for (int i = 2; i < argc; ++i) flags.args.emplace_back(argv[i]);
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "als") return accord::bench::RunAls(flags);
    if (mode == "index") return accord::bench::RunIndex(flags);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bad flag value: %s\n", e.what());
    return 2;
  }
  std::fprintf(stderr, "usage: taste_bench als|index [flags] (see the file's comment)\n");
  return 2;
}
