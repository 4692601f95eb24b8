# SPDX-License-Identifier: MIT OR Apache-2.0
"""The entry points the analysis bounds, with what their bound may depend on.

kind:
  rt      a real-time call: its bound is a constant, or a constant plus a cost per
          byte (the copy of a moving realloc, the zeroing of calloc); steady state
          (the default heap exists: its construction, on the first call, is bounded
          apart, see wcet-once in the sources)
  setup   builds or grows a heap: bounded in the work parameters, whole (the
          construction included)
  diag    O(blocks) diagnostics: bounded in the number of blocks
"""

GROUPS = ["C API", "Rust", "malloc family", "FreeRTOS"]

# (name, group, kind, note)
ENTRIES = [
    ("rtheap_alloc", "C API", "rt", ""),
    ("rtheap_alloc_aligned", "C API", "rt", ""),
    ("rtheap_calloc", "C API", "rt", "bytes: the block's usable size, zeroed"),
    ("rtheap_realloc", "C API", "rt", "bytes: copied by a move"),
    ("rtheap_realloc_aligned", "C API", "rt", "bytes: copied by a move"),
    ("rtheap_realloc_sized", "C API", "rt", "bytes: copied by a move"),
    ("rtheap_resize_in_place", "C API", "rt", ""),
    ("rtheap_free", "C API", "rt", ""),
    ("rtheap_usable_size", "C API", "rt", ""),
    ("rtheap_request_usable_size", "C API", "rt", ""),
    ("rtheap_get_stats", "C API", "rt", ""),
    ("rtheap_control_size", "C API", "rt", ""),
    ("rtheap_set_error_hook", "C API", "rt", ""),
    ("rtheap_report_error", "C API", "rt", "plus the error hook's own time"),
    ("rtheap_error_name", "C API", "rt", ""),
    ("rtheap_default", "C API", "rt", ""),
    ("rtheap_default_status", "C API", "rt", ""),
    ("rtheap_default_no_heap_count", "C API", "rt", ""),
    ("rtheap_init", "C API", "setup", ""),
    ("rtheap_init_for", "C API", "setup", ""),
    ("rtheap_add_region", "C API", "setup", ""),
    ("rtheap_default_init", "C API", "setup", ""),
    ("rtheap_check", "C API", "diag", ""),
    ("rtheap_walk", "C API", "diag", "plus the walker's own time, once per block"),
    ("__rust_allocate", "Rust", "rt", ""),
    ("__rust_deallocate", "Rust", "rt", ""),
    ("__rust_reallocate", "Rust", "rt", "bytes: copied by a move"),
    ("__rust_reallocate_inplace", "Rust", "rt", ""),
    ("__rust_usable_size", "Rust", "rt", ""),
    ("malloc", "malloc family", "rt", ""),
    ("free", "malloc family", "rt", ""),
    ("cfree", "malloc family", "rt", ""),
    ("calloc", "malloc family", "rt", "bytes: zeroed"),
    ("realloc", "malloc family", "rt", "bytes: copied by a move"),
    ("reallocarray", "malloc family", "rt", "bytes: copied by a move"),
    ("reallocf", "malloc family", "rt", "bytes: copied by a move"),
    ("memalign", "malloc family", "rt", ""),
    ("aligned_alloc", "malloc family", "rt", ""),
    ("posix_memalign", "malloc family", "rt", ""),
    ("valloc", "malloc family", "rt", ""),
    ("pvalloc", "malloc family", "rt", ""),
    ("malloc_usable_size", "malloc family", "rt", ""),
    ("mallopt", "malloc family", "rt", ""),
    ("malloc_trim", "malloc family", "rt", ""),
    ("getpagesize", "malloc family", "rt", ""),
    ("pvPortMalloc", "FreeRTOS", "rt", ""),
    ("vPortFree", "FreeRTOS", "rt", ""),
    ("pvPortCalloc", "FreeRTOS", "rt", "bytes: zeroed by the C library's memset, outside the lock"),
    ("xPortGetFreeHeapSize", "FreeRTOS", "rt", ""),
    ("xPortGetMinimumEverFreeHeapSize", "FreeRTOS", "rt", ""),
    ("xPortResetHeapMinimumEverFreeHeapSize", "FreeRTOS", "rt", ""),
    ("vPortInitialiseBlocks", "FreeRTOS", "rt", ""),
    ("vPortHeapResetState", "FreeRTOS", "rt", ""),
    ("rtheap_freertos_heap", "FreeRTOS", "rt", ""),
    ("vPortDefineHeapRegions", "FreeRTOS", "setup", ""),
    ("vPortGetHeapStats", "FreeRTOS", "diag", "its walker (port_scan_free) included, per block"),
]

# Indirect calls the analysis does not follow: the callee is the user's code.
INDIRECT_CALLS = {
    "rtheap_report": "the error hook (rtheap_set_error_hook): the user's code, not in the bound",
    "rtheap_walk": "the walker: the caller's code, once per block, not in the bound",
}

# Calls whose job is the damage handling (reporting): their sound-heap bound is their
# bound (a sound heap does not keep them from running it).
NO_SOUND = {"rtheap_report_error"}

# Walkers whose cost the analysis adds per block for an entry that walks with them.
WALKERS = {"vPortGetHeapStats": "port_scan_free"}

# Parameters an entry of each kind may depend on.
KIND_PARAMS = {"rt": {"bytes"}, "setup": {"bytes", "chunks", "regions", "blocks"},
               "diag": {"blocks", "bytes"}}
