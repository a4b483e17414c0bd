#include "lsp/features/assistant.h"
