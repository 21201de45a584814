# Installs a build tree into a fresh prefix: `cmake -Dbuild_dir=... -Dprefix=... -P install.cmake`.
# Starting from an empty prefix means a header dropped from the install cannot hide behind a
# copy left by an earlier run.
file(REMOVE_RECURSE "${prefix}")
set(config_args)
if(config)
  set(config_args --config "${config}")
endif()
execute_process(
  COMMAND "${CMAKE_COMMAND}" --install "${build_dir}" --prefix "${prefix}" ${config_args}
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${result})")
endif()
if(NOT EXISTS "${prefix}/include/rcplan/rcplan.hpp")
  message(FATAL_ERROR "the install has no include/rcplan/rcplan.hpp")
endif()
