# Layering is enforced by the build: each file here includes a header its target may not use.
# It is compiled against that target only when ctest asks, and the build must fail.
# forbid_<target>__<what>.cpp must fail; control_<target>__<what>.cpp must build.
file(GLOB layering_cases CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/*.cpp")
foreach(source IN LISTS layering_cases)
  get_filename_component(name "${source}" NAME_WE)
  string(REGEX MATCH "^[a-z]+_([a-z_]+)__" _ "${name}")
  set(owner "coderx_${CMAKE_MATCH_1}")
  add_library(${name} OBJECT EXCLUDE_FROM_ALL "${source}")
  target_link_libraries(${name} PRIVATE ${owner})
  add_test(NAME layering.${name}
    COMMAND ${CMAKE_COMMAND} --build "${CMAKE_BINARY_DIR}" --target ${name})
  if(name MATCHES "^forbid_")
    set_tests_properties(layering.${name} PROPERTIES WILL_FAIL TRUE LABELS unit)
  else()
    set_tests_properties(layering.${name} PROPERTIES LABELS unit)
  endif()
endforeach()
