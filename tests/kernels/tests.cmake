# The GPU tests of the kernels (*_gpu_test.cpp) and of the CUDA backend
# (tests/model/backend_cuda_gpu_test.cpp) a second time, on the CPU: CUDA builds compile the very
# kernels/*.cu sources as C++ against a CUDA emulation (tests/kernels/emu/cuda_emu.h), so they
# run in the default test run, label emu, test names prefixed "emu.".
if(CODERX_HAVE_CUDA AND NOT CODERX_SANITIZE)  # fiber stacks are invisible to ASan
  include(${CMAKE_CURRENT_SOURCE_DIR}/kernels/emu/emu.cmake)
endif()
