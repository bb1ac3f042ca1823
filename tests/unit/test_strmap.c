/* Unit tests for strmap: values start zeroed and stay where they are found,
 * look-ups without create leave the map alone, growth keeps every entry,
 * and iteration visits each key once. */
#include "harness.h"
#include "strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_strmap(void)
{
    struct strmap *m = strmap_new(sizeof(long));
    CHECK(strmap_get(m, "absent", 0) == NULL);
    CHECK_INT((int)strmap_count(m), 0);
    long *v = strmap_get(m, "511621101001|2025-03-01", 1);
    CHECK(v != NULL && *v == 0);
    *v = 5;
    CHECK(strmap_get(m, "511621101001|2025-03-01", 1) == v);
    CHECK_INT((int)strmap_count(m), 1);
    /* enough keys to grow the table several times */
    char key[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        *(long *)strmap_get(m, key, 1) += i;
    }
    CHECK_INT((int)strmap_count(m), 10001);
    CHECK_INT((int)*(long *)strmap_get(m, "511621101001|2025-03-01", 0), 5);
    long sum = 0, n = 0;
    size_t pos = 0;
    void *val;
    const char *k;
    while ((k = strmap_next(m, &pos, &val))) {
        n++;
        sum += *(long *)val;
        CHECK(strmap_get(m, k, 0) == val);
    }
    CHECK_INT((int)n, 10001);
    CHECK_INT((int)sum, 5 + 10000 * 9999 / 2);
    CHECK(strmap_get(m, "k10000", 0) == NULL);
    strmap_free(m);
    strmap_free(NULL);
}

int main(void)
{
    test_strmap();
    return TEST_REPORT();
}
