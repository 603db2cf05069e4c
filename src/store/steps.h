#pragma once
// Every operation of the store that changes the disk is a numbered step:
// creating a temporary file, writing its bytes, setting its owner and mode,
// fsync, rename, unlink and the directory fsync that makes a rename or unlink
// durable. A journal update is made of the same steps. Steps are counted in
// the order the store performs them, which is deterministic for a given tree
// and plan, so that tests can stop or fail the store at any one of them.
//
// Test hooks, read from the environment on first use (or set by Configure):
//   MPS_PATCH_CRASH_AFTER=N     _exit(137) right after the Nth step, leaving
//                               the disk exactly as a SIGKILL at that point.
//   MPS_PATCH_FAULT=KIND:N:ERR  the Nth step of KIND fails with errno ERR
//                               (a name such as ENOSPC, EIO, EACCES, or a
//                               number) instead of running; KIND is one of
//                               create, write, attr, fsync, rename, unlink,
//                               dirsync, or any. Several, comma-separated.
//                               Each fault fires once.
//   MPS_PATCH_FAIL_WRITE_AFTER=N   the older hook: the same as write:N+1:EIO.
//   MPS_PATCH_TRACE_STEPS=1     prints "mps-patch step N KIND PATH" to stderr
//                               for each step (how a kill sweep finds N).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mps::store::steps {

enum class Kind { kCreate, kWrite, kAttr, kFsync, kRename, kUnlink, kDirSync };
std::string_view Name(Kind k);
std::optional<Kind> KindNamed(std::string_view name);

struct Fault {
  std::optional<Kind> kind;  // nullopt: a step of any kind
  long nth = 1;              // 1-based, counted among the steps of `kind`
  int error = 0;             // the errno the step fails with
};

struct Plan {
  long crash_after = 0;  // 0: never
  std::vector<Fault> faults;
  bool trace = false;
};

// Parses the hooks' values; throws std::invalid_argument naming the variable.
Plan ParsePlan(const char* crash_after, const char* fault, const char* fail_write_after,
               const char* trace);

// Replaces the plan (and restarts the count). Tests call it; the binary uses
// the environment.
void Configure(const Plan& plan);

// Called just before a step. Returns 0 to go ahead, or the errno the step must
// fail with. Counts the step either way.
int Before(Kind kind, std::string_view what);
// Called right after a step that ran (successfully or not).
void After();

long Count();  // steps so far

}  // namespace mps::store::steps
