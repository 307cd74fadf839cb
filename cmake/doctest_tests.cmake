# faultline_doctest_tests(TARGET WORKING_DIRECTORY): after each link of
# TARGET, a doctest executable, its test cases become ctest tests, each
# labelled with its doctest suite (so `ctest -L long` or `-LE long` select a
# suite). doctest_discover_tests(... ADD_LABELS 1) does the same by running
# the executable once per case; cmake/doctest_cases_to_ctest.cmake runs it
# once.
function(faultline_doctest_tests target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "WORKING_DIRECTORY" "")
  set(tests_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake")
  set(include_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_include.cmake")
  add_custom_command(TARGET ${target} POST_BUILD
    BYPRODUCTS "${tests_file}"
    COMMAND "${CMAKE_COMMAND}" -D "EXECUTABLE=$<TARGET_FILE:${target}>"
            -D "WORKING_DIR=${arg_WORKING_DIRECTORY}" -D "CTEST_FILE=${tests_file}"
            -P "${CMAKE_SOURCE_DIR}/cmake/doctest_cases_to_ctest.cmake"
    VERBATIM)
  # ctest reads this; before the first link it names one test that fails.
  file(WRITE "${include_file}"
    "if(EXISTS \"${tests_file}\")\n"
    "  include(\"${tests_file}\")\n"
    "else()\n"
    "  add_test(${target}_NOT_BUILT ${target}_NOT_BUILT)\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
