// model/remote (the remote engine's client) sits below lsp/: it must not see the features.
#include "lsp/features/generator.h"
