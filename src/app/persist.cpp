#include "app/persist.h"

#include <sys/stat.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "app/package.h"
#include "store/confined.h"
#include "store/names.h"
#include "store/paths.h"
#include "store/process.h"

namespace mps::app {

namespace {

namespace fs = std::filesystem;

struct HookEntry {
  std::string root;    // absolute, bytes
  std::string dist;    // the distribution's name
  std::string record;  // absolute path of its RECORD when last seen
  long long size = 0;
  long long mtime_ns = 0;
  std::string binary;  // the mps-patch to run
};

constexpr std::string_view kStateMark = "# state: ";

// A Python bytes literal that holds any bytes, in ASCII.
std::string PyBytes(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out = "b\"";
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out + "\"";
}

// A Python str literal of ASCII text (for exec()).
std::string PyStr(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\'') out += "\\'";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out + "'";
}

std::string PthText(const std::vector<HookEntry>& entries) {
  nlohmann::json state = nlohmann::json::array();
  std::string checks;
  for (const HookEntry& e : entries) {
    state.push_back({{"root", store::HexEncode(e.root)},
                     {"dist", store::HexEncode(e.dist)},
                     {"record", store::HexEncode(e.record)},
                     {"size", e.size},
                     {"mtime_ns", e.mtime_ns},
                     {"binary", store::HexEncode(e.binary)}});
    checks += "(" + PyBytes(e.record) + ", " + std::to_string(e.size) + ", " + std::to_string(e.mtime_ns) + "), ";
  }
  // One stat per patched package; the module is imported only when pip
  // changed one. Anything that goes wrong is swallowed: Python must start.
  std::string code =
      "try:\n"
      " for _r, _n, _m in (" + checks + "):\n"
      "  try:\n"
      "   _s = os.stat(_r)\n"
      "   _c = (_s.st_size, _s.st_mtime_ns) != (_n, _m)\n"
      "  except OSError:\n"
      "   _c = True\n"
      "  if _c and not os.environ.get('MPS_PATCH_NO_HOOK'):\n"
      "   import _mps_patch_hook\n"
      "   _mps_patch_hook.run()\n"
      "   break\n"
      "except BaseException:\n"
      " pass\n";
  return "# mps-patch startup hook (`mps-patch apply --persist`): applies the MPS patch again when pip replaces a\n"
         "# patched package. `mps-patch revert` removes it; deleting this file and _mps_patch_hook.py does too.\n" +
         std::string(kStateMark) + state.dump() + "\nimport os; exec(" + PyStr(code) + ")\n";
}

constexpr const char* kModuleBody = R"PY(
import os
import sys


def _norm(name):
    # PEP 503, without importing re at startup.
    out, sep = [], False
    for c in name.lower():
        if c in "-_.":
            sep = True
            continue
        if sep and out:
            out.append("-")
        sep = False
        out.append(c)
    return "".join(out)


def _changed(record, size, mtime_ns):
    try:
        st = os.stat(record)
    except OSError:
        return True
    return (st.st_size, st.st_mtime_ns) != (size, mtime_ns)


def _dist_info(site, dist):
    # The one *.dist-info of this distribution; none (uninstalled) or two
    # (pip is between removing one and finishing the other): nothing to do.
    found = []
    for name in os.listdir(site):
        if name.endswith(b".dist-info"):
            if _norm(name[:-10].split(b"-")[0].decode("utf-8", "replace")) == _norm(dist):
                found.append(os.path.join(site, name))
    return found[0] if len(found) == 1 else None


def _complete(site, record, root):
    # pip writes RECORD last: every file it lists is there, with its size, and
    # the package's sources with their hashes (nothing half-written, nothing
    # of an earlier version).
    import base64, csv, hashlib, io
    try:
        with open(record, "rb") as f:
            text = f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    prefix = os.fsdecode(os.path.basename(root)) + "/"
    for row in csv.reader(io.StringIO(text)):
        if len(row) < 3 or not row[1]:
            continue
        path = os.path.join(site, os.fsencode(row[0]))
        try:
            st = os.stat(path)
            if row[2] and st.st_size != int(row[2]):
                return False
            if row[0].startswith(prefix) and row[0].endswith(".py"):
                algo, _, digest = row[1].partition("=")
                with open(path, "rb") as f:
                    got = hashlib.new(algo, f.read()).digest()
                if base64.urlsafe_b64encode(got).rstrip(b"=").decode() != digest:
                    return False
        except (OSError, ValueError):
            return False
    return True


def _locked(root):
    import fcntl
    try:
        fd = os.open(root, os.O_RDONLY)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def _act(root, dist, record, binary):
    site = os.path.dirname(os.path.dirname(record))
    info = _dist_info(site, dist)
    if info is None or not _complete(site, os.path.join(info, b"RECORD"), root):
        return
    if not os.access(binary, os.X_OK):
        sys.stderr.write("mps-patch: %s changed and its MPS patch is gone, but %s is missing; reinstall mps-patch "
                         "and run `mps-patch apply`, or delete %s\n"
                         % (dist, os.fsdecode(binary), os.fsdecode(os.path.join(site, b"mps_patch_hook.pth"))))
        return
    if _locked(root):
        return
    import subprocess
    env = dict(os.environ, MPS_PATCH_NO_HOOK="1", MPS_PATCH_FROM_HOOK="1")
    p = subprocess.run([binary, b"apply", b"--quiet", b"--target", root, b"--python", os.fsencode(sys.executable)],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                       timeout=600)
    lines = [l for l in p.stderr.decode("utf-8", "replace").splitlines() if l.strip()]
    if lines:
        sys.stderr.write(lines[0] + "\n")
    elif p.returncode != 0:
        sys.stderr.write("mps-patch: applying the MPS patch to %s again failed (exit %d); run `mps-patch apply` "
                         "to see why\n" % (dist, p.returncode))


_ran = False


def run():
    # Once per interpreter: site reads the .pth once per site-packages path,
    # and a venv's lib64 -> lib link makes the same directory two paths.
    global _ran
    if _ran or os.environ.get("MPS_PATCH_NO_HOOK"):
        return
    _ran = True
    for root, dist, record, size, mtime_ns, binary in ENTRIES:
        try:
            if _changed(record, size, mtime_ns):
                _act(root, dist, record, binary)
        except BaseException:
            pass
)PY";

std::string ModuleText(const std::vector<HookEntry>& entries) {
  std::string list;
  for (const HookEntry& e : entries) {
    list += "    (" + PyBytes(e.root) + ", " + PyBytes(e.dist) + ".decode(), " + PyBytes(e.record) + ", " +
            std::to_string(e.size) + ", " + std::to_string(e.mtime_ns) + ", " + PyBytes(e.binary) + "),\n";
  }
  return "# Written by mps-patch (`mps-patch apply --persist`); `mps-patch revert` removes it.\n"
         "# Imported at interpreter start (mps_patch_hook.pth) only when pip changed a patched package.\n"
         "ENTRIES = (\n" + list + ")\n" + kModuleBody;
}

std::vector<HookEntry> ReadEntries(const store::Root& site) {
  std::vector<HookEntry> out;
  std::optional<store::FileInfo> f;
  try {
    f = site.Read(kHookPth, 1 << 20);
  } catch (const store::StoreError&) {
    return out;  // not ours to read: treated as no hook
  }
  if (!f) return out;
  size_t at = f->bytes.find(kStateMark);
  if (at == std::string::npos) return out;
  size_t end = f->bytes.find('\n', at);
  nlohmann::json j = nlohmann::json::parse(f->bytes.substr(at + kStateMark.size(), end - at - kStateMark.size()),
                                           nullptr, false);
  if (!j.is_array()) return out;
  for (const nlohmann::json& e : j) {
    if (!e.is_object()) continue;
    auto hex = [&](const char* k) { return store::HexDecode(e.value(k, "")).value_or(""); };
    HookEntry h{hex("root"), hex("dist"), hex("record"), e.value("size", 0LL), e.value("mtime_ns", 0LL), hex("binary")};
    if (!h.root.empty() && !h.record.empty()) out.push_back(std::move(h));
  }
  return out;
}

store::Attrs SiteAttrs(const store::Root& site) {
  struct stat st {};
  if (::fstat(site.fd(), &st) != 0) throw store::StoreError(site.path(), "cannot examine the directory", "");
  return {0644, st.st_uid, st.st_gid};
}

void Save(const store::Root& site, const std::vector<HookEntry>& entries) {
  if (entries.empty()) {
    site.Remove(kHookPth);
    site.Remove(kHookModule);
    if (site.Lstat("__pycache__").kind == store::EntryKind::kDirectory) {
      std::vector<std::string> compiled;
      site.Walk("__pycache__", [&](const std::string& rel, const struct stat& st) {
        if (S_ISREG(st.st_mode) && rel.starts_with("__pycache__/_mps_patch_hook.")) compiled.push_back(rel);
        return false;
      });
      for (const std::string& c : compiled) site.Remove(c);
    }
    return;
  }
  store::Attrs attrs = SiteAttrs(site);
  // The module first: a .pth that names it must find it.
  site.Write(kHookModule, ModuleText(entries), attrs);
  site.Write(kHookPth, PthText(entries), attrs);
}

std::optional<HookEntry> CurrentEntry(const Package& p) {
  const store::InstalledDist& d = *p.dist;
  fs::path record = d.dist_info / "RECORD";
  struct stat st {};
  if (::stat(record.c_str(), &st) != 0) return std::nullopt;
#if defined(__APPLE__)
  long long mtime = static_cast<long long>(st.st_mtimespec.tv_sec) * 1000000000LL + st.st_mtimespec.tv_nsec;
#else
  long long mtime = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
#endif
  return HookEntry{p.root.path().string(), d.name, record.string(), static_cast<long long>(st.st_size), mtime,
                   store::SelfPath().value_or("mps-patch")};
}

}  // namespace

bool HookInstalled(const store::InstalledDist& d, const fs::path& root) {
  try {
    store::Root site = store::Root::Open(d.dist_info.parent_path());
    std::vector<HookEntry> entries = ReadEntries(site);
    return std::any_of(entries.begin(), entries.end(), [&](const HookEntry& e) { return e.root == root.string(); });
  } catch (const store::StoreError&) {
    return false;
  }
}

std::string UpdateHook(const Package& p, bool create) {
  if (!p.dist) return create ? "no hook installed: --persist needs the package's installed distribution (pip's RECORD)" : "";
  store::Root site = store::Root::Open(p.dist->dist_info.parent_path());
  std::vector<HookEntry> entries = ReadEntries(site);
  std::optional<HookEntry> now = CurrentEntry(p);
  if (!now) return create ? "no hook installed: the distribution's RECORD cannot be read" : "";
  auto it = std::find_if(entries.begin(), entries.end(), [&](const HookEntry& e) { return e.root == now->root; });
  bool added = it == entries.end();
  if (added) {
    if (!create) return "";
    entries.push_back(*now);
  } else {
    bool same = it->record == now->record && it->size == now->size && it->mtime_ns == now->mtime_ns &&
                it->binary == now->binary && it->dist == now->dist;
    if (same) return "";
    *it = *now;
  }
  Save(site, entries);
  return added ? "startup hook installed: " + (site.path() / kHookPth).string() +
                     " applies the patch again after pip replaces " + p.dist->name
               : "";
}

bool RemoveHook(const Package& p) {
  // Without a distribution (uninstalled), the hook is where pip keeps them: beside the root.
  fs::path dir = p.dist ? p.dist->dist_info.parent_path() : p.root.path().parent_path();
  store::Root site = store::Root::Open(dir);
  std::vector<HookEntry> entries = ReadEntries(site);
  size_t before = entries.size();
  std::erase_if(entries, [&](const HookEntry& e) { return e.root == p.root.path().string(); });
  if (entries.size() == before) return false;
  Save(site, entries);
  return true;
}

}  // namespace mps::app
