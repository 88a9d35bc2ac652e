// Statements on disk and in the forms people read them: the stored run document, a text view,
// CSV, and a DDEX DSR-style flat file.
//
// A run is stored as one JSON document, DATA/royalties/<period>.json (docs/formats/
// royalty_statements.md): the period, the signed checkpoint and ledger range it used, the pools,
// the totals per currency and every party's statement with numbered lines. RunToJson is
// deterministic (members in a fixed order, no clock), so the same inputs give byte-identical
// files; that is what makes a run reproducible and checkable.
//
// The exports read the stored document, so a statement can be exported long after its run. A
// month's document is hundreds of megabytes: the readers rely on RunToJson's layout (one member
// a line) to read only what they need, and parse a document in any other layout whole.
//
// Thread safety: pure functions, except SaveRun and the readers of a stored run (Load*,
// ExportStoredRun), which touch the data directory. WriteRunJson (and SaveRun of a run) formats
// a large run on a helper thread of its own, joined before it returns.
#ifndef ACCORD_ROYALTIES_STATEMENT_H_
#define ACCORD_ROYALTIES_STATEMENT_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"
#include "royalties/engine.h"

namespace accord::royalties {

// The stored document ("format": "accord-royalty-run/v1"), as indented JSON with a final
// newline.
std::string RunToJson(const RunResult& run);

// Receives a document a piece at a time; an error it returns stops the writing.
using DocumentSink = std::function<Status(std::string_view piece)>;

// RunToJson's bytes handed to `sink` in order, in pieces of a few megabytes (whole statements),
// formatted on two threads for a month of 100,000 lines or more, without ever holding the
// document whole. Returns the sink's first error, after which nothing more is handed over.
Status WriteRunJson(const RunResult& run, const DocumentSink& sink);

// The document's "totals" member alone, as RunToJson writes it (per currency: pools, fees,
// guarantees, retained when a pool is gross, paid; decimal strings), without writing or
// parsing the rest, which is hundreds of megabytes for a month of millions of events.
nlohmann::json RunTotalsToJson(const RunResult& run);

// Where a period's run is stored: DATA/royalties/<period>.json.
std::string RunPath(const std::string& data_dir, const std::string& period);

enum class SaveOutcome { kWritten, kUnchanged };
// Stores the document atomically (a temporary file, fsync, rename, fsync of the directory): a
// crash leaves the old run or the new one, never half of one. A stored run with other content
// is replaced only when `replace` is set (statements already issued do not change silently):
// otherwise FailedPrecondition, naming the file.
Result<SaveOutcome> SaveRun(const std::string& data_dir, const std::string& period,
                            const std::string& document, bool replace);
// SaveRun of RunToJson(run) under run.period, written straight from WriteRunJson: the same
// outcome and file without the document in memory, and an identical run only compared, not
// written again. A month of 1M events is a document of 350 MB (docs/royalties.md#speed).
Result<SaveOutcome> SaveRun(const std::string& data_dir, const RunResult& run, bool replace);

// Reads and checks a stored run. NotFound names the period and says how to create it;
// DataLoss when the file is not a run document.
Result<nlohmann::json> LoadRun(const std::string& data_dir, const std::string& period);

// LoadRun with only `party`'s statement in "statements" (an empty array when it has none), for
// the commands and routes about one party. A month of millions of events is a document of
// hundreds of megabytes, which takes seconds and gigabytes to parse whole; RunToJson's layout
// (one member per line, each statement opening with its "party" line) lets this parse only
// the part before the statements and that one statement. A document in another layout (edited
// by hand) is parsed whole, with the same result.
Result<nlohmann::json> LoadRunFor(const std::string& data_dir, const std::string& period,
                                  const std::string& party);

// The run without its statements' lines, for listings of runs and of a run's statements: the
// document's members other than "statements" as they are, and each statement with its
// "party", "party_name" and "totals" and, in place of "lines", "line_count" (how many it has).
// RunOutline gives it for a run in memory, LoadRunOutline for a stored run (errors as LoadRun's).
// LoadRunOutline goes over the lines of a document in RunToJson's layout without parsing them
// (a month of millions of events is hundreds of megabytes, docs/royalties.md#speed), and
// parses a document in any other layout whole, with the same result; `parsed_whole`, when
// given, says which it did (for tests and the benchmark).
nlohmann::json RunOutline(const RunResult& run);
Result<nlohmann::json> LoadRunOutline(const std::string& data_dir, const std::string& period,
                                      bool* parsed_whole = nullptr);

// One party's statement from a stored run; NotFound when the party has none in that period.
Result<nlohmann::json> FindStatement(const nlohmann::json& run, const std::string& party);

// A readable statement: header, numbered lines, totals, the checkpoint it is anchored to.
std::string StatementText(const nlohmann::json& run, const nlohmann::json& statement);

// CSV (RFC 4180), one row per statement line of every party (or of `party` when not empty),
// with a header row. Amounts are decimal strings in the line's currency.
Result<std::string> ExportCsv(const nlohmann::json& run, const std::string& party);

// A DDEX DSR-style flat file (tab-separated): a HEAD record, one SY (summary) record per party
// and currency and one SU (usage) record per pool or fee line. docs/formats/
// royalty_statements.md lists which fields we fill and which we leave empty.
Result<std::string> ExportDsr(const nlohmann::json& run, const std::string& party);

// ExportCsv or ExportDsr of a stored run: of one party's statement (read as LoadRunFor reads
// it), or of every party's, parsed one statement at a time from RunToJson's layout rather than
// as one document (a month of 1M events is a 350 MB document, which takes gigabytes parsed
// whole; docs/royalties.md#speed). Errors as LoadRun's, and NotFound when `party` has no
// statement.
enum class ExportFormat { kCsv, kDsr };
Result<std::string> ExportStoredRun(const std::string& data_dir, const std::string& period,
                                    ExportFormat format, const std::string& party);

}  // namespace accord::royalties

#endif  // ACCORD_ROYALTIES_STATEMENT_H_
