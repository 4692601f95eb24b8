/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* RTHEAP_SMALL with RTHEAP_MAX_REGIONS raised (for rtheap_add_region): the default
 * heap still takes one region, the main one, as RTHEAP_SMALL's default of
 * RTHEAP_DEFAULT_SECOND_REGION (0) says, on boards with a second RAM too; and the
 * raised limit lets the firmware add a region of its own. */
#include "core_util.h"

static uint8_t extra[2048] __attribute__((aligned(16)));

int main(void)
{
    th_println("test_small_regions: RTHEAP_SMALL, RTHEAP_MAX_REGIONS 4");
    TH_CHECK_EQ(RTHEAP_DEFAULT_SECOND_REGION, 0);
    rtheap_t *h = rtheap_default();
    if (!TH_CHECK_NOT_NULL(h)) {
        return th_summary();
    }
    rtheap_stats_t s;
    TH_CHECK(rtheap_get_stats(h, &s));
    TH_CHECK_EQ(s.region_count, 1);
    TH_CHECK(rtheap_add_region(h, extra, sizeof extra));
    TH_CHECK(rtheap_get_stats(h, &s));
    TH_CHECK_EQ(s.region_count, 2);
    TH_CHECK_EQ(rtheap_check(h), RTHEAP_OK);
    return th_summary();
}
