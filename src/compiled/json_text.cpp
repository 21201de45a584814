// rcplan::compiled: the JSON text functions of rcplan/json/text.hpp, compiled once.
#include <rcplan/json/text.hpp>
#include <rcplan/json/impl/text.hpp>
