# One INTERFACE target carries the project's compiler flags and Qt defines; every
# library, executable and test links it instead of repeating flags per target.
add_library(billing_compile_options INTERFACE)

target_compile_options(billing_compile_options INTERFACE
    -Wall -Wextra -pedantic
    -Wold-style-cast -Woverloaded-virtual -Wnon-virtual-dtor
    -Wshadow -Wcast-align -Wformat=2)

if(BILLING_WARNINGS_AS_ERRORS)
    target_compile_options(billing_compile_options INTERFACE -Werror)
endif()

# Make accidental narrowing, implicit ASCII casts and string-based connects
# compile errors, as the Qt codebases we model ourselves on do.
target_compile_definitions(billing_compile_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_KEYWORDS
    QT_NO_FOREACH
    QT_DISABLE_DEPRECATED_BEFORE=0x060400)

if(BILLING_SANITIZERS)
    target_compile_options(billing_compile_options INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(billing_compile_options INTERFACE -fsanitize=address,undefined)
endif()

# BILLING_FUZZERS: everything is instrumented for libFuzzer's coverage
# feedback and checked by ASan + UBSan (the fuzz executables add
# -fsanitize=fuzzer for libFuzzer's main), and Q_ASSERT stays on in the
# optimised build, in our code and in the Qt templates it instantiates.
if(BILLING_FUZZERS)
    target_compile_options(billing_compile_options INTERFACE
        -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
        -fno-sanitize-recover=undefined)
    target_link_options(billing_compile_options INTERFACE -fsanitize=address,undefined)
    target_compile_definitions(billing_compile_options INTERFACE QT_FORCE_ASSERTS)
endif()
