// libFuzzer target: the loaders of everything mps-patch reads back from disk
// as input (manifest, journal, RECORD). Properties, for any bytes:
//   - no crash, no sanitizer report, no exception other than StoreError;
//   - what a loader accepts, its writer writes, and reading that back gives
//     the same value (manifest, journal);
//   - RECORD rows tile the file, and editing keeps every other byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/journal.h"
#include "store/manifest.h"
#include "store/record.h"

using namespace mps::store;

namespace {

[[noreturn]] void Violated(const char* what) {
  std::fprintf(stderr, "property violated: %s\n", what);
  std::abort();
}

void Manifests(std::string_view text) {
  Manifest m;
  try {
    m = ParseManifest(text, ".mps-patch-manifest.json");
  } catch (const StoreError&) {
    return;
  }
  std::string out = SerializeManifest(m);  // throws on a value the loader should have refused
  Manifest back = ParseManifest(out, ".mps-patch-manifest.json");
  if (back.files != m.files || back.distribution != m.distribution) Violated("manifest round trip");
  if (SerializeManifest(back) != out) Violated("manifest bytes are not deterministic");
}

void Journals(std::string_view text) {
  Journal j;
  try {
    j = ParseJournal(text, ".mps-patch-journal.json");
  } catch (const StoreError&) {
    return;
  }
  if (JournalProblem(j)) Violated("the journal loader accepted an inconsistent journal");
  Journal back = ParseJournal(SerializeJournal(j), ".mps-patch-journal.json");
  if (!(back == j)) Violated("journal round trip");
}

void Records(std::string_view text) {
  std::string error;
  std::optional<RecordFile> r = ParseRecord(std::string(text), &error);
  if (!r) {
    if (error.empty()) Violated("RECORD refused without a reason");
    return;
  }
  size_t at = 0;
  for (const RecordRow& row : r->rows) {
    if (row.begin != at || row.end < row.begin) Violated("RECORD rows do not tile the file");
    at = row.end;
  }
  if (at != text.size()) Violated("RECORD rows do not cover the file");
  if (RemoveRecordRows(*r, [](std::string_view) { return false; })) Violated("removing nothing changed RECORD");
  std::optional<std::string> added = AddRecordRows(*r, {"qlib/x,\"y\".py.backup_before_mps"});
  std::string after = added ? *added : r->bytes;
  std::optional<RecordFile> again = ParseRecord(after, &error);
  if (!again) Violated("RECORD with a row added does not parse");
  bool listed = false;
  for (const RecordRow& row : again->rows) listed = listed || row.path() == "qlib/x,\"y\".py.backup_before_mps";
  if (!listed) Violated("the added row is not read back");
  if (added) {
    std::optional<std::string> removed =
        RemoveRecordRows(*again, [](std::string_view p) { return p == "qlib/x,\"y\".py.backup_before_mps"; });
    if (!removed || !after.starts_with(*removed)) Violated("removing the added row changed other bytes");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Manifests(text);
  Journals(text);
  Records(text);
  return 0;
}
