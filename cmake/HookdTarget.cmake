# hookd_warnings(target): the project's warning set, kept PRIVATE to each of its own targets so that
# users who build the libraries into their programs do not inherit it.
function(hookd_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
  if(HOOKD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# hookd_unit_test(name [POSTGRES] [BOTH_STORES suite-filter] SOURCES ... LIBS ...): a GoogleTest executable
# registered with CTest under the label "unit" (the label the sanitizer build runs). POSTGRES: its tests
# use the tests' PostgreSQL server (HOOKD_TEST_POSTGRES names the file with its connection string).
# BOTH_STORES: the suites the filter matches run a second time on PostgreSQL (support/postgres.h's
# TestStore), their names ending in "/postgres".
function(hookd_unit_test name)
  cmake_parse_arguments(ARG "POSTGRES" "BOTH_STORES" "SOURCES;LIBS" ${ARGN})
  if(NOT HOOKD_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  hookd_warnings(${name})
  include(GoogleTest)
  if(ARG_BOTH_STORES)
    hookd_on_postgres(${name} unit ${ARG_BOTH_STORES})
  endif()
  if(ARG_POSTGRES)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit FIXTURES_REQUIRED postgres
      ENVIRONMENT HOOKD_TEST_POSTGRES=${HOOKD_TEST_POSTGRES_STATE})
  else()
    gtest_discover_tests(${name} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
  endif()
endfunction()

# hookd_on_postgres(target label filter): registers the target's tests that `filter` (a gtest filter)
# selects a second time, on the tests' PostgreSQL server (HOOKD_TEST_ON_POSTGRES names its file).
function(hookd_on_postgres target label filter)
  include(GoogleTest)
  gtest_discover_tests(${target} TEST_SUFFIX /postgres TEST_FILTER ${filter} DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS ${label} TIMEOUT 120 FIXTURES_REQUIRED postgres
      ENVIRONMENT HOOKD_TEST_ON_POSTGRES=${HOOKD_TEST_POSTGRES_STATE})
endfunction()
