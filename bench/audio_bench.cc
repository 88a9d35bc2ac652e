// audio_bench: accuracy and speed of the audio layer, by hand (docs/audio.md has the figures).
//
//   build/bench/audio_bench [--music DIR] [--quick] [--speed] [--runs N]
//
// --speed runs section 3 only; --runs sets how many runs each speed figure is the median of
// (default 3).
//
// 1. Tempo on the four Muldjord songs of fretsonfire-songs-muldjord (true tempos from their
//    notes.mid tempo maps), ours beside aubio's tempo tracker run in the same process.
// 2. Tempo on synthesized drum patterns 70..190 BPM (two styles, three phases each), ours and
//    aubio; key on chord progressions in all 24 keys.
// 3. Speed on one core: full analysis of a 5-minute stereo track (a real song looped to 300 s)
//    as a multiple of real time, stage by stage, with libebur128's full meter and aubio's tempo
//    on the same audio; Rubber Band time-stretch of 60 s of stereo with the R2 and R3 engines,
//    ours and the `rubberband` program's (rubberband-cli) on the same samples, when installed.
// Sections that need the music print why they are skipped when it is not installed
// (scripts/setup.sh installs it).
#include <aubio/aubio.h>
#include <ebur128.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "audio/analysis.h"
#include "audio/decode.h"
#include "audio/encode.h"
#include "audio/fingerprint.h"
#include "audio/key.h"
#include "audio/loudness.h"
#include "audio/rhythm.h"
#include "audio/structure.h"
#include "audio/synth_test_util.h"
#include "audio/transform.h"
#include "audio/true_peak.h"
#include "bench/bench_util.h"

namespace accord::audio {
namespace {

// Stages are timed in CPU time of this thread (CLOCK_THREAD_CPUTIME_ID; of the process for
// Rubber Band, which may start threads) as well as in wall time: the machines this runs on are
// shared, and CPU time is what "x real time on one core" means; wall time is printed beside it.
class Stopwatch {
 public:
  explicit Stopwatch(bool process_cpu = false)
      : clock_(process_cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_THREAD_CPUTIME_ID),
        cpu_(Now(clock_)) {}
  double CpuSeconds() const {
    const timespec now = Now(clock_);
    return static_cast<double>(now.tv_sec - cpu_.tv_sec) +
           1e-9 * static_cast<double>(now.tv_nsec - cpu_.tv_nsec);
  }
  double WallSeconds() const { return bench::SecondsSince(wall_); }

 private:
  static timespec Now(clockid_t clock) {
    timespec now{};
    clock_gettime(clock, &now);
    return now;
  }
  clockid_t clock_;
  std::chrono::steady_clock::time_point wall_ = std::chrono::steady_clock::now();
  timespec cpu_;
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

// Median CPU and wall seconds of `runs` runs of `work`. CPU time is the thread's for work that
// stays on this thread, the process's for work that may start threads (Rubber Band).
struct Timing {
  double cpu_s = 0;
  double wall_s = 0;
};

template <typename Work>
Timing Measure(int runs, bool process_cpu, Work&& work) {
  std::vector<double> cpu;
  std::vector<double> wall;
  for (int run = 0; run < runs; ++run) {
    const Stopwatch watch(process_cpu);
    work();
    cpu.push_back(watch.CpuSeconds());
    wall.push_back(watch.WallSeconds());
  }
  return {bench::Median(cpu), bench::Median(wall)};
}

void Row(const char* stage, const Timing& timing, double audio_s, const char* anchor = "") {
  std::printf("| %s | %.3f | %.0fx | %.3f | %.0fx | %s |\n", stage, timing.cpu_s,
              audio_s / timing.cpu_s, timing.wall_s, audio_s / timing.wall_s, anchor);
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// libebur128 alone with every mode MeasureLoudness used to ask of it (I, LRA, sample peak and
// its own true peak): the anchor and this layer's loudness stage before decision 0009.
double Libebur128Everything(const AudioBuffer& buffer) {
  ebur128_state* state = ebur128_init(
      static_cast<unsigned>(buffer.channels()),
      static_cast<unsigned long>(buffer.sample_rate().hz()),
      EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_SAMPLE_PEAK);
  constexpr int64_t kBlock = 65536;
  for (int64_t start = 0; start < buffer.frames(); start += kBlock) {
    ebur128_add_frames_float(state, buffer.samples().data() + start * buffer.channels(),
                             static_cast<size_t>(std::min(kBlock, buffer.frames() - start)));
  }
  double integrated = 0;
  double range = 0;
  double peak = 0;
  ebur128_loudness_global(state, &integrated);
  ebur128_loudness_range(state, &range);
  for (int channel = 0; channel < buffer.channels(); ++channel) {
    double value = 0;
    ebur128_true_peak(state, static_cast<unsigned>(channel), &value);
    peak = std::max(peak, value);
  }
  ebur128_destroy(&state);
  return peak;
}

// The `rubberband` program (Debian's rubberband-cli, the same library) on a WAV file: wall time
// and the child's CPU time (user + system, all its threads). False when it cannot be run.
bool RunRubberBandCli(const std::vector<std::string>& args, Timing* timing) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  // The program prints its settings on stderr even with -q; they would break the tables.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return false;
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return false;
  }
  timing->wall_s = bench::SecondsSince(start);
  timing->cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                  1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  return true;
}

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string folders = path == nullptr ? "/usr/bin" : path;
  size_t begin = 0;
  while (begin <= folders.size()) {
    const size_t end = std::min(folders.find(':', begin), folders.size());
    if (access((folders.substr(begin, end - begin) + "/" + program).c_str(), X_OK) == 0) {
      return true;
    }
    begin = end + 1;
  }
  return false;
}

void Speed(const std::string& path, int runs) {
  std::printf("\n## Speed (%s looped to 300 s, stereo)\n\n", path.c_str());
  std::printf("load average before: %s; medians of %d runs\n\n", LoadAverage().c_str(), runs);
  std::printf(
      "| stage | CPU s | x real time (CPU) | wall s | x real time (wall) | issue's anchor |\n"
      "|---|---:|---:|---:|---:|---|\n");
  Result<DecodedAudio> decoded = DecodeFile(path);
  if (!decoded.ok()) {
    std::printf("skipped: %s\n", decoded.status().ToString().c_str());
    return;
  }
  Row("decode Ogg Vorbis (the song itself, not looped)",
      Measure(runs, false, [&] { bench::DoNotOptimize(DecodeFile(path)->buffer.frames()); }),
      decoded->buffer.duration_seconds());
  const AudioBuffer track = Loop(decoded->buffer, 300);
  const double audio_s = track.duration_seconds();

  Loudness loudness;
  Row("loudness (I, LRA: libebur128; peaks: ours)",
      Measure(runs, false, [&] { loudness = MeasureLoudness(track).value(); }), audio_s);
  double their_peak = 0;
  Row("libebur128 with I, LRA, sample and true peak (the stage before)",
      Measure(runs, false, [&] { their_peak = Libebur128Everything(track); }), audio_s,
      "libebur128 with range and true peak: about 260x");
  PeakLevels peaks;
  Row("of which: our sample and true peak (true_peak.h)",
      Measure(runs, false, [&] { peaks = MeasurePeaks(track); }), audio_s);
  AudioBuffer mono = AudioBuffer::Make(track.sample_rate(), 1, track.MixToMono()).value();
  AudioBuffer tempo_mono = mono;
  Row("mono mix + half-band decimation to 22.05 kHz",
      Measure(runs, false,
              [&] {
                mono = AudioBuffer::Make(track.sample_rate(), 1, track.MixToMono()).value();
                tempo_mono = ToTempoRate(mono).value();
              }),
      audio_s);
  BeatGrid grid;
  Row("tempo, beats, downbeats (qm-dsp, 22.05 kHz)",
      Measure(runs, false, [&] { grid = TrackBeats(tempo_mono.samples(), kTempoRate).value(); }),
      audio_s);
  Key key;
  Row("key (qm-dsp, 44.1 kHz)",
      Measure(runs, false, [&] { key = DetectKey(mono.samples(), mono.sample_rate()).value(); }),
      audio_s);
  StructureInfo structure;
  Row("energy, intro/outro",
      Measure(runs, false,
              [&] { structure = AnalyzeStructure(tempo_mono.samples(), kTempoRate, grid); }),
      audio_s);
  Fingerprint print;
  Row("fingerprint (Chromaprint, first 120 s)",
      Measure(runs, false, [&] { print = ComputeFingerprint(track).value(); }), audio_s,
      "chromaprint: about 1,200x");
  TrackAnalysis all;
  Row("**full analysis (AnalyzeBuffer, all of the above but decode; target >= 100x)**",
      Measure(runs, false, [&] { all = AnalyzeBuffer(track).value(); }), audio_s);
  double aubio_bpm = 0;
  Row("aubio tempo, for comparison (44.1 kHz)",
      Measure(runs, false,
              [&] { aubio_bpm = AubioTempo(mono.samples(), mono.sample_rate().hz()).mean_bpm; }),
      audio_s, "aubio tempo: about 210x");
  std::printf(
      "\n(results: %.2f LUFS, LRA %.1f LU, true peak %.4f dBTP (libebur128's own: %.4f), %.1f "
      "BPM, key %s, outro from %.0f s, %zu sub-prints; full analysis %.1f BPM; aubio %.1f BPM)\n",
      loudness.integrated_lufs, loudness.loudness_range_lu, AmplitudeToDb(peaks.true_peak),
      AmplitudeToDb(their_peak), grid.bpm, key.Name().c_str(), structure.outro_start_s,
      print.raw.size(), all.grid.bpm, aubio_bpm);

  const AudioBuffer minute = Loop(decoded->buffer, 60);
  std::printf(
      "\n| time-stretch 60 s stereo, ratio 1.1 | CPU s | x real time (CPU) | wall s | x real time "
      "(wall) | issue's anchor |\n|---|---:|---:|---:|---:|---|\n");
  struct Variant {
    const char* name;
    StretchEngine engine;
    bool threads;
    const char* anchor;
  };
  const Variant variants[] = {
      {"accord, Rubber Band R2 (faster), one thread (the default)", StretchEngine::kFaster, false,
       "Rubber Band 3.1.2 R2: about 45x"},
      {"accord, Rubber Band R2 (faster), allow_threads", StretchEngine::kFaster, true, ""},
      {"accord, Rubber Band R3 (finer), one thread (R3 starts none)", StretchEngine::kFiner, false,
       "Rubber Band 3.1.2 R3: about 12x"},
  };
  for (const Variant& variant : variants) {
    Status status = OkStatus();
    Row(variant.name,
        Measure(runs, true,
                [&] {
                  Result<AudioBuffer> stretched =
                      StretchAndShift(minute, {1.1, 0.0, variant.engine, variant.threads});
                  if (!stretched.ok()) status = stretched.status();
                }),
        60.0, variant.anchor);
    if (!status.ok()) std::printf("failed: %s\n", status.ToString().c_str());
  }
  if (!OnPath("rubberband")) {
    std::printf(
        "\nskipped the rubberband program: not on PATH (Debian package rubberband-cli, which "
        "scripts/setup.sh installs)\n");
    return;
  }
  // The same 60 s as a float WAV, so that the program reads exactly these samples.
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("audio_bench_" + std::to_string(getpid()));
  std::filesystem::create_directories(folder);
  const std::string in_wav = (folder / "in.wav").string();
  const std::string out_wav = (folder / "out.wav").string();
  if (Status written = WriteAudioFile(in_wav, minute, OutputFormat::kWavFloat); !written.ok()) {
    std::printf("\nskipped the rubberband program: %s\n", written.ToString().c_str());
    return;
  }
  // --ignore-clipping: by default the program starts again at a lower gain whenever its output
  // clips (this song does), which multiplies its time by the number of restarts and measures
  // nothing about the engine. Its own defaults otherwise: offline, study pass, 1024-frame
  // blocks, threads where it finds more than one core.
  const std::vector<std::pair<const char*, std::vector<std::string>>> commands = {
      {"`rubberband -t 1.1` (R2), the program",
       {"rubberband", "-q", "--ignore-clipping", "-t", "1.1", in_wav, out_wav}},
      {"`rubberband --no-threads -t 1.1` (R2)",
       {"rubberband", "-q", "--ignore-clipping", "--no-threads", "-t", "1.1", in_wav, out_wav}},
      {"`rubberband -3 -t 1.1` (R3), the program",
       {"rubberband", "-q", "--ignore-clipping", "-3", "-t", "1.1", in_wav, out_wav}},
  };
  for (const auto& [name, args] : commands) {
    std::vector<double> cpu;
    std::vector<double> wall;
    bool ok = true;
    for (int run = 0; run < runs && ok; ++run) {
      Timing timing;
      ok = RunRubberBandCli(args, &timing);
      cpu.push_back(timing.cpu_s);
      wall.push_back(timing.wall_s);
    }
    if (!ok) {
      std::printf("| %s | failed to run | | | | |\n", name);
      continue;
    }
    Row(name, {bench::Median(cpu), bench::Median(wall)}, 60.0);
  }
  std::filesystem::remove_all(folder);
  std::printf("\nload average after: %s\n", LoadAverage().c_str());
}

int Main(int argc, char** argv) {
  std::string dir = "/usr/share/games/fretsonfire/data/songs/muldjord";
  bool quick = false;
  bool speed_only = false;
  int runs = 3;
  for (int index = 1; index < argc; ++index) {
    const std::string arg = argv[index];
    if (arg == "--music" && index + 1 < argc) {
      dir = argv[++index];
    } else if (arg == "--quick") {
      quick = true;
    } else if (arg == "--speed") {
      speed_only = true;
    } else if (arg == "--runs" && index + 1 < argc) {
      runs = std::clamp(std::atoi(argv[++index]), 1, 100);
    } else {
      std::fprintf(stderr, "usage: audio_bench [--music DIR] [--quick] [--speed] [--runs N]\n");
      return 2;
    }
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows as it happens
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  std::printf("# audio_bench\n\nmachine: %s; %s; load average %s\n",
              bench::MachineDescription().c_str(), date, LoadAverage().c_str());
  const bool have_music = std::filesystem::exists(dir + "/armygeddon/song.ogg");
  if (speed_only) {
    // Only the speed section.
  } else if (have_music) {
    RealTempo(dir);
  } else {
    std::printf(
        "\nskipped the real-music sections: %s/armygeddon/song.ogg not found; run "
        "scripts/setup.sh (fretsonfire-songs-muldjord) or pass --music DIR\n",
        dir.c_str());
  }
  if (!speed_only) SyntheticAccuracy(quick);
  if (have_music) Speed(dir + "/armygeddon/song.ogg", runs);
  aubio_cleanup();
  return 0;
}

}  // namespace
}  // namespace accord::audio

int main(int argc, char** argv) { return accord::audio::Main(argc, argv); }
