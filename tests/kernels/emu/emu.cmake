# coderx_kernels_emu: kernels/*.cu compiled as C++ with cuda_emu.h forced in front, plus the
# host-side kernels/*.cpp, the fiber scheduler and the runtime/cuBLAS stubs. Only the emulated
# test binary links it, never together with coderx_kernels or libcudart.
set(emu_dir ${CMAKE_CURRENT_SOURCE_DIR}/kernels/emu)
file(GLOB emu_cu CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/kernels/*.cu)
file(GLOB emu_host CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/kernels/*.cpp)
set(emu_units)
foreach(cu ${emu_cu})
  get_filename_component(name ${cu} NAME_WE)
  set(unit ${CMAKE_CURRENT_BINARY_DIR}/kernels_emu/${name}.cpp)
  file(CONFIGURE OUTPUT ${unit} CONTENT "#include \"kernels/${name}.cu\"\n")
  list(APPEND emu_units ${unit})
endforeach()
# Kernels pun types freely (a uint4 load read back as __half2), which nvcc allows: so must g++.
# A GPU faults on a load or store not aligned to its size (a float4 off a 16-byte boundary, a
# 4-byte word inside a 210-byte Q6_K block), where x86 goes on: UBSan's alignment check stops the
# emulated run at such an access instead (CUDA's vector types carry their alignment on the host too).
set(emu_gpu_alignment "-fsanitize=alignment;-fno-sanitize-recover=alignment")
set_source_files_properties(${emu_units} PROPERTIES COMPILE_OPTIONS
  "-include;${emu_dir}/cuda_emu.h;-fno-strict-aliasing;${emu_gpu_alignment}")
set_source_files_properties(${emu_dir}/launch_test.cpp PROPERTIES COMPILE_OPTIONS "${emu_gpu_alignment}")

add_library(coderx_kernels_emu STATIC ${emu_units} ${emu_host} ${emu_dir}/fiber_grid.cpp ${emu_dir}/runtime_stubs.cpp)
target_include_directories(coderx_kernels_emu PUBLIC "${CMAKE_BINARY_DIR}/expose/kernels" ${CUDAToolkit_INCLUDE_DIRS})
target_include_directories(coderx_kernels_emu PUBLIC ${emu_dir})
target_compile_definitions(coderx_kernels_emu PUBLIC CODERX_HAVE_CUDA=1)
target_compile_features(coderx_kernels_emu PUBLIC cxx_std_20)

# coderx_model_emu: the engine compiled a second time, its CUDA backend on the emulated kernels.
file(GLOB model_emu_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/model/*.cpp ${CMAKE_SOURCE_DIR}/model/*/*.cpp)
list(FILTER model_emu_sources EXCLUDE REGEX "(_nocuda\\.cpp|/model/remote/.*)$")
add_library(coderx_model_emu STATIC ${model_emu_sources})
target_include_directories(coderx_model_emu PUBLIC "${CMAKE_BINARY_DIR}/expose/model")
target_link_libraries(coderx_model_emu PUBLIC coderx_kernels_emu spdlog::spdlog Boost::headers Threads::Threads)
target_compile_definitions(coderx_model_emu PRIVATE CODERX_VERSION="${PROJECT_VERSION}"
  CODERX_BUILD_INFO="${CODERX_BUILD_INFO}" CODERX_CUDA_REASON="CUDA emulation on the CPU")

# The kernel tests and the CUDA backend's end-to-end tests, on the emulation only.
file(GLOB emu_tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/kernels/*_gpu_test.cpp)
add_executable(coderx_kernels_emu_tests ${emu_tests} ${emu_dir}/fiber_grid_test.cpp ${emu_dir}/intrinsics_test.cpp
  ${emu_dir}/launch_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/model/backend_cuda_gpu_test.cpp)
coderx_warnings(coderx_kernels_emu_tests)
target_link_libraries(coderx_kernels_emu_tests PRIVATE coderx_model_emu coderx_test_support GTest::gtest_main)
target_link_options(coderx_kernels_emu_tests PRIVATE -Wl,--as-needed -fsanitize=alignment)  # no libcudart: nothing calls it
# Twice: in the forward schedule (emu.), and in reverse (emu-reverse.: blocks and threads last
# first), so that a race within a barrier interval fails in one of the two whichever way it goes
# (fiber_grid.h).
foreach(schedule forward reverse)
  if(schedule STREQUAL "forward")
    set(prefix "emu.")
  else()
    set(prefix "emu-${schedule}.")
  endif()
  gtest_discover_tests(coderx_kernels_emu_tests
    WORKING_DIRECTORY "${CMAKE_BINARY_DIR}"
    TEST_PREFIX "${prefix}"
    PROPERTIES LABELS emu ENVIRONMENT CODERX_EMU_SCHEDULE=${schedule}
    DISCOVERY_TIMEOUT 30
    DISCOVERY_MODE PRE_TEST)
endforeach()
