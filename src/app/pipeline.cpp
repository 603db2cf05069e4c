#include "app/pipeline.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/error.h"
#include "engine/git.h"
#include "store/sha256.h"
#include "store/walk.h"

namespace mps::app {

namespace {

// How far workers may run ahead of the in-order hand-over: bounds memory.
constexpr size_t kWindow = 256;

struct Slot {
  bool done = false;
  std::optional<engine::PlannedFile> file;
  std::optional<std::string> skipped;
};

}  // namespace

std::vector<std::string> SourcesOf(const store::Target& t) {
  // Scan reads any tree; the names mps-patch writes are left out.
  if (!t.only.empty()) {
    std::vector<std::string> files = t.only;
    std::sort(files.begin(), files.end());
    return files;
  }
  std::vector<std::string> out;
  for (std::string& rel : store::ListFiles(t.root)) {
    std::string name = rel.substr(rel.rfind('/') + 1);
    if (name.ends_with(engine::kBackupSuffix) || name.find(".mps-patch-") != std::string::npos ||
        name == std::string(store::kManifestName)) {
      continue;
    }
    out.push_back(std::move(rel));
  }
  return out;
}

PipelineResult RunPipeline(const PipelineJob& job, const std::function<void(engine::PlannedFile&&)>& sink) {
  const size_t total = job.paths.size();
  std::vector<Slot> slots(total);
  std::mutex mu;
  std::condition_variable cv;
  size_t emitted = 0;
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr failure;

  // Reads one file: through the package root (no link followed; sizes above
  // the limit skipped with a note), or from a scan target.
  struct Read {
    std::string bytes;
    uint32_t mode = 0644;
    std::optional<std::string> cannot_replace;
  };
  auto read = [&](const std::string& rel, bool always, Slot& slot) -> std::optional<Read> {
    Read r;
    if (job.root) {
      size_t oversize = 0;
      std::optional<store::FileInfo> info;
      try {
        info = job.root->Read(rel, job.max_file_size, &oversize);
      } catch (const Error& e) {
        if (always) throw;
        slot.skipped = rel + ": " + e.message();
        return std::nullopt;
      }
      if (!info) {
        if (oversize == 0) return std::nullopt;  // gone since listing
        std::string why = "larger than " + std::to_string(job.max_file_size) + " bytes (" + std::to_string(oversize) + ")";
        if (always) throw Error(job.root->Abs(rel).string(), 0, why, "raise --max-file-size to include it");
        slot.skipped = rel + ": " + why;
        return std::nullopt;
      }
      r.bytes = std::move(info->bytes);
      r.mode = info->attrs.mode;
      r.cannot_replace = store::ReplaceProblem(*info);
      return r;
    }
    std::optional<store::SourceData> data;
    try {
      data = store::ReadSource(job.target->Abs(rel), job.max_file_size);
    } catch (const Error& e) {
      if (always) throw;
      slot.skipped = rel + ": " + e.message();
      return std::nullopt;
    }
    if (!data) return std::nullopt;
    r.bytes = std::move(data->bytes);
    r.mode = data->mode;
    return r;
  };

  auto work = [&](size_t i) {
    const std::string& rel = job.paths[i];
    Slot slot;
    slot.done = true;
    bool always = job.always.contains(rel);
    std::vector<const engine::Rule*> rules = engine::RulesFor(rel, *job.rules, job.only);
    if (rules.empty() && !always) return slot;  // no rule reads files like this one
    std::optional<Read> data = read(rel, always, slot);
    if (!data) return slot;
    engine::PlannedFile pf;
    if (!rules.empty()) {  // a file without the rules' text comes back unparsed at once
      if (job.plan) {
        pf.plan = engine::PlanFile(data->bytes, rules, job.context);
      } else {
        pf.plan.before = engine::Analyze(data->bytes, rules, job.context);
      }
    }
    const engine::Analysis& a = pf.plan.before;
    bool found = !a.unpatched.empty() || !a.aware.empty() || !a.attention.empty() || a.problem_line;
    bool changes = !pf.plan.edits.empty() || pf.plan.error;
    if (!found && !changes && !always) return slot;
    engine::FileState& st = pf.state;
    st.path = rel;
    st.blob = engine::BlobId(data->bytes);
    if (job.root) {
      // What the lifecycle tables compare: RECORD's hash, the backup.
      st.sha256 = store::RecordSha256(data->bytes);
      st.cannot_replace = std::move(data->cannot_replace);
      if (job.installed) {
        auto it = job.installed->find(rel);
        if (it != job.installed->end() && !it->second.empty()) st.installed_sha256 = it->second;
      }
      if (job.backed_up.contains(rel)) {
        // A backup that is not a regular file is refused here, named.
        if (std::optional<store::FileInfo> b = job.root->Read(rel + std::string(engine::kBackupSuffix))) {
          st.backup_blob = engine::BlobId(b->bytes);
          st.backup_sha256 = store::RecordSha256(b->bytes);
          st.backup = std::move(b->bytes);
        }
      }
    } else if (job.with_backups || always) {
      if (auto backup = store::ReadSource(job.target->BackupOf(rel), UINT64_MAX)) st.backup = std::move(backup->bytes);
    }
    if (changes || always) st.bytes = std::move(data->bytes);
    slot.file = std::move(pf);
    return slot;
  };

  auto worker = [&] {
    for (;;) {
      size_t i;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stop || next >= total || next < emitted + kWindow; });
        if (stop || next >= total) return;
        i = next++;
      }
      Slot slot;
      try {
        slot = work(i);
      } catch (...) {
        std::lock_guard lock(mu);
        if (!failure) failure = std::current_exception();
        stop = true;
        cv.notify_all();
        return;
      }
      std::lock_guard lock(mu);
      slots[i] = std::move(slot);
      cv.notify_all();
    }
  };

  unsigned jobs = job.jobs ? job.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(total, 1)));
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < jobs; ++t) threads.emplace_back(worker);

  PipelineResult result;
  std::exception_ptr sink_failure;
  {
    std::unique_lock lock(mu);
    while (emitted < total) {
      cv.wait(lock, [&] { return stop || slots[emitted].done; });
      if (stop) break;
      Slot slot = std::move(slots[emitted]);
      slots[emitted].done = true;
      ++emitted;
      cv.notify_all();
      lock.unlock();
      try {
        if (slot.skipped) result.skipped.push_back(std::move(*slot.skipped));
        if (slot.file) sink(std::move(*slot.file));
        if (job.progress) job.progress(emitted, total);
      } catch (...) {
        sink_failure = std::current_exception();
      }
      lock.lock();
      if (sink_failure) {
        stop = true;
        cv.notify_all();
        break;
      }
    }
  }
  for (std::thread& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  if (sink_failure) std::rethrow_exception(sink_failure);
  result.scanned = total - result.skipped.size();
  return result;
}

}  // namespace mps::app
