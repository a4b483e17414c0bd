// lsp/protocol may not use model/: this must not compile against coderx_lsp_protocol alone.
#include "model/build_info.h"
