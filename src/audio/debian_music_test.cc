// The Debian music importer over a fake package tree: tags, song.ini, licenses, ISRCs, skips.
#include "audio/debian_music.h"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "audio/synth_test_util.h"
#include "rights/registry.h"

namespace accord::audio {
namespace {

namespace fs = std::filesystem;

class DebianMusicTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("accord_debian_music_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    paths_.muldjord_dir = (root_ / "muldjord").string();
    paths_.nexuiz_dir = (root_ / "nexuiz").string();
    paths_.wesnoth_dir = (root_ / "wesnoth").string();
    paths_.doc_dir = (root_ / "doc").string();
    for (const std::string& dir :
         {paths_.muldjord_dir + "/armygeddon", paths_.nexuiz_dir, paths_.wesnoth_dir}) {
      fs::create_directories(dir);
    }
  }
  void TearDown() override { fs::remove_all(root_); }

  void Copyright(const std::string& package, const std::string& text) {
    fs::create_directories(paths_.doc_dir + "/" + package);
    std::ofstream(paths_.doc_dir + "/" + package + "/copyright") << text;
  }

  // A one-second Ogg Vorbis file with optional title and artist tags.
  void Ogg(const std::string& path, const char* title, const char* artist) {
    const AudioBuffer tone = testing::Sine(SampleRateHz::Of<22050>(), 1, 440, -12, 1.0);
    SF_INFO info{};
    info.samplerate = 22050;
    info.channels = 1;
    info.format = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(file, nullptr);
    if (title != nullptr) sf_set_string(file, SF_STR_TITLE, title);
    if (artist != nullptr) sf_set_string(file, SF_STR_ARTIST, artist);
    sf_writef_float(file, tone.samples().data(), tone.frames());
    sf_close(file);
  }

  fs::path root_;
  DebianMusicPaths paths_;
};

TEST(LicenseTest, RecognisesTheThreePackagesLicenses) {
  EXPECT_EQ(LicenseFromCopyright("are licenced under the terms of the Creative Commons\n"
                                 "Attribution ShareAlike licence 3.0:"),
            "CC-BY-SA-3.0");
  EXPECT_EQ(LicenseFromCopyright("under the terms of the GNU General Public License\nas published "
                                 "by the Free Software Foundation; either version 2\nof the "
                                 "License, or (at your option) any later version."),
            "GPL-2.0-or-later");
  EXPECT_EQ(LicenseFromCopyright("the GNU General Public License version 2 only"), "GPL-2.0-only");
  EXPECT_EQ(LicenseFromCopyright("All rights reserved."), "");
}

TEST(ArtistPartyIdTest, Slugs) {
  EXPECT_EQ(ArtistPartyId("Gerd (elysis) Raudenbusch"), "artist:gerd-elysis-raudenbusch");
  EXPECT_EQ(ArtistPartyId("  !!"), "artist:unknown");
}

TEST_F(DebianMusicTest, FindsTaggedTracksAndSkipsUntagged) {
  Copyright("fretsonfire-songs-muldjord", "Creative Commons Attribution ShareAlike licence 3.0");
  Copyright("nexuiz-music",
            "GNU General Public License as published by the Free Software Foundation; either "
            "version 2 of the License, or (at your option) any later version.");
  Ogg(paths_.muldjord_dir + "/armygeddon/song.ogg", nullptr, nullptr);
  std::ofstream(paths_.muldjord_dir + "/armygeddon/song.ini")
      << "[song]\nname = Armygeddon\nartist = Muldjord - www.muldjord.com\n";
  Ogg(paths_.nexuiz_dir + "/a.ogg", "The Beast of Insanity", "Braden Walters");
  Ogg(paths_.nexuiz_dir + "/b.ogg", nullptr, nullptr);

  Result<DebianMusic> music = FindDebianMusic(paths_);
  ASSERT_TRUE(music.ok()) << music.status().ToString();
  ASSERT_EQ(music->tracks.size(), 2u);
  const DebianTrack& song = music->tracks[0];
  EXPECT_EQ(song.title, "Armygeddon");
  EXPECT_EQ(song.artist, "Muldjord");
  EXPECT_EQ(song.license, "CC-BY-SA-3.0");
  EXPECT_EQ(song.isrc.str(), "ZZDEB0001001");
  EXPECT_NEAR(static_cast<double>(song.duration_ms), 1000, 1);
  EXPECT_EQ(music->tracks[1].artist, "Braden Walters");
  EXPECT_EQ(music->tracks[1].license, "GPL-2.0-or-later");
  EXPECT_EQ(music->tracks[1].isrc.str(), "ZZDEB0002001");
  // b.ogg has no tags; wesnoth is not "installed" (no copyright file, no files).
  ASSERT_EQ(music->skipped.size(), 2u);
  EXPECT_NE(music->skipped[0].find("b.ogg: no artist or title tag"), std::string::npos);
  EXPECT_NE(music->skipped[1].find("wesnoth-1.16-music"), std::string::npos);

  rights::ImportBatch batch = DebianMusicBatch(music->tracks);
  ASSERT_EQ(batch.records.parties.size(), 2u);
  ASSERT_EQ(batch.records.recordings.size(), 2u);
  EXPECT_EQ(batch.records.recordings[0].main_artists[0], "artist:muldjord");
  EXPECT_EQ(batch.records.recordings[0].master_owners[0].ppm, catalog::kWholePpm);
  EXPECT_TRUE(rights::ValidateRegistry(batch.records).ok());
}

TEST_F(DebianMusicTest, NothingInstalledIsFailedPrecondition) {
  EXPECT_EQ(FindDebianMusic(paths_).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(DebianMusicTest, UnknownLicenseSkipsThePackage) {
  Copyright("nexuiz-music", "All rights reserved.");
  Ogg(paths_.nexuiz_dir + "/a.ogg", "Title", "Artist");
  Result<DebianMusic> music = FindDebianMusic(paths_);
  ASSERT_TRUE(music.ok());
  EXPECT_TRUE(music->tracks.empty());
  EXPECT_NE(music->skipped[1].find("no license recognised"), std::string::npos);
}

}  // namespace
}  // namespace accord::audio
