// Declassification for the constant-time check. Code that must branch on a value derived
// from secrets, where the branch is intended and reveals only a public outcome (whether a
// share decoded at all), marks the value public first. In the build of
// tests/ct/constant_time_test.cpp (LEEA_CT_VALIDATION) this tells Valgrind's memcheck,
// which otherwise reports every branch on secret data; elsewhere it compiles to nothing.
#pragma once

#if defined(LEEA_CT_VALIDATION)
#include <valgrind/memcheck.h>
#define LEEA_DECLASSIFY(ptr, size) VALGRIND_MAKE_MEM_DEFINED((ptr), (size))
#else
#define LEEA_DECLASSIFY(ptr, size) ((void)(ptr), (void)(size))
#endif
