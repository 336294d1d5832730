# billing_add_test(<name> SOURCES ... [LIBRARIES ...] [LABELS ...] [GUI] [BACKENDS | POSTGRES_ONLY]
#                  [SERVER_PROCESS])
#
# Builds one Qt Test executable per unit and registers it with ctest. Tests run
# with no proxy, offscreen, and with a timeout so a hung test fails CI instead
# of stalling it.
#
# BACKENDS registers the executable twice, <name>.sqlite and <name>.postgres
# (POSTGRES_ONLY: only the second, for what only PostgreSQL can do);
# the postgres run needs the `postgres` fixture (a private server the suite
# starts) and fails, never skips, when that server is not there.
set(BILLING_POSTGRES_FIXTURE_DIR "${CMAKE_BINARY_DIR}/tests/postgres-fixture")

function(billing_add_test name)
    cmake_parse_arguments(ARG "GUI;BACKENDS;POSTGRES_ONLY;SERVER_PROCESS" "" "SOURCES;LIBRARIES;LABELS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE
        billing_compile_options billing_test_support Qt6::Test ${ARG_LIBRARIES})
    target_compile_definitions(${name} PRIVATE BILLING_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    if(ARG_SERVER_PROCESS) # runs agencyos-billing-server as a process
        target_compile_definitions(${name} PRIVATE BILLING_SERVER_BINARY="$<TARGET_FILE:agencyos-billing-server>")
        add_dependencies(${name} agencyos-billing-server)
    endif()

    set(labels ${ARG_LABELS})
    if(ARG_GUI)
        list(APPEND labels gui)
    endif()
    set(environment "QT_QPA_PLATFORM=offscreen" "no_proxy=*" "NO_PROXY=*")

    if(ARG_BACKENDS OR ARG_POSTGRES_ONLY)
        if(ARG_BACKENDS)
            add_test(NAME ${name}.sqlite COMMAND ${name})
            set_tests_properties(${name}.sqlite PROPERTIES
                LABELS "${labels};sqlite" TIMEOUT 300
                ENVIRONMENT "${environment};BILLING_TEST_BACKEND=sqlite")
        endif()
        add_test(NAME ${name}.postgres COMMAND ${name})
        set_tests_properties(${name}.postgres PROPERTIES
            LABELS "${labels};postgres" TIMEOUT 300
            FIXTURES_REQUIRED postgres
            ENVIRONMENT "${environment};BILLING_TEST_BACKEND=postgres;BILLING_TEST_POSTGRES_URL_FILE=${BILLING_POSTGRES_FIXTURE_DIR}/url")
    else()
        add_test(NAME ${name} COMMAND ${name})
        set_tests_properties(${name} PROPERTIES
            LABELS "${labels}" TIMEOUT 300
            ENVIRONMENT "${environment}")
    endif()
endfunction()
