/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* harness_fails: a deliberately failing check; must exit 1 (proves failures surface). */
#include "harness.h"

int main(void)
{
    TH_CHECK(1 == 1);
    TH_CHECK(1 == 2);
    TH_CHECK_EQ(3u, 3u);
    return th_summary();
}
