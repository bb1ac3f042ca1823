/* idcard: Chinese resident identity numbers (GB 11643-1999): validation of the
 * 18-character form (digits, birth date, check character) and masking for
 * display. Pure functions, no allocation; the caller owns every buffer. */
#ifndef SAFECOMM_IDCARD_H
#define SAFECOMM_IDCARD_H

#include <stddef.h>

/* 0 when id is a valid 18-character number: 17 digits, then a digit or X (x
 * accepted), birth date YYYYMMDD a real day from 1900-01-01 to today (China
 * Standard Time), check character right. Else -1 and, when why is not NULL, a
 * static Chinese reason in *why ("长度必须为18位", "校验位错误", "出生日期无效"…).
 * On success *why is set to NULL. The 6-digit region code is not checked. */
int idcard_validate(const char *id, const char **why);

/* The check character ('0'-'9' or 'X') for the 17 digits that start id
 * (demo data makes valid numbers with it). */
char idcard_check_char(const char *id);

/* Masks id for display, "110**************X" style: the first 3 and the last
 * character kept, every one between replaced by '*'; a string shorter than 15
 * characters becomes all '*'. (docs/security.md, "Masks": the birth date,
 * the region and the sex a reader may hold must not complete the number.) Characters are UTF-8 code points, so any string
 * masks without splitting a character. out is always NUL-terminated and
 * truncated at a character boundary when short; 19 bytes hold any 18-digit
 * number. NULL id gives "". */
void idcard_mask(const char *id, char *out, size_t outlen);

#endif
