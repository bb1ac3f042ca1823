/* modules: the one list of the domain modules (module.h). Adding a module
 * is a folder under src/mod/ and one line here; docs/architecture.md walks
 * through it. The order is the order of the statistics' sections, of the
 * per-child table's columns and of the demo. */
#include "module.h"

#include "activities/activities.h"
#include "campaigns/campaigns.h"
#include "care/care.h"
#include "checklists/checklists.h"
#include "hazards/hazards.h"
#include "incidents/incidents.h"
#include "governance/governance.h"
#include "promotion/promotion.h"
#include "registries/registries.h"
#include "risks/risks.h"
#include "volunteers/volunteers.h"

const struct module *const module_list[] = {
    &hazards_module,   &activities_module, &volunteers_module, &care_module,
    &incidents_module, &registries_module, &campaigns_module,  &risks_module,
    &promotion_module, &checklists_module, &governance_module,
};
const int module_count = MODULE_N(module_list);
