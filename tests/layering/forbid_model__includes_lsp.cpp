// model/ may not use lsp/: this must not compile against coderx_model alone.
#include "lsp/protocol/framing.h"
