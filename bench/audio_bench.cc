// audio_bench: accuracy and speed of the audio layer, by hand (docs/audio.md has the figures).
//
//   build/bench/audio_bench [--music DIR] [--quick]
//
// 1. Tempo on the four Muldjord songs of fretsonfire-songs-muldjord (true tempos from their
//    notes.mid tempo maps), ours beside aubio's tempo tracker run in the same process.
// 2. Tempo on synthesized drum patterns 70..190 BPM (two styles, three phases each), ours and
//    aubio; key on chord progressions in all 24 keys.
// 3. Speed on one core: full analysis of a 5-minute stereo track (a real song looped to 300 s)
//    as a multiple of real time, stage by stage; aubio's tempo on the same audio; Rubber Band
//    time-stretch of 60 s of stereo with the R2 and R3 engines.
// Sections that need the music print why they are skipped when it is not installed
// (scripts/setup.sh installs it).
#include <aubio/aubio.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "audio/analysis.h"
#include "audio/decode.h"
#include "audio/fingerprint.h"
#include "audio/key.h"
#include "audio/loudness.h"
#include "audio/rhythm.h"
#include "audio/structure.h"
#include "audio/synth_test_util.h"
#include "audio/transform.h"
#include "bench/bench_util.h"

namespace accord::audio {
namespace {

// Stages are timed in CPU time of this thread (CLOCK_THREAD_CPUTIME_ID) as well as in wall
// time: the machines this runs on are shared, and CPU time is what "x real time on one core"
// means; wall time is printed beside it.
class Stopwatch {
 public:
  double CpuSeconds() const {
    const timespec now = Now();
    return static_cast<double>(now.tv_sec - cpu_.tv_sec) +
           1e-9 * static_cast<double>(now.tv_nsec - cpu_.tv_nsec);
  }
  double WallSeconds() const { return bench::SecondsSince(wall_); }

 private:
  static timespec Now() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return now;
  }
  std::chrono::steady_clock::time_point wall_ = std::chrono::steady_clock::now();
  timespec cpu_ = Now();
};

struct Song {
  const char* folder;
  double true_bpm;
};
constexpr Song kMuldjord[] = {{"armygeddon", 170},
                              {"chaos_god", 170},
                              {"internal_degeneration", 190},
                              {"mutilated_mime", 180}};

struct AubioResult {
  double median_bpm = 0;  // median of 60 / beat interval
  double mean_bpm = 0;    // mean of the same
};

// aubio's tempo tracker as `aubio tempo` runs it (method "default", 1024/512 at the file's
// rate); one BPM per track from the beat intervals, by median (robust) and by mean.
AubioResult AubioTempo(const std::vector<float>& mono, int rate_hz) {
  const uint_t window = 1024;
  const uint_t hop = 512;
  aubio_tempo_t* tempo = new_aubio_tempo("default", window, hop, static_cast<uint_t>(rate_hz));
  fvec_t* in = new_fvec(hop);
  fvec_t* out = new_fvec(1);
  std::vector<double> beats_s;
  for (size_t start = 0; start + hop <= mono.size(); start += hop) {
    std::memcpy(in->data, mono.data() + start, hop * sizeof(float));
    aubio_tempo_do(tempo, in, out);
    if (out->data[0] != 0) beats_s.push_back(aubio_tempo_get_last_s(tempo));
  }
  del_fvec(out);
  del_fvec(in);
  del_aubio_tempo(tempo);
  std::vector<double> bpms;
  for (size_t index = 1; index < beats_s.size(); ++index) {
    const double interval = beats_s[index] - beats_s[index - 1];
    if (interval > 0) bpms.push_back(60.0 / interval);
  }
  AubioResult result;
  if (bpms.empty()) return result;
  double sum = 0;
  for (double bpm : bpms) sum += bpm;
  result.mean_bpm = sum / static_cast<double>(bpms.size());
  std::nth_element(bpms.begin(), bpms.begin() + static_cast<long>(bpms.size() / 2), bpms.end());
  result.median_bpm = bpms[bpms.size() / 2];
  return result;
}

bool Within(double measured, double truth, double fraction) {
  return std::fabs(measured - truth) <= fraction * truth;
}

void RealTempo(const std::string& dir) {
  std::printf("\n## Tempo on the Muldjord songs (%s)\n\n", dir.c_str());
  std::printf(
      "| song | true BPM | accord BPM | error | aubio BPM (mean, as `aubio tempo`) | error | "
      "aubio BPM (median) |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  int ours_ok = 0;
  int aubio_ok = 0;
  for (const Song& song : kMuldjord) {
    const std::string path = dir + "/" + song.folder + "/song.ogg";
    Result<DecodedAudio> decoded = DecodeFile(path);
    if (!decoded.ok()) {
      std::printf("| %s | %.0f | %s | | | | |\n", song.folder, song.true_bpm,
                  decoded.status().ToString().c_str());
      continue;
    }
    const AudioBuffer mono =
        AudioBuffer::Make(decoded->buffer.sample_rate(), 1, decoded->buffer.MixToMono()).value();
    const AudioBuffer tempo_mono = ToTempoRate(mono).value();
    const double ours = TrackBeats(tempo_mono.samples(), kTempoRate)->bpm;
    // aubio at the file's own rate (44.1 kHz), as `aubio tempo` runs it.
    const AubioResult aubio = AubioTempo(mono.samples(), mono.sample_rate().hz());
    ours_ok += Within(ours, song.true_bpm, 0.04);
    aubio_ok += Within(aubio.mean_bpm, song.true_bpm, 0.04);
    std::printf("| %s | %.0f | %.1f | %+.1f%% | %.1f | %+.1f%% | %.1f |\n", song.folder,
                song.true_bpm, ours, 100 * (ours / song.true_bpm - 1), aubio.mean_bpm,
                100 * (aubio.mean_bpm / song.true_bpm - 1), aubio.median_bpm);
  }
  std::printf("\nwithin 4%%: accord %d of 4, aubio %d of 4\n", ours_ok, aubio_ok);
}

void SyntheticAccuracy(bool quick) {
  // Patterns are synthesized at 44.1 kHz; accord resamples to its tempo rate as the analysis
  // does, aubio runs on them as they are (as `aubio tempo` would on a 44.1 kHz file).
  const SampleRateHz rate = kAnalysisRate;
  int total = 0;
  int ours_ok = 0;
  int aubio_mean_ok = 0;
  int aubio_median_ok = 0;
  const double step = quick ? 10 : 2;
  for (testing::DrumStyle style :
       {testing::DrumStyle::kBackbeat, testing::DrumStyle::kFourOnTheFloor}) {
    for (double bpm = 70; bpm <= 190; bpm += step) {
      for (int phase = 0; phase < 3; ++phase) {
        std::vector<float> mono = testing::DrumPattern(rate, bpm, 30, 0.1 + 0.23 * phase,
                                                       static_cast<uint32_t>(1000 + total), style);
        ++total;
        const AudioBuffer tempo_mono =
            ToTempoRate(AudioBuffer::Make(rate, 1, mono).value()).value();
        ours_ok += Within(TrackBeats(tempo_mono.samples(), kTempoRate)->bpm, bpm, 0.04);
        const AubioResult aubio = AubioTempo(mono, rate.hz());
        aubio_mean_ok += Within(aubio.mean_bpm, bpm, 0.04);
        aubio_median_ok += Within(aubio.median_bpm, bpm, 0.04);
      }
    }
  }
  std::printf("\n## Synthetic tempo (70..190 BPM step %.0f, 2 styles x 3 phases, 30 s each)\n\n",
              step);
  std::printf(
      "within 4%%: accord %d of %d (%.1f%%); aubio %d (mean, as `aubio tempo`), %d "
      "(median)\n",
      ours_ok, total, 100.0 * ours_ok / total, aubio_mean_ok, aubio_median_ok);

  int keys_ok = 0;
  for (bool minor : {false, true}) {
    for (int tonic = 0; tonic < 12; ++tonic) {
      Result<Key> key =
          DetectKey(testing::ChordProgression(kAnalysisRate, tonic, minor, 20), kAnalysisRate);
      keys_ok += key->found && key->tonic == tonic && key->minor == minor;
    }
  }
  std::printf("\n## Synthetic key (I-IV-V-I / i-iv-V-i, 20 s each)\n\nexact: %d of 24 (%.1f%%)\n",
              keys_ok, 100.0 * keys_ok / 24);
}

// `seconds` of audio made by repeating `buffer`.
AudioBuffer Loop(const AudioBuffer& buffer, double seconds) {
  const auto frames = static_cast<int64_t>(seconds * buffer.sample_rate().hz());
  std::vector<float> samples(static_cast<size_t>(frames * buffer.channels()));
  for (size_t index = 0; index < samples.size(); ++index) {
    samples[index] = buffer.samples()[index % buffer.samples().size()];
  }
  return AudioBuffer::Make(buffer.sample_rate(), buffer.channels(), std::move(samples)).value();
}

void Row(const char* stage, const Stopwatch& watch, double audio_s) {
  const double cpu_s = watch.CpuSeconds();
  std::printf("| %s | %.3f | %.0fx | %.3f |\n", stage, cpu_s, audio_s / cpu_s, watch.WallSeconds());
}

void Speed(const std::string& path) {
  std::printf("\n## Speed on one core (%s looped to 300 s, stereo)\n\n", path.c_str());
  std::printf("| stage | CPU s | x real time (CPU) | wall s |\n|---|---:|---:|---:|\n");
  auto decode_watch = std::make_unique<Stopwatch>();
  Result<DecodedAudio> decoded = DecodeFile(path);
  if (!decoded.ok()) {
    std::printf("skipped: %s\n", decoded.status().ToString().c_str());
    return;
  }
  Row("decode Ogg Vorbis (the song itself, not looped)", *decode_watch,
      decoded->buffer.duration_seconds());
  const AudioBuffer track = Loop(decoded->buffer, 300);
  const double audio_s = track.duration_seconds();

  auto watch = std::make_unique<Stopwatch>();
  const Loudness loudness = MeasureLoudness(track).value();
  Row("loudness (I, LRA, true peak)", *watch, audio_s);
  watch = std::make_unique<Stopwatch>();
  const AudioBuffer mono = AudioBuffer::Make(track.sample_rate(), 1, track.MixToMono()).value();
  const AudioBuffer tempo_mono = ToTempoRate(mono).value();
  Row("mono mix + half-band decimation to 22.05 kHz", *watch, audio_s);
  watch = std::make_unique<Stopwatch>();
  const BeatGrid grid = TrackBeats(tempo_mono.samples(), kTempoRate).value();
  Row("tempo, beats, downbeats (qm-dsp, 22.05 kHz)", *watch, audio_s);
  watch = std::make_unique<Stopwatch>();
  const Key key = DetectKey(mono.samples(), mono.sample_rate()).value();
  Row("key (qm-dsp, 44.1 kHz)", *watch, audio_s);
  watch = std::make_unique<Stopwatch>();
  const StructureInfo structure = AnalyzeStructure(tempo_mono.samples(), kTempoRate, grid);
  Row("energy, intro/outro", *watch, audio_s);
  watch = std::make_unique<Stopwatch>();
  const Fingerprint print = ComputeFingerprint(track).value();
  Row("fingerprint (Chromaprint, first 120 s)", *watch, audio_s);
  watch = std::make_unique<Stopwatch>();
  const TrackAnalysis all = AnalyzeBuffer(track).value();
  Row("**full analysis (AnalyzeBuffer, all of the above)**", *watch, audio_s);
  watch = std::make_unique<Stopwatch>();
  const double aubio_bpm = AubioTempo(mono.samples(), mono.sample_rate().hz()).mean_bpm;
  Row("aubio tempo, for comparison", *watch, audio_s);
  std::printf(
      "\n(results: %.1f LUFS, %.1f BPM, key %s, outro from %.0f s, %zu sub-prints; full "
      "analysis %.1f BPM; aubio %.1f BPM)\n",
      loudness.integrated_lufs, grid.bpm, key.Name().c_str(), structure.outro_start_s,
      print.raw.size(), all.grid.bpm, aubio_bpm);

  const AudioBuffer minute = Loop(decoded->buffer, 60);
  std::printf(
      "\n| time-stretch 60 s stereo, ratio 1.1 | CPU s | x real time (CPU) | wall s |\n"
      "|---|---:|---:|---:|\n");
  for (StretchEngine engine : {StretchEngine::kFaster, StretchEngine::kFiner}) {
    watch = std::make_unique<Stopwatch>();
    Result<AudioBuffer> stretched = StretchAndShift(minute, {1.1, 0.0, engine});
    Row(engine == StretchEngine::kFaster ? "Rubber Band R2 (faster)" : "Rubber Band R3 (finer)",
        *watch, 60.0);
    if (!stretched.ok()) std::printf("failed: %s\n", stretched.status().ToString().c_str());
  }
}

int Main(int argc, char** argv) {
  std::string dir = "/usr/share/games/fretsonfire/data/songs/muldjord";
  bool quick = false;
  for (int index = 1; index < argc; ++index) {
    const std::string arg = argv[index];
    if (arg == "--music" && index + 1 < argc) {
      dir = argv[++index];
    } else if (arg == "--quick") {
      quick = true;
    } else {
      std::fprintf(stderr, "usage: audio_bench [--music DIR] [--quick]\n");
      return 2;
    }
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows as it happens
  std::printf("# audio_bench\n\nmachine: %s\n", bench::MachineDescription().c_str());
  const bool have_music = std::filesystem::exists(dir + "/armygeddon/song.ogg");
  if (have_music) {
    RealTempo(dir);
  } else {
    std::printf(
        "\nskipped the real-music sections: %s/armygeddon/song.ogg not found; run "
        "scripts/setup.sh (fretsonfire-songs-muldjord) or pass --music DIR\n",
        dir.c_str());
  }
  SyntheticAccuracy(quick);
  if (have_music) Speed(dir + "/armygeddon/song.ogg");
  aubio_cleanup();
  return 0;
}

}  // namespace
}  // namespace accord::audio

int main(int argc, char** argv) { return accord::audio::Main(argc, argv); }
