/* governance: who leads a campaign and who answers for it (issue 14). The
 * committees, leading groups and working groups by domain (dictionary
 * work_group) with their leaders, members (the phone sealed), written duties
 * and rules (documents); their meetings with minutes and attendance; the
 * responsibility letters signed layer by layer (county → township → village
 * → unit or household) with the coverage report of those still missing; the
 * donations (募捐, 捐赠) and the aggregate results of knowledge and
 * satisfaction surveys (知晓率, 满意度). Meetings, like activities, name the
 * campaigns they serve.
 *
 * The summary's organisation chapter (every campaign), the civilized
 * campaign's donations chapter and the safe campaign's survey results come
 * from here. Shared only by the module's files and modules.c. */
#ifndef SAFECOMM_MOD_GOVERNANCE_H
#define SAFECOMM_MOD_GOVERNANCE_H

#include "module.h"

struct demo_ctx;

extern const struct module governance_module;

/* org_coverage.c: GET /api/v1/responsibility_letters/coverage(.xlsx). */
void org_coverage_routes(void);
/* org_demo.c: the demo county's bodies, letters with gaps, donations and
 * surveys. */
int org_demo(struct demo_ctx *d, char **err);
/* `demo --scale`: committees, meetings, letters, donations and surveys in
 * proportion. */
int org_demo_scale(struct demo_ctx *d, char **err);

#endif
