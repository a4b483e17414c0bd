#include "model/quant/kernel_table.h"
namespace coderx::model::quant {
void add_quantizers_fp4(KernelTable&) {}
}
