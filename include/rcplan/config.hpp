#pragma once

// How rcplan's entry points are compiled. By default rcplan is header-only: every function is
// an inline definition its header brings along. A program built from many translation units
// can instead link the compiled library (CMake target rcplan::compiled, which defines
// RCPLAN_SEPARATE_COMPILATION for everything linking it): the heavy entry points are then only
// declared in their headers and compiled once, in that library, and the user's translation
// units parse none of their internals. Every translation unit of a program must use the same
// mode: the macro changes which definitions a header provides.

#if defined(RCPLAN_SEPARATE_COMPILATION)
#define RCPLAN_HEADER_ONLY 0
/// On an entry point's declaration and definition: a plain function, defined in rcplan::compiled.
#define RCPLAN_ENTRY
#else
#define RCPLAN_HEADER_ONLY 1
#define RCPLAN_ENTRY inline
#endif

// The testing kit's generators (rcplan/testing/, rapidcheck) likewise: header-only by default,
// or compiled once into rcplan::testing_compiled, which defines RCPLAN_TESTING_SEPARATE_COMPILATION
// for everything linking it.
#if defined(RCPLAN_TESTING_SEPARATE_COMPILATION)
#define RCPLAN_TESTING_HEADER_ONLY 0
#define RCPLAN_TESTING_ENTRY
#else
#define RCPLAN_TESTING_HEADER_ONLY 1
#define RCPLAN_TESTING_ENTRY inline
#endif
