/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* An options header of the package test's consumer (RTHEAP_CONFIG_HEADER): rtheap
 * built with it and every file that includes rtheap.h must see these settings. */
#define RTHEAP_CONSUMER_OPTIONS 1
#define RTHEAP_ALIGNMENT 32
