// Small helpers shared by the end-to-end benchmarks: the machine's description, timing, and
// percentiles. Benchmarks print figures; they never assert.
#ifndef ACCORD_BENCH_BENCH_UTIL_H_
#define ACCORD_BENCH_BENCH_UTIL_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace accord::bench {

// "AMD EPYC 7B13, 2 cores, g++ 12.2.0": printed at the top of every benchmark's output.
inline std::string MachineDescription() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " cores, g++ " +
         __VERSION__;
}

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The process's peak resident memory so far (VmHWM), in gigabytes; 0 when unknown.
inline double PeakResidentGigabytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / (1024.0 * 1024.0);
  }
  return 0;
}

// The q-quantile (0..1) of `values` (copied and partially sorted).
template <typename T>
T Quantile(std::vector<T> values, double q) {
  if (values.empty()) return T{};
  size_t k = static_cast<size_t>(q * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(k), values.end());
  return values[k];
}

template <typename T>
T Median(std::vector<T> values) {
  return Quantile(std::move(values), 0.5);
}

// Keeps the optimiser from discarding a computed value.
template <typename T>
inline void DoNotOptimize(const T& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}

}  // namespace accord::bench

#endif  // ACCORD_BENCH_BENCH_UTIL_H_
