#include "taste/listening.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace accord::taste {
namespace {

float Plays(const ListeningData& data, std::string_view listener, ItemKind kind,
            std::string_view item) {
  const auto u = data.FindListener(listener);
  const auto i = data.FindItem(kind, item);
  if (!u || !i) return -1;
  const SparseMatrix& m = data.plays();
  for (uint64_t e = m.offsets[*u]; e < m.offsets[*u + 1]; ++e) {
    if (m.columns[e] == *i) return m.values[e];
  }
  return 0;
}

TEST(SparseMatrixTest, FromEntriesSumsAndSorts) {
  SparseMatrix m = SparseMatrix::FromEntries(2, 3, {{1, 2, 1}, {0, 1, 2}, {1, 0, 3}, {1, 2, 4}});
  EXPECT_EQ(m.offsets, (std::vector<uint64_t>{0, 1, 3}));
  EXPECT_EQ(m.columns, (std::vector<uint32_t>{1, 0, 2}));
  EXPECT_EQ(m.values, (std::vector<float>{2, 3, 5}));
  SparseMatrix t = m.Transposed();
  EXPECT_EQ(t.rows, 3u);
  EXPECT_EQ(t.offsets, (std::vector<uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(t.columns, (std::vector<uint32_t>{1, 0, 1}));
  EXPECT_EQ(t.values, (std::vector<float>{3, 2, 5}));
}

TEST(ListeningCsvTest, CountsAndNames) {
  ListeningBuilder builder;
  ImportReport report;
  ASSERT_TRUE(builder
                  .AddCsvText("listener,artist,plays,name\n"
                              "ann,artist:muldjord,12,Muldjord\n"
                              "ann,artist:lina,3,\"Holt, Lina\"\n"
                              "bob,artist:muldjord,1,Muldjord\n",
                              "p.csv", {}, &report)
                  .ok());
  EXPECT_EQ(report.rows, 3u);
  EXPECT_EQ(report.accepted, 3u);
  Result<ListeningData> data = std::move(builder).Build();
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->listener_count(), 2u);
  EXPECT_EQ(data->item_count(), 2u);
  EXPECT_EQ(Plays(*data, "ann", ItemKind::kArtist, "artist:muldjord"), 12);
  EXPECT_EQ(data->item_name(*data->FindItem(ItemKind::kArtist, "artist:lina")), "Holt, Lina");
}

TEST(ListeningCsvTest, DuplicateCountRowsAreMergedNotSummed) {
  ListeningBuilder builder;
  ImportReport report;
  ASSERT_TRUE(builder
                  .AddCsvText("listener,artist,plays\nann,artist:a,5\nann,artist:a,5\n"
                              "ann,artist:a,7\n",
                              "p.csv", {}, &report)
                  .ok());
  EXPECT_EQ(report.duplicates_merged, 2u);
  Result<ListeningData> data = std::move(builder).Build();
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(Plays(*data, "ann", ItemKind::kArtist, "artist:a"), 7);
}

TEST(ListeningCsvTest, TimestampedEventsCountOnceEach) {
  ListeningBuilder builder;
  ImportReport report;
  ASSERT_TRUE(builder
                  .AddCsvText("listener,recording,timestamp\n"
                              "ann,USRC17607839,2025-01-01T10:00:00Z\n"
                              "ann,USRC17607839,2025-01-01T10:00:00Z\n"
                              "ann,US-RC1-76-07839,2025-01-01T11:00:00Z\n"
                              "ann,USRC17607839,1735732800\n",
                              "e.csv", {}, &report)
                  .ok());
  EXPECT_EQ(report.duplicates_merged, 1u);
  Result<ListeningData> data = std::move(builder).Build();
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->item_kind(0), ItemKind::kRecording);
  EXPECT_EQ(Plays(*data, "ann", ItemKind::kRecording, "USRC17607839"), 3);
}

TEST(ListeningCsvTest, BadRowNamesFileLineAndField) {
  ListeningBuilder builder;
  ImportReport report;
  Status status = builder.AddCsvText("listener,artist,plays\nann,artist:a,5\nann,artist:b,-3\n",
                                     "p.csv", {}, &report);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("p.csv:3: plays"), std::string::npos) << status.message();
}

TEST(ListeningCsvTest, BadIsrcNamesField) {
  ListeningBuilder builder;
  ImportReport report;
  Status status =
      builder.AddCsvText("listener,recording,plays\nann,NOTANISRC,1\n", "p.csv", {}, &report);
  EXPECT_NE(status.message().find("p.csv:2: recording"), std::string::npos) << status.message();
}

TEST(ListeningCsvTest, SkipsBadRowsUpToTheLimit) {
  ListeningBuilder builder;
  ImportReport report;
  ImportOptions options;
  options.max_bad_rows = 1;
  ASSERT_TRUE(builder
                  .AddCsvText("listener,artist,plays\nann,artist:a,x\nann,artist:b,2\n", "p.csv",
                              options, &report)
                  .ok());
  EXPECT_EQ(report.bad_rows, 1u);
  ASSERT_EQ(report.bad_row_messages.size(), 1u);
  EXPECT_NE(report.bad_row_messages[0].find("p.csv:2"), std::string::npos);
  ListeningBuilder strict;
  ImportReport second;
  EXPECT_FALSE(strict
                   .AddCsvText("listener,artist,plays\nann,artist:a,x\nann,artist:b,y\n", "p.csv",
                               options, &second)
                   .ok());
}

TEST(ListeningCsvTest, HeaderErrors) {
  ListeningBuilder builder;
  ImportReport report;
  EXPECT_NE(builder.AddCsvText("listener,artist\nann,artist:a\n", "h.csv", {}, &report)
                .message()
                .find("h.csv:1: header"),
            std::string::npos);
  EXPECT_NE(builder.AddCsvText("listener,song,plays\n", "h.csv", {}, &report)
                .message()
                .find("unknown column"),
            std::string::npos);
  EXPECT_FALSE(
      builder.AddCsvText("listener,artist,plays\nann,\"artist:a,1\n", "q.csv", {}, &report).ok());
}

TEST(ListeningJsonLinesTest, ParsesAndReportsLine) {
  ListeningBuilder builder;
  ImportReport report;
  ASSERT_TRUE(builder
                  .AddJsonLinesText("{\"listener\": 7, \"artist\": \"artist:a\", \"plays\": 4}\n"
                                    "\n"
                                    "{\"listener\": \"x\", \"recording\": \"USRC17607839\", "
                                    "\"timestamp\": \"2025-01-01\"}\n",
                                    "p.jsonl", {}, &report)
                  .ok());
  Status bad = builder.AddJsonLinesText(
      "{\"listener\": \"x\", \"artist\": \"artist:a\", "
      "\"plays\": \"many\"}\n",
      "q.jsonl", {}, &report);
  EXPECT_NE(bad.message().find("q.jsonl:1: plays"), std::string::npos) << bad.message();
  Status garbage = builder.AddJsonLinesText("{not json\n", "r.jsonl", {}, &report);
  EXPECT_NE(garbage.message().find("r.jsonl:1"), std::string::npos);
  Result<ListeningData> data = std::move(builder).Build();
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(Plays(*data, "7", ItemKind::kArtist, "artist:a"), 4);
  EXPECT_EQ(Plays(*data, "x", ItemKind::kRecording, "USRC17607839"), 1);
}

TEST(HetrecTest, ImportsPlaysTagsAndLatin1) {
  ListeningBuilder builder;
  std::vector<ImportReport> reports;
  const std::string artists = "id\tname\turl\tpictureURL\n1\tMotörhead\tu\tp\n2\tABBA\tu\tp\n";
  const std::string user_artists = "userID\tartistID\tweight\n2\t1\t100\n2\t2\t5\n3\t2\t7\n";
  const std::string tags = "tagID\ttagValue\n1\tMetal\n2\tm\xE9tal\n";  // Latin-1 e-acute
  const std::string tagged =
      "userID\tartistID\ttagID\tday\tmonth\tyear\n2\t1\t1\t1\t1\t2009\n2\t1\t1\t1\t2\t2009\n"
      "3\t1\t1\t1\t1\t2009\n3\t1\t2\t1\t1\t2009\n9\t99\t1\t1\t1\t2009\n";
  ASSERT_TRUE(builder.AddHetrecTexts(artists, user_artists, tags, tagged, {}, &reports).ok());
  ASSERT_EQ(reports.size(), 4u);
  EXPECT_EQ(reports[3].duplicates_merged, 1u);
  Result<ListeningData> data = std::move(builder).Build();
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->listener_count(), 2u);
  EXPECT_EQ(Plays(*data, "2", ItemKind::kArtist, "artist:hetrec-1"), 100);
  EXPECT_EQ(data->item_name(0), "Motörhead");
  ASSERT_EQ(data->tag_count(), 2u);
  EXPECT_EQ(data->tag_name(0), "metal");
  EXPECT_EQ(data->tag_name(1), "m\xC3\xA9tal");
  // Artist 1 tagged "metal" by two distinct users (user 2's second row is a duplicate).
  const SparseMatrix& t = data->item_tags();
  ASSERT_EQ(t.RowSize(0), 2u);
  EXPECT_EQ(t.values[t.offsets[0]], 2);
}

TEST(HetrecTest, UnknownArtistInPlaysIsBadRow) {
  ListeningBuilder builder;
  std::vector<ImportReport> reports;
  Status status = builder.AddHetrecTexts("id\tname\n1\tA\n", "userID\tartistID\tweight\n2\t5\t1\n",
                                         "", "", {}, &reports);
  EXPECT_NE(status.message().find("user_artists.dat:2: artistID"), std::string::npos)
      << status.message();
}

TEST(Utf8Test, KeepsUtf8AndConvertsLatin1) {
  EXPECT_EQ(ToUtf8FromUtf8OrLatin1("Mot\xC3\xB6rhead"), "Mot\xC3\xB6rhead");
  EXPECT_EQ(ToUtf8FromUtf8OrLatin1("Mot\xF6rhead"), "Mot\xC3\xB6rhead");
  EXPECT_EQ(ToUtf8FromUtf8OrLatin1("end\xC3"), "end\xC3\x83");
}

TEST(ListeningDataTest, SaveLoadRoundTrip) {
  ListeningBuilder builder;
  std::vector<ImportReport> reports;
  ASSERT_TRUE(builder
                  .AddHetrecTexts("id\tname\n1\tA\n2\tB\n", "userID\tartistID\tweight\n2\t1\t3\n",
                                  "tagID\ttagValue\n1\trock\n",
                                  "userID\tartistID\ttagID\n2\t2\t1\n", {}, &reports)
                  .ok());
  Result<ListeningData> data = std::move(builder).Build();
  ASSERT_TRUE(data.ok());
  const std::string path =
      (std::filesystem::temp_directory_path() / "taste_listening_roundtrip.bin").string();
  ASSERT_TRUE(data->Save(path).ok());
  Result<ListeningData> loaded = ListeningData::Load(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->item_name(1), "B");
  EXPECT_EQ(loaded->plays().values, data->plays().values);
  EXPECT_EQ(loaded->item_tags().columns, data->item_tags().columns);
  EXPECT_EQ(loaded->FindItem(ItemKind::kArtist, "artist:hetrec-2"), 1u);
}

TEST(HetrecTest, RealFolderWhenPresent) {
  const std::string dir = std::string(ACCORD_SHARED_DATA_DIR) + "/hetrec2011-lastfm-2k";
  if (!std::filesystem::exists(dir + "/user_artists.dat")) {
    GTEST_SKIP() << "HetRec 2011 data not found at " << dir;
  }
  ListeningBuilder builder;
  std::vector<ImportReport> reports;
  ASSERT_TRUE(builder.AddHetrecDirectory(dir, {}, &reports).ok());
  Result<ListeningData> data = std::move(builder).Build();
  ASSERT_TRUE(data.ok());
  // The counts the HetRec readme gives: 1892 users, 17632 artists, 92834 user-artist pairs.
  EXPECT_EQ(data->listener_count(), 1892u);
  EXPECT_EQ(data->item_count(), 17632u);
  EXPECT_EQ(data->plays().nnz(), 92834u);
  EXPECT_EQ(data->tag_count(), 11946u);
}

}  // namespace
}  // namespace accord::taste
