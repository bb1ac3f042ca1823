/* risks: the risk register of the community diagnosis (风险辨识评估). A
 * risk names its domain, its place or unit, the groups it affects, the
 * 两高一脆弱 / 三重点 tags, the controls in place and its links to hazards
 * and a promotion project. It is assessed by LEC (D = L × E × C over the
 * lec_l, lec_e and lec_c dictionaries) or by a likelihood × severity
 * matrix; the score and the level (重大/较大/一般/低, red/orange/yellow/
 * blue) are derived from the bands of the dictionaries lec_band and
 * risk_matrix_band (data, editable), never typed in. GET
 * /api/v1/risks/map draws the four colours per region on the boundaries. */
#ifndef SAFECOMM_MOD_RISKS_H
#define SAFECOMM_MOD_RISKS_H

#include <jansson.h>

#include "module.h"

extern const struct module risks_module;

/* D = L × E × C, rounded to 2 places. */
double risk_lec_d(double l, double e, double c);
/* The risk_level code of score among bands, an array of {"min","max",
 * "risk_level"} (min <= score < max, a missing bound open), as the
 * dictionaries' extra hold them; NULL when no band holds it. */
const char *risk_band_level(json_t *bands, double score);

#endif
