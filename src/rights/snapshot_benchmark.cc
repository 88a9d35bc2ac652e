// Micro-benchmarks of the compiled snapshot on the hand-built policy example world, widened to
// many recordings. The end-to-end figures on a realistic 1M-recording world come from
// bench/policy_bench.cc; these isolate the per-call cost of each entry point.
#include <benchmark/benchmark.h>

#include <cstdio>

#include "rights/policy_test_world.h"
#include "rights/snapshot.h"

namespace accord::rights {
namespace {

using testing::T;
using testing::Where;

std::shared_ptr<const Snapshot> WideSnapshot(int recordings) {
  Registry world = testing::PolicyExampleWorld();
  const catalog::Recording base = world.recordings[0];
  for (int i = 3; i < recordings; ++i) {
    catalog::Recording copy = base;
    char isrc[16];
    std::snprintf(isrc, sizeof(isrc), "QZDEM%07d", i);
    copy.isrc = testing::R(isrc);
    world.recordings.push_back(copy);
  }
  return *Snapshot::Build(world);
}

void BM_Allowed(benchmark::State& state) {
  auto snapshot = WideSnapshot(100000);
  const Territory de = Where("DE");
  const Timestamp at = T("2026-06-01");
  uint32_t r = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(snapshot->Allowed(Scope::kDj, r, de, at));
    r = (r + 7919) % snapshot->recording_count();
  }
}
BENCHMARK(BM_Allowed);

void BM_DecideExplained(benchmark::State& state) {
  auto snapshot = WideSnapshot(100000);
  const Territory de = Where("DE");
  const Timestamp at = T("2026-06-01");
  uint32_t r = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(snapshot->Decide(Scope::kRemix, r, de, at));
    r = (r + 7919) % snapshot->recording_count();
  }
}
BENCHMARK(BM_DecideExplained);

void BM_Filter(benchmark::State& state) {
  auto snapshot = WideSnapshot(static_cast<int>(state.range(0)));
  RecordingBitmap bitmap;
  for (auto _ : state) {
    snapshot->Filter(Scope::kDj, Where("DE"), T("2026-06-01"), &bitmap);
    benchmark::DoNotOptimize(bitmap.words().data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Filter)->Arg(100000);

}  // namespace
}  // namespace accord::rights

BENCHMARK_MAIN();
