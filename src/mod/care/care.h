/* care: households needing care (关爱对象), a registry of personal data. The
 * ID number, phone and address are sensitive: encrypted at rest, masked in
 * reads, revealed only with care:reveal and a reason (entity.c does that for
 * every FT_SENSITIVE field). */
#ifndef SAFECOMM_MOD_CARE_H
#define SAFECOMM_MOD_CARE_H

#include "module.h"

extern const struct module care_module;

#endif
