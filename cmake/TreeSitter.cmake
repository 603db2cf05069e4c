# The Python and YAML grammars and (when no new-enough system library exists)
# the tree-sitter runtime are compiled from the sources pinned in grammars/ by
# package-lock.json. CMake never downloads anything: run `npm ci --ignore-scripts`
# in grammars/ first.
set(MPS_GRAMMARS_DIR "${PROJECT_SOURCE_DIR}/grammars/node_modules" CACHE PATH
    "node_modules folder holding tree-sitter, tree-sitter-python and tree-sitter-yaml")
set(_ts_python "${MPS_GRAMMARS_DIR}/tree-sitter-python")
set(_ts_yaml "${MPS_GRAMMARS_DIR}/@tree-sitter-grammars/tree-sitter-yaml")
set(_ts_runtime "${MPS_GRAMMARS_DIR}/tree-sitter/vendor/tree-sitter/lib")

if(NOT EXISTS "${_ts_python}/src/parser.c")
  message(FATAL_ERROR
    "tree-sitter-python sources not found in ${_ts_python}.\n"
    "Run: (cd grammars && npm ci --ignore-scripts) and configure again.")
endif()

add_library(ts_python STATIC "${_ts_python}/src/parser.c" "${_ts_python}/src/scanner.c")
target_include_directories(ts_python PRIVATE "${_ts_python}/src")
set_target_properties(ts_python PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
target_compile_options(ts_python PRIVATE -w)

# Workflow configs. The scanner #includes schema.core.c (YAML 1.2 core schema:
# null, ~, integers, floats, booleans), which is what tells `GPU: null` from a string.
if(NOT EXISTS "${_ts_yaml}/src/parser.c")
  message(FATAL_ERROR
    "tree-sitter-yaml sources not found in ${_ts_yaml}.\n"
    "Run: (cd grammars && npm ci --ignore-scripts) and configure again.")
endif()
add_library(ts_yaml STATIC "${_ts_yaml}/src/parser.c" "${_ts_yaml}/src/scanner.c")
target_include_directories(ts_yaml PRIVATE "${_ts_yaml}/src")
set_target_properties(ts_yaml PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
target_compile_options(ts_yaml PRIVATE -w)
# src/engine/language.cpp offers the YAML language only where this is defined.
target_compile_definitions(ts_yaml INTERFACE MPS_HAVE_YAML_GRAMMAR)

# The grammar's ABI decides how new a runtime must be; a system library older
# than the pinned runtime may lack the ABI, so it is only taken when at least as new.
file(STRINGS "${MPS_GRAMMARS_DIR}/tree-sitter/package.json" _ts_ver_line REGEX "\"version\"")
string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" MPS_TS_PINNED_VERSION "${_ts_ver_line}")
option(MPS_USE_SYSTEM_TREE_SITTER "Use a system tree-sitter when new enough" ON)
if(MPS_USE_SYSTEM_TREE_SITTER)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(TS_SYSTEM QUIET IMPORTED_TARGET "tree-sitter>=${MPS_TS_PINNED_VERSION}")
  endif()
endif()

if(TS_SYSTEM_FOUND)
  message(STATUS "tree-sitter: system library ${TS_SYSTEM_VERSION}")
  add_library(ts_runtime INTERFACE)
  target_link_libraries(ts_runtime INTERFACE PkgConfig::TS_SYSTEM)
else()
  if(NOT EXISTS "${_ts_runtime}/src/lib.c")
    message(FATAL_ERROR "tree-sitter runtime sources not found in ${_ts_runtime}.\n"
                        "Run: (cd grammars && npm ci --ignore-scripts)")
  endif()
  message(STATUS "tree-sitter: runtime ${MPS_TS_PINNED_VERSION} from grammars/ (system library missing or older)")
  add_library(ts_runtime STATIC "${_ts_runtime}/src/lib.c")
  target_include_directories(ts_runtime SYSTEM PUBLIC "${_ts_runtime}/include")
  target_include_directories(ts_runtime PRIVATE "${_ts_runtime}/src")
  set_target_properties(ts_runtime PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
  target_compile_definitions(ts_runtime PRIVATE _POSIX_C_SOURCE=200112L _DEFAULT_SOURCE)
  target_compile_options(ts_runtime PRIVATE -w)
endif()
