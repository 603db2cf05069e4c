# cmake -DOUT=file.cpp -DBASE=dir -DFILES="a;b" -P EmbedFiles.cmake
# Writes a C++ source holding each file's path (relative to BASE) and exact
# bytes, so that an installed binary carries its rules without any data directory.
set(_body "")
set(_table "")
set(_i 0)
foreach(_f IN LISTS FILES)
  file(READ "${_f}" _hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," _bytes "${_hex}")
  file(RELATIVE_PATH _name "${BASE}" "${_f}")
  string(LENGTH "${_hex}" _hexlen)
  math(EXPR _len "${_hexlen} / 2")
  string(APPEND _body "static const char k${_i}[] = {${_bytes}'\\0'};\n")
  string(APPEND _table "  {\"${_name}\", std::string_view(k${_i}, ${_len})},\n")
  math(EXPR _i "${_i} + 1")
endforeach()
file(WRITE "${OUT}.tmp"
"// Generated from patches/ at build time.\n#include \"rules/embedded.h\"\n\nnamespace mps::rules {\nnamespace {\n${_body}}  // namespace\n\nconst std::vector<EmbeddedFile>& EmbeddedRuleFiles() {\n  static const std::vector<EmbeddedFile> files = {\n${_table}  };\n  return files;\n}\n\n}  // namespace mps::rules\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
