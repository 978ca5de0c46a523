# Writes OUTPUT, a header defining HOOKD_COMMIT: COMMIT when given (-DHOOKD_COMMIT=… at configure time,
# for builds from a tarball), else the commit of the git checkout SOURCE_DIR is (12 hex digits, with
# "-dirty" when tracked files differ from it), else "unknown" (a tarball, even one unpacked inside
# another repository). The file is only rewritten when that changes, so an unchanged tree rebuilds
# nothing.
#   cmake -DSOURCE_DIR=<repository> -DOUTPUT=<header> [-DCOMMIT=<commit>] -P write_build_info.cmake
set(commit "${COMMIT}")
if(commit STREQUAL "")
  set(commit "unknown")
  execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse --show-toplevel
    OUTPUT_VARIABLE toplevel OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE failed)
  if(NOT failed)
    file(REAL_PATH "${toplevel}" toplevel)
    file(REAL_PATH "${SOURCE_DIR}" source)
  endif()
  if(NOT failed AND toplevel STREQUAL source)
    execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
      OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE failed)
    if(NOT failed AND NOT head STREQUAL "")
      set(commit "${head}")
      execute_process(COMMAND git -C "${SOURCE_DIR}" status --porcelain --untracked-files=no
        OUTPUT_VARIABLE changes OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(NOT changes STREQUAL "")
        string(APPEND commit "-dirty")
      endif()
    endif()
  endif()
endif()
file(WRITE "${OUTPUT}.new" "#define HOOKD_COMMIT \"${commit}\"\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.new" "${OUTPUT}")
file(REMOVE "${OUTPUT}.new")
