/* volunteers: the volunteer register (志愿者). The summaries count members,
 * teams and service hours; the register is a plain entity, so the generic
 * layer gives it the API, search, import and export. */
#ifndef SAFECOMM_MOD_VOLUNTEERS_H
#define SAFECOMM_MOD_VOLUNTEERS_H

#include "module.h"

extern const struct module volunteers_module;

#endif
