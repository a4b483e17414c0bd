// context/ may not use model internals: this must not compile against coderx_context alone.
#include "model/error.h"
