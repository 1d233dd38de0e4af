# Helpers that keep module and test definitions to one line each.

# sagemcp_add_module(NAME SOURCES ... DEPENDS ...)
# Defines the static library sagemcp_<NAME>; DEPENDS is the module's whole allowed dependency set.
function(sagemcp_add_module name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(sagemcp_${name} STATIC ${arg_SOURCES})
  target_include_directories(sagemcp_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(sagemcp_${name} PUBLIC ${arg_DEPENDS})
  target_compile_options(sagemcp_${name} PRIVATE ${SAGEMCP_WARNINGS})
endfunction()

# sagemcp_add_test(NAME SOURCES ... DEPENDS ...)
# Defines a GoogleTest executable and registers its tests with CTest.
function(sagemcp_add_test name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPENDS;ENVIRONMENT" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_DEPENDS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${SAGEMCP_WARNINGS})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES ENVIRONMENT "${arg_ENVIRONMENT}")
endfunction()
