#include "audio/analysis.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <optional>
#include <set>
#include <thread>

#include "audio/transform.h"

namespace accord::audio {
namespace {

double Round(double value, double unit) { return std::round(value / unit) * unit; }

// libebur128 reports -inf for silence; JSON has no infinities, so silence is null.
nlohmann::json FiniteOrNull(double value, double unit) {
  if (!std::isfinite(value)) return nullptr;
  return Round(value, unit);
}

// A half-band low-pass (cut-off at a quarter of the input rate) of kHalfBandTaps taps: a
// Hann-windowed sinc, whose even-offset taps other than the centre are zero.
constexpr int kHalfBandTaps = 47;

std::vector<float> HalfBandKernel() {
  std::vector<float> kernel(kHalfBandTaps);
  const int center = kHalfBandTaps / 2;
  double sum = 0;
  for (int tap = 0; tap < kHalfBandTaps; ++tap) {
    const int offset = tap - center;
    const double sinc =
        offset == 0 ? 0.5 : std::sin(std::numbers::pi * offset / 2) / (std::numbers::pi * offset);
    const double window =
        0.5 - 0.5 * std::cos(2 * std::numbers::pi * (tap + 1) / (kHalfBandTaps + 1));
    kernel[tap] = static_cast<float>(sinc * window);
    sum += sinc * window;
  }
  for (float& tap : kernel) tap = static_cast<float>(tap / sum);  // unity gain at DC
  return kernel;
}

}  // namespace

Result<AudioBuffer> ToTempoRate(const AudioBuffer& mono) {
  if (mono.channels() != 1) return InvalidArgumentError("ToTempoRate takes one channel");
  if (mono.sample_rate().hz() != 2 * kTempoRate.hz()) {
    return Resample(mono, kTempoRate, ResampleQuality::kFast);
  }
  static const std::vector<float> kernel = HalfBandKernel();
  const std::vector<float>& in = mono.samples();
  const auto size = static_cast<int64_t>(in.size());
  const int64_t center = kHalfBandTaps / 2;
  std::vector<float> out(static_cast<size_t>((size + 1) / 2));
  for (int64_t index = 0; index < static_cast<int64_t>(out.size()); ++index) {
    const int64_t at = 2 * index;
    float sum = kernel[center] * in[at];
    // Only odd offsets carry weight in a half-band kernel.
    for (int64_t offset = 1; offset <= center; offset += 2) {
      const float before = at - offset >= 0 ? in[at - offset] : 0.0f;
      const float after = at + offset < size ? in[at + offset] : 0.0f;
      sum += kernel[center + offset] * (before + after);
    }
    out[index] = sum;
  }
  return AudioBuffer::Make(kTempoRate, 1, std::move(out));
}

Result<TrackAnalysis> AnalyzeBuffer(const AudioBuffer& buffer, const AnalysisOptions& options) {
  TrackAnalysis result;
  result.sample_rate_hz = buffer.sample_rate().hz();
  result.channels = buffer.channels();
  result.duration_ms = buffer.duration_ms();
  ACCORD_ASSIGN_OR_RETURN(result.loudness, MeasureLoudness(buffer));

  ACCORD_ASSIGN_OR_RETURN(AudioBuffer mono,
                          AudioBuffer::Make(buffer.sample_rate(), 1, buffer.MixToMono()));
  // A fast sinc converter is plenty here: tempo and key look below 5 kHz.
  ACCORD_ASSIGN_OR_RETURN(AudioBuffer tempo_mono, ToTempoRate(mono));
  ACCORD_ASSIGN_OR_RETURN(result.grid, TrackBeats(tempo_mono.samples(), kTempoRate, options.tempo));
  result.structure = AnalyzeStructure(tempo_mono.samples(), kTempoRate, result.grid);
  // Resample returns a copy when the rate already matches; at 44.1 kHz that copy of a 5-minute
  // mono track (53 MB of fresh pages) cost about 0.1 CPU-seconds, so it is skipped.
  if (mono.sample_rate() != kAnalysisRate) {
    ACCORD_ASSIGN_OR_RETURN(mono, Resample(mono, kAnalysisRate, ResampleQuality::kFast));
  }
  ACCORD_ASSIGN_OR_RETURN(result.key, DetectKey(mono.samples(), kAnalysisRate));
  if (options.fingerprint) {
    ACCORD_ASSIGN_OR_RETURN(result.fingerprint, ComputeFingerprint(buffer));
  }
  return result;
}

Result<TrackAnalysis> AnalyzeFile(const std::string& path, const AnalysisOptions& options) {
  ACCORD_ASSIGN_OR_RETURN(DecodedAudio decoded, DecodeFile(path, options.limits));
  Result<TrackAnalysis> result = AnalyzeBuffer(decoded.buffer, options);
  if (!result.ok()) return result.status().WithPrefix(path);
  result->source = path;
  result->format = decoded.format;
  return result;
}

std::vector<Result<TrackAnalysis>> AnalyzeFiles(const std::vector<std::string>& paths, int threads,
                                                const AnalysisOptions& options) {
  std::vector<std::optional<Result<TrackAnalysis>>> slots(paths.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t index = next++; index < paths.size(); index = next++) {
      try {
        slots[index].emplace(AnalyzeFile(paths[index], options));
      } catch (const std::exception& e) {
        // qm-dsp and Rubber Band may throw (std::bad_alloc); one file's failure stays its own.
        slots[index].emplace(InternalError(paths[index] + ": " + e.what()));
      }
    }
  };
  const int count = std::clamp(threads, 1, static_cast<int>(std::max<size_t>(1, paths.size())));
  std::vector<std::thread> pool;
  for (int thread = 1; thread < count; ++thread) pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool) thread.join();
  std::vector<Result<TrackAnalysis>> results;
  results.reserve(paths.size());
  for (auto& slot : slots) results.push_back(std::move(*slot));
  return results;
}

Result<std::vector<std::string>> ListAudioFiles(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) return NotFoundError(path + ": no such file or folder");
  if (!fs::is_directory(status)) return std::vector<std::string>{path};
  static const std::set<std::string> kExtensions = {".wav",  ".flac", ".ogg", ".oga",
                                                    ".opus", ".mp3",  ".aif", ".aiff"};
  std::vector<std::string> files;
  for (fs::recursive_directory_iterator
           it(path, fs::directory_options::skip_permission_denied, error),
       end;
       !error && it != end; it.increment(error)) {
    if (!it->is_regular_file()) continue;
    std::string extension = it->path().extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (kExtensions.count(extension) != 0) files.push_back(it->path().string());
  }
  if (error) return NotFoundError(path + ": cannot list: " + error.message());
  std::sort(files.begin(), files.end());
  return files;
}

nlohmann::json AnalysisToJson(const TrackAnalysis& analysis, bool with_beats) {
  using nlohmann::json;
  json out;
  out["source"] = analysis.source;
  out["format"] = analysis.format;
  out["sample_rate_hz"] = analysis.sample_rate_hz;
  out["channels"] = analysis.channels;
  out["duration_ms"] = analysis.duration_ms;
  out["loudness"] = {{"integrated_lufs", analysis.loudness.has_integrated
                                             ? FiniteOrNull(analysis.loudness.integrated_lufs, 0.01)
                                             : json(nullptr)},
                     {"range_lu", Round(analysis.loudness.loudness_range_lu, 0.01)},
                     {"true_peak_dbtp", FiniteOrNull(analysis.loudness.true_peak_dbtp, 0.01)},
                     {"sample_peak_dbfs", FiniteOrNull(analysis.loudness.sample_peak_dbfs, 0.01)}};
  const BeatGrid& grid = analysis.grid;
  json tempo = {{"bpm", Round(grid.bpm, 0.01)},
                {"confidence", Round(grid.confidence, 0.001)},
                {"beats", grid.beat_times_s.size()},
                {"beats_per_bar", grid.beats_per_bar},
                {"downbeats", grid.downbeat_beats.size()}};
  if (!grid.downbeat_beats.empty()) {
    tempo["first_downbeat_s"] = Round(grid.beat_times_s[grid.downbeat_beats.front()], 0.001);
  }
  if (with_beats) {
    json beats = json::array();
    for (double time_s : grid.beat_times_s) beats.push_back(Round(time_s, 0.001));
    tempo["beat_times_s"] = beats;
    tempo["downbeat_beats"] = grid.downbeat_beats;
  }
  out["tempo"] = tempo;
  if (analysis.key.found) {
    out["key"] = {{"name", analysis.key.Name()},
                  {"camelot", analysis.key.Camelot()},
                  {"confidence", Round(analysis.key.confidence, 0.001)}};
  } else {
    out["key"] = nullptr;
  }
  json structure = {{"intro_end_s", Round(analysis.structure.intro_end_s, 0.001)},
                    {"outro_start_s", Round(analysis.structure.outro_start_s, 0.001)},
                    {"energy_window_s", analysis.structure.window_s}};
  if (with_beats) {
    json energy = json::array();
    for (double db : analysis.structure.energy_dbfs) energy.push_back(Round(db, 0.1));
    structure["energy_dbfs"] = energy;
  }
  out["structure"] = structure;
  out["fingerprint"] = analysis.fingerprint.encoded;
  return out;
}

}  // namespace accord::audio
