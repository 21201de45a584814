# Shared by both consumer projects: one program on the core, one on rcplan::json, one on
# rcplan::compiled, each built with strict warnings and run as a test.

foreach(target_and_lib IN ITEMS "core_consumer|rcplan::rcplan" "json_consumer|rcplan::json"
                                "compiled_consumer|rcplan::compiled")
  string(REPLACE "|" ";" parts "${target_and_lib}")
  list(GET parts 0 name)
  list(GET parts 1 lib)
  add_executable(${name} "${CMAKE_CURRENT_LIST_DIR}/${name}.cpp")
  target_link_libraries(${name} PRIVATE ${lib})
  target_compile_options(${name} PRIVATE
    -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Werror)
  add_test(NAME ${name} COMMAND ${name})
endforeach()
