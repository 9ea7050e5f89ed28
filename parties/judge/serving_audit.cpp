// The judge's step 6 for verified prediction serving (paper 5.3).
#include "parties/judge/audit_case.hpp"

namespace verdict::judge {

void audit_serving(Case& c) { c.find("", "transcript", "protocol", "the serving auditor is not built yet"); }

}  // namespace verdict::judge
