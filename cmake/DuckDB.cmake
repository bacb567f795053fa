# Locates DuckDB 1.4.4 (libduckdb.so + duckdb.h), fetching it through
# scripts/fetch_duckdb.sh into a cache outside git when STRATA_DUCKDB_DIR is
# not given. Defines the imported target duckdb::duckdb and copies the library
# to ${CMAKE_BINARY_DIR}/lib, where every executable's rpath points.
set(STRATA_DUCKDB_DIR "" CACHE PATH "Directory holding libduckdb.so and duckdb.h")
if(NOT STRATA_DUCKDB_DIR)
  execute_process(
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/fetch_duckdb.sh
    OUTPUT_VARIABLE fetched_dir OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE fetch_rc)
  if(NOT fetch_rc EQUAL 0)
    message(FATAL_ERROR "Could not fetch DuckDB: run scripts/setup.sh first")
  endif()
  set(STRATA_DUCKDB_DIR "${fetched_dir}" CACHE PATH "" FORCE)
endif()
if(NOT EXISTS "${STRATA_DUCKDB_DIR}/libduckdb.so" OR NOT EXISTS "${STRATA_DUCKDB_DIR}/duckdb.h")
  message(FATAL_ERROR "STRATA_DUCKDB_DIR=${STRATA_DUCKDB_DIR} lacks libduckdb.so or duckdb.h")
endif()

file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/lib ${CMAKE_BINARY_DIR}/include/duckdb)
file(COPY_FILE ${STRATA_DUCKDB_DIR}/libduckdb.so ${CMAKE_BINARY_DIR}/lib/libduckdb.so ONLY_IF_DIFFERENT)
file(COPY_FILE ${STRATA_DUCKDB_DIR}/duckdb.h ${CMAKE_BINARY_DIR}/include/duckdb/duckdb.h ONLY_IF_DIFFERENT)
set(STRATA_DUCKDB_LIBRARY ${CMAKE_BINARY_DIR}/lib/libduckdb.so)

add_library(duckdb::duckdb SHARED IMPORTED GLOBAL)
set_target_properties(duckdb::duckdb PROPERTIES
  IMPORTED_LOCATION ${STRATA_DUCKDB_LIBRARY}
  IMPORTED_NO_SONAME TRUE
  INTERFACE_INCLUDE_DIRECTORIES ${CMAKE_BINARY_DIR}/include)
