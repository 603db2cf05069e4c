# cmake -DPROBE=<mps-probe> -DVALIDATE=<probe_validate> -DMODE=<run|run_bench|cli>
#       -DEXPECT_MPS=<false|any> -DWORK=<scratch folder> -P run_probe.cmake
#
# run, run_bench: runs mps-probe (with --bench --reps 1 for run_bench),
#   requires exit status 0, and hands its stdout to probe_validate.
# cli: --help and --version exit 0 with the expected text; an unknown
#   argument and a bad --reps exit 2 with a message on stderr.

foreach(_var IN ITEMS PROBE VALIDATE MODE EXPECT_MPS WORK)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "run_probe.cmake: -D${_var}=... is required")
  endif()
endforeach()

function(run_probe out_rc out_stdout out_stderr)
  execute_process(COMMAND "${PROBE}" ${ARGN}
                  RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
  set(${out_rc} "${_rc}" PARENT_SCOPE)
  set(${out_stdout} "${_out}" PARENT_SCOPE)
  set(${out_stderr} "${_err}" PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "run" OR MODE STREQUAL "run_bench")
  set(_probe_args)
  set(_validate_args "--mps-available=${EXPECT_MPS}")
  if(MODE STREQUAL "run_bench")
    set(_probe_args --bench --reps 1)
    list(APPEND _validate_args --bench-reps=1)
  endif()
  run_probe(_rc _out _err ${_probe_args})
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "mps-probe ${_probe_args} exited with ${_rc}:\n${_err}")
  endif()
  set(_json "${WORK}/probe-${MODE}.json")
  file(WRITE "${_json}" "${_out}")
  message(STATUS "mps-probe ${_probe_args} printed:\n${_out}")
  execute_process(COMMAND "${VALIDATE}" "${_json}" ${_validate_args}
                  RESULT_VARIABLE _vrc OUTPUT_VARIABLE _vout ERROR_VARIABLE _verr)
  if(NOT _vrc EQUAL 0)
    message(FATAL_ERROR "probe_validate rejected the report (${_vrc}):\n${_vout}${_verr}")
  endif()
  message(STATUS "${_vout}")

elseif(MODE STREQUAL "cli")
  run_probe(_rc _out _err --help)
  if(NOT _rc EQUAL 0 OR NOT _out MATCHES "^Usage: mps-probe")
    message(FATAL_ERROR "--help: exit ${_rc}, stdout:\n${_out}")
  endif()

  run_probe(_rc _out _err --version)
  if(NOT _rc EQUAL 0 OR NOT _out MATCHES "^mps-probe [0-9]+\\.[0-9]+\\.[0-9]+ \\(LibTorch [0-9]")
    message(FATAL_ERROR "--version: exit ${_rc}, stdout:\n${_out}")
  endif()

  foreach(_bad IN ITEMS "--no-such-flag" "--reps=0" "--reps=x")
    run_probe(_rc _out _err ${_bad})
    if(NOT _rc EQUAL 2 OR NOT _out STREQUAL "" OR NOT _err MATCHES "^mps-probe: ")
      message(FATAL_ERROR "${_bad}: expected exit 2, empty stdout and a message on stderr; "
                          "got exit ${_rc}, stdout '${_out}', stderr '${_err}'")
    endif()
  endforeach()
  run_probe(_rc _out _err --reps)
  if(NOT _rc EQUAL 2 OR NOT _err MATCHES "--reps needs a value")
    message(FATAL_ERROR "--reps without a value: exit ${_rc}, stderr '${_err}'")
  endif()

else()
  message(FATAL_ERROR "run_probe.cmake: unknown MODE '${MODE}'")
endif()
