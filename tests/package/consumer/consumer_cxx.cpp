// SPDX-License-Identifier: MIT OR Apache-2.0
// C++ in a cross consumer: the toolchain file must give C++ the CPU flags it
// gives C (else g++'s default target, Arm state for an A-profile core, would
// build code a Cortex-M cannot run).
#if !defined(__thumb__) || !defined(__ARM_ARCH_PROFILE) || __ARM_ARCH_PROFILE != 'M'
#error "C++ is compiled without the toolchain's CPU flags"
#endif

extern "C" int consumer_cxx_profile(void);

extern "C" int consumer_cxx_profile(void)
{
    return __ARM_ARCH_PROFILE;
}
