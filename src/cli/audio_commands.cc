// Verbs over the audio layer: `analyze` (tempo, beats, key, loudness, structure, fingerprint
// of files or folders, in parallel) and `render` (stretch, pitch, resample, gain, normalize,
// crossfade, duck), the latter mainly to hear and test the transforms.
#include <algorithm>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "audio/analysis.h"
#include "audio/analysis_store.h"
#include "audio/debian_music.h"
#include "audio/decode.h"
#include "audio/encode.h"
#include "audio/transform.h"
#include "cli/common.h"

namespace accord::cli {
namespace {

using nlohmann::json;

std::string Fixed(double value, int decimals) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << value;
  return out.str();
}

std::string AnalysisText(const audio::TrackAnalysis& a) {
  std::string text = a.source + "\n";
  text += "  " + a.format + ", " + std::to_string(a.sample_rate_hz) + " Hz, " +
          std::to_string(a.channels) + " ch, " + Fixed(a.duration_ms / 1000.0, 1) + " s\n";
  text +=
      "  tempo: " +
      (a.grid.bpm > 0 ? Fixed(a.grid.bpm, 1) + " BPM (confidence " + Fixed(a.grid.confidence, 2) +
                            "), " + std::to_string(a.grid.beat_times_s.size()) + " beats, " +
                            std::to_string(a.grid.downbeat_beats.size()) + " bars"
                      : std::string("none")) +
      "\n";
  text += "  key: " +
          (a.key.found ? a.key.Name() + " (" + a.key.Camelot() + ", confidence " +
                             Fixed(a.key.confidence, 2) + ")"
                       : std::string("none")) +
          "\n";
  text += "  loudness: " +
          (a.loudness.has_integrated ? Fixed(a.loudness.integrated_lufs, 1) + " LUFS"
                                     : std::string("silent")) +
          ", range " + Fixed(a.loudness.loudness_range_lu, 1) + " LU, true peak " +
          Fixed(a.loudness.true_peak_dbtp, 1) + " dBTP\n";
  text += "  intro until " + Fixed(a.structure.intro_end_s, 1) + " s, outro from " +
          Fixed(a.structure.outro_start_s, 1) + " s\n";
  if (!a.fingerprint.encoded.empty()) {
    text += "  fingerprint: " + a.fingerprint.encoded.substr(0, 24) + "... (" +
            std::to_string(a.fingerprint.raw.size()) + " sub-prints)\n";
  }
  return text;
}

void AddAnalyze(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "analyze", "Tempo, beats, key, loudness, intro/outro and fingerprint of audio files");
  static std::vector<std::string> inputs;
  static int jobs = 0;
  static bool beats = false;
  static bool no_fingerprint = false;
  static bool store = false;
  cmd->add_option("paths", inputs, "Audio files or folders (searched recursively)")->required();
  cmd->add_option("--jobs", jobs, "Files analysed at once (default: the number of cores)");
  cmd->add_flag("--beats", beats, "Include every beat time and the energy curve in --json");
  cmd->add_flag("--no-fingerprint", no_fingerprint, "Skip the Chromaprint fingerprint");
  cmd->add_flag("--store", store,
                "Keep the results in the data directory (DATA/audio/analysis.json), under the "
                "recording's ISRC when the file is a known source");
  cmd->callback([&g] {
    std::vector<std::string> files;
    for (const std::string& input : inputs) {
      std::vector<std::string> found = Check(audio::ListAudioFiles(input));
      files.insert(files.end(), found.begin(), found.end());
    }
    if (files.empty()) throw Failure{NotFoundError("no audio files in the given paths")};
    audio::AnalysisOptions options;
    options.fingerprint = !no_fingerprint;
    const int threads =
        jobs > 0 ? jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::vector<Result<audio::TrackAnalysis>> results =
        audio::AnalyzeFiles(files, threads, options);
    json out = json::array();
    std::string text;
    int failed = 0;
    std::string failures;  // to stderr with the exit status, not mixed into the results
    std::optional<audio::AnalysisStore> kept;
    if (store) kept.emplace(Check(audio::AnalysisStore::Open(DataDir(g))));
    for (const Result<audio::TrackAnalysis>& result : results) {
      if (!result.ok()) {
        ++failed;
        out.push_back({{"error", result.status().ToString()}});
        failures += "\n  " + result.status().ToString();
        continue;
      }
      json value = audio::AnalysisToJson(*result, beats);
      text += AnalysisText(*result);
      if (kept) {
        const std::string key = kept->PutAnalysis(result->source, value);
        value["stored_as"] = key;
        text += "  stored as " + key + "\n";
      }
      out.push_back(std::move(value));
    }
    if (kept) Check(kept->Save());
    Print(g, out, text);
    if (failed > 0) {
      throw Failure{InvalidArgumentError(std::to_string(failed) + " of " +
                                         std::to_string(results.size()) +
                                         " files could not be analysed:" + failures)};
    }
  });
}

audio::AudioBuffer Load(const std::string& path) { return Check(audio::DecodeFile(path)).buffer; }

void Save(const Globals& g, const std::string& path, const std::string& format_name,
          const audio::AudioBuffer& buffer) {
  const audio::OutputFormat format =
      format_name.empty() ? Check(audio::OutputFormatForPath(path))
                          : ParseArg(audio::ParseOutputFormat(format_name), "--format");
  Check(audio::WriteAudioFile(path, buffer, format));
  const int rate_hz = audio::WrittenSampleRate(format, buffer.sample_rate()).hz();
  Print(g,
        {{"wrote", path},
         {"duration_ms", buffer.duration_ms()},
         {"sample_rate_hz", rate_hz},
         {"channels", buffer.channels()}},
        "wrote " + path + " (" + Fixed(buffer.duration_seconds(), 3) + " s, " +
            std::to_string(rate_hz) + " Hz, " + std::to_string(buffer.channels()) + " ch)\n");
}

void AddRender(CLI::App& app, Globals& g) {
  auto* render = app.add_subcommand("render", "Transform audio files (stretch, pitch, fades, ...)");
  render->require_subcommand(1);
  static std::string input, second, output, format, engine = "faster";
  static double ratio = 1.0, semitones = 0.0, gain_db = 0.0, lufs = -14.0, ceiling_dbtp = -1.0;
  static int rate_hz = 48000;
  static int64_t fade_ms = 4000;
  static audio::DuckOptions duck;
  auto io = [](CLI::App* cmd) {
    cmd->add_option("input", input, "Input audio file")->required();
    cmd->add_option("output", output, "Output file (.wav .flac .ogg .opus)")->required();
    cmd->add_option("--format", format, "wav, wav24, wavf, flac, flac24, ogg, opus");
  };

  auto* stretch = render->add_subcommand("stretch", "Change duration, keep pitch (Rubber Band)");
  io(stretch);
  stretch->add_option("--ratio", ratio, "Output duration / input duration (0.25..4)")->required();
  stretch->add_option("--semitones", semitones, "Also shift pitch by this much");
  stretch->add_option("--engine", engine, "faster (R2) or finer (R3)");
  stretch->callback([&g] {
    audio::StretchOptions options{
        ratio, semitones,
        engine == "finer" ? audio::StretchEngine::kFiner : audio::StretchEngine::kFaster};
    Save(g, output, format, Check(audio::StretchAndShift(Load(input), options)));
  });

  auto* pitch = render->add_subcommand("pitch", "Shift pitch, keep duration (Rubber Band)");
  io(pitch);
  pitch->add_option("--semitones", semitones, "-24..24")->required();
  pitch->callback(
      [&g] { Save(g, output, format, Check(audio::PitchShift(Load(input), semitones))); });

  auto* resample = render->add_subcommand("resample", "Change the sample rate (libsamplerate)");
  io(resample);
  resample->add_option("--rate", rate_hz, "Target rate in Hz")->required();
  resample->callback([&g] {
    const audio::SampleRateHz to = ParseArg(audio::SampleRateHz::FromHz(rate_hz), "--rate");
    Save(g, output, format, Check(audio::Resample(Load(input), to, audio::ResampleQuality::kBest)));
  });

  auto* gain = render->add_subcommand("gain", "Apply a gain in dB");
  io(gain);
  gain->add_option("--db", gain_db, "Gain in dB")->required();
  gain->callback([&g] { Save(g, output, format, Check(audio::ApplyGain(Load(input), gain_db))); });

  auto* normalize =
      render->add_subcommand("normalize", "Set integrated loudness, capped by a true-peak ceiling");
  io(normalize);
  normalize->add_option("--lufs", lufs, "Target integrated loudness (default -14)");
  normalize->add_option("--ceiling", ceiling_dbtp, "True-peak ceiling in dBTP (default -1)");
  normalize->callback([&g] {
    Save(g, output, format, Check(audio::NormalizeLoudness(Load(input), lufs, ceiling_dbtp)));
  });

  auto* crossfade = render->add_subcommand("crossfade", "Play A then B with an equal-power fade");
  crossfade->add_option("first", input, "First file")->required();
  crossfade->add_option("second", second, "Second file")->required();
  crossfade->add_option("output", output, "Output file")->required();
  crossfade->add_option("--format", format, "wav, wav24, wavf, flac, flac24, ogg, opus");
  crossfade->add_option("--fade-ms", fade_ms, "Overlap in milliseconds (default 4000)");
  crossfade->callback([&g] {
    Save(g, output, format, Check(audio::Crossfade(Load(input), Load(second), fade_ms)));
  });

  auto* duck_cmd = render->add_subcommand("duck", "Mix a voice over music, lowering the music");
  duck_cmd->add_option("music", input, "Music file")->required();
  duck_cmd->add_option("voice", second, "Voice file (same rate)")->required();
  duck_cmd->add_option("output", output, "Output file")->required();
  duck_cmd->add_option("--format", format, "wav, wav24, wavf, flac, flac24, ogg, opus");
  duck_cmd->add_option("--offset-ms", duck.voice_offset_ms, "Where the voice starts");
  duck_cmd->add_option("--depth-db", duck.depth_db, "How far the music goes down (default -12)");
  duck_cmd->add_option("--attack-ms", duck.attack_ms, "Default 80");
  duck_cmd->add_option("--release-ms", duck.release_ms, "Default 400");
  duck_cmd->callback([&g] {
    Save(g, output, format, Check(audio::DuckUnderVoice(Load(input), Load(second), duck)));
  });
}

void AddAudioGroup(CLI::App& app, Globals& g) {
  auto* audio_cmd = app.add_subcommand("audio", "Audio sources of the catalog");
  audio_cmd->require_subcommand(1);
  auto* add = audio_cmd->add_subcommand(
      "add-debian-music",
      "Register the music of fretsonfire-songs-muldjord, nexuiz-music and wesnoth-1.16-music "
      "(scripts/setup.sh installs them) as catalog recordings");
  static bool dry_run = false;
  add->add_flag("--dry-run", dry_run, "List what would be registered; change nothing");
  add->callback([&g] {
    audio::DebianMusic music = Check(audio::FindDebianMusic({}));
    json tracks = json::array();
    std::string text;
    for (const audio::DebianTrack& track : music.tracks) {
      tracks.push_back({{"isrc", track.isrc.str()},
                        {"title", track.title},
                        {"artist", track.artist},
                        {"license", track.license},
                        {"package", track.package},
                        {"path", track.path},
                        {"duration_ms", track.duration_ms}});
      text += track.isrc.str() + "  " + track.artist + " - " + track.title + "  (" + track.license +
              ", " + track.package + ")\n";
    }
    for (const std::string& skip : music.skipped) text += "skipped: " + skip + "\n";
    json out = {{"tracks", tracks}, {"skipped", music.skipped}, {"dry_run", dry_run}};
    if (!dry_run) {
      auto registry = OpenService(g);
      service::ImportSummary summary =
          Check(registry->ImportBatch(audio::DebianMusicBatch(music.tracks)));
      audio::AnalysisStore sources = Check(audio::AnalysisStore::Open(DataDir(g)));
      for (const json& track : tracks) {
        sources.PutSource(track["isrc"], {{"path", track["path"]},
                                          {"package", track["package"]},
                                          {"title", track["title"]},
                                          {"artist", track["artist"]},
                                          {"license", track["license"]}});
      }
      Check(sources.Save());
      out["added"] = summary.added();
      out["unchanged"] = summary.unchanged;
      text += std::to_string(music.tracks.size()) +
              " recordings: " + std::to_string(summary.recordings) + " recordings and " +
              std::to_string(summary.parties) + " artists added, " +
              std::to_string(summary.unchanged) + " unchanged; sources in " + DataDir(g) +
              "/audio/sources.json\n";
    }
    Print(g, out, text);
  });
}

}  // namespace

void AddAudioCommands(CLI::App& app, Globals& g) {
  AddAnalyze(app, g);
  AddRender(app, g);
  AddAudioGroup(app, g);
}

}  // namespace accord::cli
