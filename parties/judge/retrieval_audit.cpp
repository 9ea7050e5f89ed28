// The judge's step 6 for trustless retrieval (paper 5.4).
#include "parties/judge/audit_case.hpp"

namespace verdict::judge {

void audit_retrieval(Case& c) { c.find("", "transcript", "protocol", "the retrieval auditor is not built yet"); }

}  // namespace verdict::judge
