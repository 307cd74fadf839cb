# Writes the ctest file for a doctest executable: one test per test case,
# labelled with the case's doctest suite. Run by cmake -P after each link
# (cmake/doctest_tests.cmake). Expects EXECUTABLE, WORKING_DIR and CTEST_FILE.
#
# The executable is run once, listing every case with its suite in doctest's
# XML form. doctest's own discovery (doctest_discover_tests with ADD_LABELS)
# runs it once more per case to ask its suite: 458 runs, about 55 s after
# each link of the sanitized build, during which one core idles.

execute_process(
  COMMAND "${EXECUTABLE}" --list-test-cases --reporters=xml
  OUTPUT_VARIABLE listing
  ERROR_VARIABLE listing_errors
  RESULT_VARIABLE exit_code
  WORKING_DIRECTORY "${WORKING_DIR}")
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "listing the test cases of ${EXECUTABLE} failed (exit ${exit_code}):\n"
                      "${listing}\n${listing_errors}")
endif()

# A CMake list splits at ';', and XML writes '&', '"', '<' and '>' as
# entities that end in one. So every ';' of the listing is first replaced by
# a control character no listing holds, and the entities are read back with
# it.
string(ASCII 1 semicolon)
string(REPLACE ";" "${semicolon}" listing "${listing}")

function(xml_unescape text out)
  foreach(entity "quot|\"" "apos|'" "lt|<" "gt|>" "amp|&")
    string(REPLACE "|" ";" entity "${entity}")
    list(GET entity 0 entity_name)
    list(GET entity 1 character)
    string(REPLACE "&${entity_name}${semicolon}" "${character}" text "${text}")
  endforeach()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# A name ctest or doctest would misread is refused here, not run wrongly:
# ';' (a list separator), '\\' (an escape in doctest's filters) and ']==]'
# (the end of the bracket argument each name is written in).
function(check_name name)
  if(name MATCHES "${semicolon}|\\\\|]==]")
    string(REPLACE "${semicolon}" ";" name "${name}")
    message(FATAL_ERROR "the test case name '${name}' holds ';', '\\' or ']==]' (not allowed: ctest "
                        "or doctest would misread it)")
  endif()
endfunction()

string(REGEX MATCHALL "<TestCase [^\n]*/>" cases "${listing}")
set(script "")
set(count 0)
foreach(case IN LISTS cases)
  if(NOT case MATCHES " name=\"([^\"]*)\"")
    message(FATAL_ERROR "a test case without a name in the listing of ${EXECUTABLE}: ${case}")
  endif()
  xml_unescape("${CMAKE_MATCH_1}" name)
  check_name("${name}")
  set(suite "")
  if(case MATCHES " testsuite=\"([^\"]*)\"")
    xml_unescape("${CMAKE_MATCH_1}" suite)
  endif()
  # doctest reads a comma in --test-case as a separator between filters.
  string(REPLACE "," "\\," filter "${name}")
  string(APPEND script
    "add_test([==[${name}]==] \"${EXECUTABLE}\" [==[--test-case=${filter}]==])\n"
    "set_tests_properties([==[${name}]==] PROPERTIES WORKING_DIRECTORY \"${WORKING_DIR}\")\n")
  if(NOT suite STREQUAL "")
    string(APPEND script "set_tests_properties([==[${name}]==] PROPERTIES LABELS [==[${suite}]==])\n")
  endif()
  math(EXPR count "${count} + 1")
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "${EXECUTABLE} listed no test cases:\n${listing}")
endif()
file(WRITE "${CTEST_FILE}" "${script}")
