# Table of listings for cmake/doctest_cases_to_ctest.cmake, run by ctest as
# `cmake -D SCRIPT=... -D WORK_DIR=... -P this file`. A fake test binary
# prints each listing; the ctest file the script writes is read back through
# stand-ins for add_test and set_tests_properties and compared with what
# ctest must be told. Any mismatch is a FATAL_ERROR, which fails the test.

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# run_listing(LISTING EXIT_CODE RESULT_VAR OUTPUT_VAR): the script over a
# binary that prints LISTING and exits with EXIT_CODE.
function(run_listing listing exit_code result_var output_var)
  file(WRITE "${WORK_DIR}/listing.xml" "${listing}")
  file(WRITE "${WORK_DIR}/fake_tests" "#!/bin/sh\ncat '${WORK_DIR}/listing.xml'\nexit ${exit_code}\n")
  file(CHMOD "${WORK_DIR}/fake_tests" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  file(REMOVE "${WORK_DIR}/ctest_file.cmake")
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -D "EXECUTABLE=${WORK_DIR}/fake_tests" -D "WORKING_DIR=${WORK_DIR}"
            -D "CTEST_FILE=${WORK_DIR}/ctest_file.cmake" -P "${SCRIPT}"
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  set(${result_var} "${result}" PARENT_SCOPE)
  # cmake wraps a message's lines at a width that depends on the paths in it.
  string(REGEX REPLACE "[ \n]+" " " output "${output}")
  set(${output_var} "${output}" PARENT_SCOPE)
endfunction()

# Stand-ins for the two commands the ctest file calls: each call is recorded
# as one line of `calls`.
set(calls "")
function(add_test name)
  set(calls "${calls}add_test|${name}|${ARGN}\n" PARENT_SCOPE)
endfunction()
function(set_tests_properties name)
  set(calls "${calls}set_tests_properties|${name}|${ARGN}\n" PARENT_SCOPE)
endfunction()

set(header "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<doctest binary=\"fake\" version=\"2.4.9\">\n")
set(footer "</doctest>\n")

# 1. Suites become labels; a comma in a name is escaped in the filter only
#    (doctest's own discovery lost the suite of such a case); XML entities
#    are read back.
run_listing("${header}\
  <TestCase name=\"plain case\" filename=\"a.cpp\" line=\"1\" skipped=\"false\"/>
  <TestCase name=\"slow, with a comma\" testsuite=\"long\" filename=\"a.cpp\" line=\"9\" skipped=\"false\"/>
  <TestCase name=\"it&apos;s &quot;quoted&quot; &lt;x&gt; [tag] &amp;\" filename=\"b.cpp\" line=\"3\" skipped=\"false\"/>
  <TestCase name=\"limited\" testsuite=\"address_space_limit\" filename=\"b.cpp\" line=\"7\" skipped=\"false\"/>
${footer}" 0 result output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "a well-formed listing was refused (${result}):\n${output}")
endif()
include("${WORK_DIR}/ctest_file.cmake")
set(bin "${WORK_DIR}/fake_tests")
string(CONCAT expected
  "add_test|plain case|${bin};--test-case=plain case\n"
  "set_tests_properties|plain case|PROPERTIES;WORKING_DIRECTORY;${WORK_DIR}\n"
  "add_test|slow, with a comma|${bin};--test-case=slow\\, with a comma\n"
  "set_tests_properties|slow, with a comma|PROPERTIES;WORKING_DIRECTORY;${WORK_DIR}\n"
  "set_tests_properties|slow, with a comma|PROPERTIES;LABELS;long\n"
  "add_test|it's \"quoted\" <x> [tag] &|${bin};--test-case=it's \"quoted\" <x> [tag] &\n"
  "set_tests_properties|it's \"quoted\" <x> [tag] &|PROPERTIES;WORKING_DIRECTORY;${WORK_DIR}\n"
  "add_test|limited|${bin};--test-case=limited\n"
  "set_tests_properties|limited|PROPERTIES;WORKING_DIRECTORY;${WORK_DIR}\n"
  "set_tests_properties|limited|PROPERTIES;LABELS;address_space_limit\n")
if(NOT calls STREQUAL expected)
  message(FATAL_ERROR "the ctest file says:\n${calls}\nexpected:\n${expected}")
endif()

# 2. Listings that must fail the build, naming why, and write no ctest file.
# (SEMICOLON stands for a ';', which a CMake list cannot hold.)
set(refused_names "aSEMICOLONb" "back\\slash" "a ]==] b")
foreach(name IN LISTS refused_names)
  string(REPLACE "SEMICOLON" ";" name "${name}")
  run_listing("${header}  <TestCase name=\"${name}\" filename=\"a.cpp\" line=\"1\" skipped=\"false\"/>\n${footer}"
              0 result output)
  if(result EQUAL 0 OR NOT output MATCHES "not allowed" OR EXISTS "${WORK_DIR}/ctest_file.cmake")
    message(FATAL_ERROR "the name '${name}' was not refused (${result}):\n${output}")
  endif()
endforeach()
run_listing("${header}  <TestCase name=\"x\" filename=\"a.cpp\" line=\"1\" skipped=\"false\"/>\n${footer}" 3
            result output)
if(result EQUAL 0 OR NOT output MATCHES "failed \\(exit 3\\)" OR EXISTS "${WORK_DIR}/ctest_file.cmake")
  message(FATAL_ERROR "a binary that exits 3 was not refused (${result}):\n${output}")
endif()
run_listing("${header}${footer}" 0 result output)
if(result EQUAL 0 OR NOT output MATCHES "listed no test cases" OR EXISTS "${WORK_DIR}/ctest_file.cmake")
  message(FATAL_ERROR "a binary with no test cases was not refused (${result}):\n${output}")
endif()
message(STATUS "doctest_cases_to_ctest: every listing gave what ctest must be told")
