// libgit2's functions that mps-patch calls (blob ids, unified diffs, work
// tree discovery and ignore rules), opened on first use: see lazy.h.
#include <git2.h>

#include "lazy/lazy.h"

namespace {
constexpr mps::lazy::Library kGit2{MPS_LIBGIT2_SONAME, "for blob ids, diffs and git work trees"};
}  // namespace

extern "C" {

int git_libgit2_init(void) {
  MPS_LAZY_FN(kGit2, git_libgit2_init);
  return fn();
}

const git_error* git_error_last(void) {
  MPS_LAZY_FN(kGit2, git_error_last);
  return fn();
}

int git_odb_hash(git_oid* out, const void* data, size_t len, git_object_t type) {
  MPS_LAZY_FN(kGit2, git_odb_hash);
  return fn(out, data, len, type);
}

char* git_oid_tostr(char* out, size_t n, const git_oid* id) {
  MPS_LAZY_FN(kGit2, git_oid_tostr);
  return fn(out, n, id);
}

int git_diff_options_init(git_diff_options* opts, unsigned int version) {
  MPS_LAZY_FN(kGit2, git_diff_options_init);
  return fn(opts, version);
}

int git_patch_from_buffers(git_patch** out, const void* old_buffer, size_t old_len, const char* old_as_path,
                           const void* new_buffer, size_t new_len, const char* new_as_path,
                           const git_diff_options* opts) {
  MPS_LAZY_FN(kGit2, git_patch_from_buffers);
  return fn(out, old_buffer, old_len, old_as_path, new_buffer, new_len, new_as_path, opts);
}

size_t git_patch_num_hunks(const git_patch* patch) {
  MPS_LAZY_FN(kGit2, git_patch_num_hunks);
  return fn(patch);
}

int git_patch_get_hunk(const git_diff_hunk** out, size_t* lines_in_hunk, git_patch* patch, size_t hunk_idx) {
  MPS_LAZY_FN(kGit2, git_patch_get_hunk);
  return fn(out, lines_in_hunk, patch, hunk_idx);
}

int git_patch_get_line_in_hunk(const git_diff_line** out, git_patch* patch, size_t hunk_idx, size_t line_of_hunk) {
  MPS_LAZY_FN(kGit2, git_patch_get_line_in_hunk);
  return fn(out, patch, hunk_idx, line_of_hunk);
}

void git_patch_free(git_patch* patch) {
  MPS_LAZY_FN(kGit2, git_patch_free);
  fn(patch);
}

int git_repository_open_ext(git_repository** out, const char* path, unsigned int flags, const char* ceiling_dirs) {
  MPS_LAZY_FN(kGit2, git_repository_open_ext);
  return fn(out, path, flags, ceiling_dirs);
}

int git_repository_init(git_repository** out, const char* path, unsigned is_bare) {
  MPS_LAZY_FN(kGit2, git_repository_init);
  return fn(out, path, is_bare);
}

void git_repository_free(git_repository* repo) {
  MPS_LAZY_FN(kGit2, git_repository_free);
  fn(repo);
}

int git_repository_is_bare(const git_repository* repo) {
  MPS_LAZY_FN(kGit2, git_repository_is_bare);
  return fn(repo);
}

const char* git_repository_workdir(const git_repository* repo) {
  MPS_LAZY_FN(kGit2, git_repository_workdir);
  return fn(repo);
}

const char* git_repository_commondir(const git_repository* repo) {
  MPS_LAZY_FN(kGit2, git_repository_commondir);
  return fn(repo);
}

int git_ignore_path_is_ignored(int* ignored, git_repository* repo, const char* path) {
  MPS_LAZY_FN(kGit2, git_ignore_path_is_ignored);
  return fn(ignored, repo, path);
}

}  // extern "C"
