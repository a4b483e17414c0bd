// Control case: a header the target may use compiles (proves the forbidden cases fail for the
// right reason). Registered separately with WILL_FAIL FALSE.
#include "model/error.h"
