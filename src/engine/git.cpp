#include "engine/git.h"

#include <git2.h>

#include "engine/error.h"

namespace mps::engine {

namespace {

void EnsureInit() {
  static const int once = git_libgit2_init();
  (void)once;
}

[[noreturn]] void Fail(const char* what) {
  const git_error* e = git_error_last();
  throw Error(std::string(what) + ": " + (e && e->message ? e->message : "libgit2 error"));
}

}  // namespace

std::string BlobId(std::string_view bytes) {
  EnsureInit();
  git_oid oid;
  if (git_odb_hash(&oid, bytes.data(), bytes.size(), GIT_OBJECT_BLOB) != 0) Fail("hashing");
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &oid);
  return hex;
}

std::string UnifiedDiff(std::string_view path, std::string_view before, std::string_view after,
                        int context_lines) {
  EnsureInit();
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  opts.context_lines = static_cast<uint32_t>(context_lines);
  // Source files with stray non-UTF-8 bytes are still text to us.
  opts.flags |= GIT_DIFF_FORCE_TEXT;
  std::string a = "a/" + std::string(path), b = "b/" + std::string(path);
  git_patch* patch = nullptr;
  if (git_patch_from_buffers(&patch, before.data(), before.size(), a.c_str(), after.data(),
                             after.size(), b.c_str(), &opts) != 0) {
    Fail("diffing");
  }
  std::string out;
  size_t hunks = git_patch_num_hunks(patch);
  if (hunks > 0) {
    out += "--- " + a + "\n";
    out += "+++ " + b + "\n";
  }
  for (size_t h = 0; h < hunks; ++h) {
    const git_diff_hunk* hunk = nullptr;
    size_t lines = 0;
    git_patch_get_hunk(&hunk, &lines, patch, h);
    std::string header(hunk->header, hunk->header_len);
    while (!header.empty() && (header.back() == '\n' || header.back() == '\r')) header.pop_back();
    out += header + "\n";
    for (size_t l = 0; l < lines; ++l) {
      const git_diff_line* line = nullptr;
      git_patch_get_line_in_hunk(&line, patch, h, l);
      std::string content(line->content, line->content_len);
      bool had_newline = !content.empty() && content.back() == '\n';
      if (had_newline) content.pop_back();
      switch (line->origin) {
        case GIT_DIFF_LINE_ADDITION: out += "+" + content; break;
        case GIT_DIFF_LINE_DELETION: out += "-" + content; break;
        case GIT_DIFF_LINE_CONTEXT: out += " " + content; break;
        default: out += content; break;  // "\ No newline at end of file"
      }
      out += "\n";
    }
  }
  git_patch_free(patch);
  return out;
}

}  // namespace mps::engine
