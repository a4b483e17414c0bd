// kernels/ knows nothing of models: this must not compile against coderx_kernels alone.
#include "model/error.h"
