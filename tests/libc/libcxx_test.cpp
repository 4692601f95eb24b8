// SPDX-License-Identifier: MIT OR Apache-2.0
// C++ on rtheap::libc (newlib): libstdc++'s operator new and delete call malloc and
// free, its aligned forms memalign, so every C++ allocation is an rtheap block.
// Linked with linker/cortex-m.ld: libstdc++'s new throws std::bad_alloc and its
// nothrow form catches it, through the unwind tables the script keeps.
#include <cstdint>
#include <cstdio>
#include <new>
#include <string>
#include <vector>

#include "rtheap.h"

static int passed, failed;

static void check(bool ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        std::printf("FAILED: %s\n", what);
    }
}

static rtheap_stats_t stats()
{
    rtheap_stats_t s{};
    rtheap_get_stats(rtheap_default(), &s);
    return s;
}

static bool from_rtheap(const void *p)
{
    return p != nullptr && rtheap_usable_size(rtheap_default(), p) != 0;
}

struct Counted {
    static int alive;
    int value = 7;
    Counted() { alive++; }
    ~Counted() { alive--; }
};
int Counted::alive;

struct alignas(64) Line {
    unsigned char bytes[64];
};

int main()
{
    const std::uint32_t live0 = stats().live_blocks;
    const std::uint32_t errors0 = stats().error_count;

    int *i = new int(42);
    check(from_rtheap(i) && *i == 42, "new int is an rtheap block");
    delete i;

    Counted *c = new Counted[5];
    check(Counted::alive == 5 && c[4].value == 7, "new[] constructs five objects");
    delete[] c;
    check(Counted::alive == 0, "delete[] destroys them");

    Line *line = new Line;
    check(reinterpret_cast<std::uintptr_t>(line) % 64 == 0, "alignas(64) new is 64-aligned");
    check(from_rtheap(line), "alignas(64) new is an rtheap block");
    delete line;

    void *a = ::operator new(100, std::align_val_t(256));
    check(reinterpret_cast<std::uintptr_t>(a) % 256 == 0 && from_rtheap(a),
          "operator new(size, align_val_t(256)) is an aligned rtheap block");
    ::operator delete(a, std::align_val_t(256));

    {
        std::vector<int> v;
        for (int k = 0; k < 300; k++) {
            v.push_back(k);
        }
        std::string s;
        for (int k = 0; k < 60; k++) {
            s += "ab";
        }
        check(v[299] == 299 && s.size() == 120, "vector and string grow");
        check(from_rtheap(v.data()) && from_rtheap(s.data()), "their storage is rtheap's");
    }

    const std::uint32_t failed0 = stats().failed_count;
    char *huge = new (std::nothrow) char[64u << 20];
    check(huge == nullptr, "nothrow new of 64 MiB returns nullptr");
    check(stats().failed_count > failed0, "the failed allocation is counted");
    bool caught = false;
    try {
        char *h = new char[64u << 20];
        delete[] h;
    } catch (const std::bad_alloc &) {
        caught = true;
    }
    check(caught, "new of 64 MiB throws std::bad_alloc");

    check(stats().live_blocks == live0, "every block is back");
    check(stats().error_count == errors0, "no error reported");
    check(rtheap_check(rtheap_default()) == RTHEAP_OK, "rtheap_check");
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
