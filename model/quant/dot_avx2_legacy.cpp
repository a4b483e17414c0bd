#include "model/quant/kernel_table.h"
namespace coderx::model::quant {
void add_avx2_dot_legacy(KernelTable&) {}
}
