#include "store/steps.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace mps::store::steps {

namespace {

struct State {
  Plan plan;
  long count = 0;
  long per_kind[7] = {};
  std::vector<bool> fired;
};

long ParseCount(const char* text, const char* var) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < 0) {
    throw std::invalid_argument(std::string(var) + "=" + text + ": expected a whole number >= 0");
  }
  return v;
}

int ParseErrno(std::string_view name) {
  static const std::pair<std::string_view, int> kKnown[] = {
      {"ENOSPC", ENOSPC}, {"EIO", EIO},       {"EACCES", EACCES}, {"EPERM", EPERM},
      {"EROFS", EROFS},   {"EDQUOT", EDQUOT}, {"ENOENT", ENOENT}, {"EEXIST", EEXIST},
      {"EINVAL", EINVAL}, {"EBUSY", EBUSY},   {"EXDEV", EXDEV},   {"EINTR", EINTR}};
  for (auto [n, v] : kKnown) {
    if (n == name) return v;
  }
  std::string s(name);
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v <= 0 || v > 4095) return 0;
  return static_cast<int>(v);
}

State& Global() {
  static State s = [] {
    State st;
    st.plan = ParsePlan(std::getenv("MPS_PATCH_CRASH_AFTER"), std::getenv("MPS_PATCH_FAULT"),
                        std::getenv("MPS_PATCH_FAIL_WRITE_AFTER"), std::getenv("MPS_PATCH_TRACE_STEPS"));
    st.fired.assign(st.plan.faults.size(), false);
    return st;
  }();
  return s;
}

void WriteAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n <= 0 && errno != EINTR) return;
    if (n > 0) done += static_cast<size_t>(n);
  }
}

}  // namespace

std::string_view Name(Kind k) {
  switch (k) {
    case Kind::kCreate: return "create";
    case Kind::kWrite: return "write";
    case Kind::kAttr: return "attr";
    case Kind::kFsync: return "fsync";
    case Kind::kRename: return "rename";
    case Kind::kUnlink: return "unlink";
    case Kind::kDirSync: return "dirsync";
  }
  return "?";
}

std::optional<Kind> KindNamed(std::string_view name) {
  for (Kind k : {Kind::kCreate, Kind::kWrite, Kind::kAttr, Kind::kFsync, Kind::kRename, Kind::kUnlink,
                 Kind::kDirSync}) {
    if (Name(k) == name) return k;
  }
  return std::nullopt;
}

Plan ParsePlan(const char* crash_after, const char* fault, const char* fail_write_after,
               const char* trace) {
  Plan p;
  if (crash_after && *crash_after) p.crash_after = ParseCount(crash_after, "MPS_PATCH_CRASH_AFTER");
  if (fail_write_after && *fail_write_after) {
    p.faults.push_back({Kind::kWrite, ParseCount(fail_write_after, "MPS_PATCH_FAIL_WRITE_AFTER") + 1, EIO});
  }
  if (fault && *fault) {
    std::string_view rest(fault);
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view one = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      size_t c1 = one.find(':');
      size_t c2 = c1 == std::string_view::npos ? c1 : one.find(':', c1 + 1);
      auto bad = [&] {
        return std::invalid_argument("MPS_PATCH_FAULT=" + std::string(fault) + ": expected KIND:N:ERRNO (KIND: "
                                     "create, write, attr, fsync, rename, unlink, dirsync or any)");
      };
      if (c2 == std::string_view::npos) throw bad();
      std::string_view kind = one.substr(0, c1);
      std::string nth(one.substr(c1 + 1, c2 - c1 - 1));
      Fault f;
      if (kind != "any") {
        f.kind = KindNamed(kind);
        if (!f.kind) throw bad();
      }
      f.nth = ParseCount(nth.c_str(), "MPS_PATCH_FAULT");
      f.error = ParseErrno(one.substr(c2 + 1));
      if (f.nth == 0 || f.error == 0) throw bad();
      p.faults.push_back(f);
    }
  }
  p.trace = trace && *trace && std::string_view(trace) != "0";
  return p;
}

void Configure(const Plan& plan) {
  State& s = Global();
  s = State{};
  s.plan = plan;
  s.fired.assign(plan.faults.size(), false);
}

int Before(Kind kind, std::string_view what) {
  State& s = Global();
  ++s.count;
  long kind_count = ++s.per_kind[static_cast<int>(kind)];
  int error = 0;
  for (size_t i = 0; i < s.plan.faults.size(); ++i) {
    const Fault& f = s.plan.faults[i];
    if (s.fired[i]) continue;
    long n = f.kind ? (*f.kind == kind ? kind_count : -1) : s.count;
    if (n == f.nth) {
      s.fired[i] = true;
      error = f.error;
      break;
    }
  }
  if (s.plan.trace) {
    WriteAll(2, "mps-patch step " + std::to_string(s.count) + " " + std::string(Name(kind)) + " " +
                    std::string(what) + (error ? std::string(" (fails: ") + std::strerror(error) + ")" : "") +
                    "\n");
  }
  return error;
}

void After() {
  State& s = Global();
  if (s.plan.crash_after > 0 && s.count >= s.plan.crash_after) ::_exit(137);
}

long Count() { return Global().count; }

}  // namespace mps::store::steps
