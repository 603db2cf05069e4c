#include "app/app.h"
#include "store/machine.h"

namespace mps::app {

engine::Params RuleParams(const Common& c, engine::Params base) {
  unsigned cap = c.n_jobs_cap ? *c.n_jobs_cap : store::PerformanceCores().value_or(kDefaultNJobsCap);
  base.emplace("n_jobs_cap", std::to_string(cap));
  return base;
}

}  // namespace mps::app
