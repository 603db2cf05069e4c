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
  if (!t.only.empty()) {
    std::vector<std::string> files = t.only;
    std::sort(files.begin(), files.end());
    return files;
  }
  std::vector<std::string> out;
  for (std::string& rel : store::ListFiles(t.root)) {
    std::string name = rel.substr(rel.rfind('/') + 1);
    if (name.ends_with(engine::kBackupSuffix) || name.find(".mps-patch-") != std::string::npos ||
        name == store::kManifestName) {
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

  auto work = [&](size_t i) {
    const std::string& rel = job.paths[i];
    Slot slot;
    slot.done = true;
    bool always = job.always.contains(rel);
    std::optional<store::SourceData> data;
    try {
      data = store::ReadSource(job.target->Abs(rel), job.max_file_size);
    } catch (const Error& e) {
      if (always) throw;
      slot.skipped = rel + ": " + e.message();
      return slot;
    }
    if (!data) return slot;  // gone since listing
    std::vector<const engine::Rule*> rules = engine::RulesFor(rel, *job.rules, job.only);
    engine::PlannedFile pf;
    if (!rules.empty() && engine::MayHaveSites(data->bytes, rules)) {
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
    pf.state.path = rel;
    pf.state.mode = data->mode;
    pf.state.blob = engine::BlobId(data->bytes);
    if (changes || always) pf.state.bytes = std::move(data->bytes);
    if (job.with_backups || always) {
      if (auto backup = store::ReadSource(job.target->BackupOf(rel), UINT64_MAX)) {
        pf.state.backup = std::move(backup->bytes);
        pf.state.backup_mode = backup->mode;
      }
    }
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
