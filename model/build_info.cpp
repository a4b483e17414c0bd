#include "model/build_info.h"

namespace coderx::model {

std::string version() { return CODERX_VERSION; }

std::string build_options() { return CODERX_BUILD_INFO; }

std::string cpu_features() {
  std::string out;
  auto add = [&out](bool present, const char* name) {
    if (!present) return;
    if (!out.empty()) out += ' ';
    out += name;
  };
  __builtin_cpu_init();
  add(__builtin_cpu_supports("avx2"), "avx2");
  add(__builtin_cpu_supports("fma"), "fma");
  add(__builtin_cpu_supports("avx512f"), "avx512f");
  add(__builtin_cpu_supports("avx512bw"), "avx512bw");
  add(__builtin_cpu_supports("avx512vnni"), "avx512vnni");
  return out.empty() ? "scalar only" : out;
}

}  // namespace coderx::model
