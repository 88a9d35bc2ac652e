// End-to-end benchmarks of the taste layer (issue: taste and discovery). Run by hand; the
// figures and commands are in docs/taste.md.
//
//   build/bench/taste_bench als [--listeners N] [--items N] [--nnz N] [--factors K]
//                               [--iterations I] [--threads T] [--seed S]
//     ALS training time per iteration on a generated power-law matrix shaped like
//     Last.fm-360K (default 359,000 x 292,000, 16.7M non-zeros).
//   build/bench/taste_bench index [--items N] [--dim D] [--queries Q] [--fractions a,b,c]
//                                 [--ef E] [--widening W] [--exact-below F] [--m M]
//     Filtered top-10 on generated item vectors (default 1M x 64) at each allowed fraction:
//     recall@10 against an exact scan of the allowed set, and queries per second on one
//     thread, the per-query policy work (bitmap to selector, method choice) included.
//     --graph-min-items N above --items skips the graph: every query is an exact scan.
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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
  start = Clock::now();
  Result<taste::AlsModel> model =
      taste::TrainAls(m, options, [&seconds](const taste::AlsIterationStats& s) {
        seconds.push_back(s.seconds_users + s.seconds_items);
        std::printf("iteration %d: %.2f s (listeners %.2f s, items %.2f s)\n", s.iteration,
                    s.seconds_users + s.seconds_items, s.seconds_users, s.seconds_items);
        std::fflush(stdout);
      });
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "ALS %d factors, %d CG steps, %d threads: median %.2f s per iteration "
      "(total incl. transposition %.1f s)\n",
      options.factors, options.cg_steps, options.threads, Median(seconds), SecondsSince(start));
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

int RunIndex(const Flags& flags) {
  const auto items = static_cast<uint32_t>(flags.Number("--items", 1e6));
  const int dim = static_cast<int>(flags.Number("--dim", 64));
  const int queries = static_cast<int>(flags.Number("--queries", 1000));
  taste::IndexOptions options;
  options.hnsw_m = static_cast<int>(flags.Number("--m", 32));
  options.ef_construction = static_cast<int>(flags.Number("--ef-construction", 80));
  options.ef_search = static_cast<int>(flags.Number("--ef", 64));
  options.ef_widening = flags.Number("--widening", 0.5);
  options.exact_below_fraction = flags.Number("--exact-below", 0.05);
  // 0 = always build the graph; a value above --items measures the exact scan alone.
  options.graph_min_items = static_cast<uint32_t>(flags.Number("--graph-min-items", 0));
  std::vector<double> fractions;
  {
    std::stringstream list(flags.Get("--fractions", "0.01,0.1,0.5"));
    std::string part;
    while (std::getline(list, part, ',')) fractions.push_back(std::stod(part));
  }
  std::printf("machine: %s\n", MachineDescription().c_str());
  const taste::FactorMatrix vectors = ItemLikeVectors(items, dim, 1);
  const taste::FactorMatrix query_vectors = ItemLikeVectors(static_cast<uint32_t>(queries), dim, 2);
  auto start = Clock::now();
  Result<std::unique_ptr<taste::ItemIndex>> index = taste::ItemIndex::Build(vectors, options);
  if (!index.ok()) {
    std::fprintf(stderr, "%s\n", index.status().ToString().c_str());
    return 1;
  }
  std::printf("%s M=%d efConstruction=%d over %u x %d built in %.1f s (%d OpenMP threads)\n",
              (*index)->has_graph() ? "HNSW" : "no graph (exact scan only)", options.hnsw_m,
              options.ef_construction, items, dim, SecondsSince(start), omp_get_max_threads());
  omp_set_num_threads(1);  // queries on one thread, as the issue asks
  std::printf("fraction  method        ef   recall@10  queries/s (1 thread)\n");
  for (double fraction : fractions) {
    const rights::RecordingBitmap allowed = RandomAllowed(items, fraction, 3);
    const size_t allowed_count = allowed.Count();
    std::vector<std::vector<taste::SearchHit>> results(static_cast<size_t>(queries));
    taste::SearchStats stats;
    start = Clock::now();
    for (int q = 0; q < queries; ++q) {
      Result<std::vector<taste::SearchHit>> hits =
          (*index)->Search(query_vectors.row(q).data(), 10, &allowed, allowed_count, &stats);
      if (!hits.ok()) {
        std::fprintf(stderr, "%s\n", hits.status().ToString().c_str());
        return 1;
      }
      results[static_cast<size_t>(q)] = std::move(*hits);
    }
    const double qps = queries / SecondsSince(start);
    double recall = 0;
    for (int q = 0; q < queries; ++q) {
      const std::vector<taste::SearchHit> truth =
          (*index)->ExactSearch(query_vectors.row(q).data(), 10, &allowed);
      std::set<uint32_t> expected;
      for (const auto& hit : truth) expected.insert(hit.item);
      int found = 0;
      for (const auto& hit : results[static_cast<size_t>(q)]) {
        found += expected.count(hit.item);
        if (!allowed.Test(hit.item)) {
          std::fprintf(stderr, "BUG: a disallowed item was returned\n");
          return 1;
        }
      }
      recall += static_cast<double>(found) / static_cast<double>(truth.size());
    }
    std::printf("%8.2f  %-12s %4d   %.4f     %.0f\n", fraction,
                stats.exact ? "exact scan" : "HNSW+bitmap", stats.exact ? 0 : stats.ef_search,
                recall / queries, qps);
    std::fflush(stdout);
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
