# strata_subsystem(NAME DEPS...): builds src/<NAME>/*.cc (less tests, benchmarks
# and main.cc) into the static library strata_<NAME>, and src/<NAME>/*_test.cc
# into the test binary <NAME>_test, registered with CTest test by test.
function(strata_subsystem name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  list(FILTER sources EXCLUDE REGEX "(_test|_fuzz|/main|_main)\\.cc$")
  if(NOT sources)  # a subsystem still being written
    add_library(strata_${name} INTERFACE)
    target_include_directories(strata_${name} INTERFACE ${CMAKE_SOURCE_DIR}/src)
    target_link_libraries(strata_${name} INTERFACE ${ARG_DEPS})
  else()
    add_library(strata_${name} STATIC ${sources})
    target_include_directories(strata_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
    target_link_libraries(strata_${name} PUBLIC ${ARG_DEPS})
  endif()
  if(STRATA_BUILD_TESTS AND tests)
    add_executable(${name}_test ${tests})
    target_link_libraries(${name}_test PRIVATE strata_${name} ${ARG_TEST_DEPS}
                          GTest::gmock GTest::gtest_main)
    target_compile_definitions(${name}_test PRIVATE
      STRATA_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
      STRATA_BINARY_DIR="${CMAKE_BINARY_DIR}")
    gtest_discover_tests(${name}_test DISCOVERY_MODE PRE_TEST
      WORKING_DIRECTORY ${CMAKE_BINARY_DIR} PROPERTIES LABELS ${name})
  endif()
endfunction()
