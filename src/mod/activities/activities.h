/* activities: publicity, training and drills (宣传培训活动), with their
 * participants. A plain entity; the summaries count sessions and people by
 * kind and month. */
#ifndef SAFECOMM_MOD_ACTIVITIES_H
#define SAFECOMM_MOD_ACTIVITIES_H

#include "module.h"

extern const struct module activities_module;

#endif
