/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rtheap: measured detection rates of header overwrites and writes after free.
 * Host only; built and run by tools/overwrite-rates.sh.
 *
 * Each trial, from its own fixed seed: a fresh 8 KiB heap at a fixed address, a random
 * layout (live blocks with a byte pattern, free blocks between them), then ONE damage:
 *   hdr1-rand / hdr1-str   one byte of a block header (a random block, the sentinel
 *                          included; a random byte of the word): a random value, or a
 *                          string byte (NUL, letters, digits, space)
 *   hdr2-rand / hdr2-str   two adjacent bytes of a header word, likewise
 *   uaf-next / uaf-prev /  a write after free into a free block's next link, prev link
 *   uaf-footer             or footer: a random word, string bytes, zero, one string
 *                          byte, the old value nudged (+1, +W, -A, +2A), or the address
 *                          of another block
 * then a workload that reaches the damage: calls on the damaged block and its
 * neighbours, 200 random operations against a shadow model, and freeing everything.
 * Outcome of the trial (the child process that ran it tells its parent):
 *   refused     the heap reported an error (error hook) and no harm followed
 *   harmless    no report, no harm, and rtheap_check() is OK at the end
 *   latent      no report, no harm, but rtheap_check() finds the damage at the end
 *   undetected  harm: an allocation overlaps a live block (or its header), live data
 *               changed, a block outside the arena, or a fault, sanitizer error or hang
 *               (reported-then-harm is counted here too, and shown apart)
 * For header overwrites, an undetected trial whose forged size lands exactly on a block
 * boundary (the window rtheap.h and docs/design.md document) is counted in the "window" column.
 *
 * Usage: overwrite-rates [-n TRIALS_PER_ROW] [-s SEED] [-v (children's sanitizer output)]
 *                        [-t ROW TRIAL (one trial, traced)]
 * Deterministic: same binary, same arguments, same table. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rtheap.h"

#define W sizeof(size_t)
#define A ((size_t)RTHEAP_ALIGNMENT)
#define ARENA_BYTES 8192u
#define PAGE 4096u
/* Fixed: free of ASLR, so that forged words mean the same in every run. */
#define ARENA_AT ((uintptr_t)0x10000000u)
#define NSLOTS 48
#define RANDOM_OPS 200

enum { OUT_HARMLESS = 10, OUT_REFUSED, OUT_LATENT, OUT_HARM, OUT_HARM_AFTER_REPORT, OUT_SETUP };
enum { ROW_H1R, ROW_H1S, ROW_H2R, ROW_H2S, ROW_NEXT, ROW_PREV, ROW_FOOTER, NROWS };
static const char *const row_names[NROWS] = {"hdr1-rand", "hdr1-str", "hdr2-rand", "hdr2-str",
                                             "uaf-next", "uaf-prev", "uaf-footer"};
static const char *const row_text[NROWS] = {
    "1-byte header overwrite, random value", "1-byte header overwrite, string byte/NUL",
    "2-byte header overwrite, random values", "2-byte header overwrite, string bytes/NUL",
    "write after free: next link", "write after free: prev link",
    "write after free: footer"};

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "exitcode=99:detect_leaks=0";
}
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "exitcode=99:halt_on_error=1:print_stacktrace=1";
}

static unsigned char *arena;
static rtheap_t *heap;
static int trace, verbose;
static unsigned reports;

typedef struct {
    unsigned char *p;
    size_t len;
    uint32_t seed;
} slot_t;
static slot_t s[NSLOTS];

/* ---- deterministic random numbers ---- */
static uint64_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}
static uint32_t below(uint32_t n)
{
    return n == 0 ? 0 : rnd() % n;
}

static void hook(rtheap_t *h, rtheap_error_t kind, const void *ptr, void *user)
{
    (void)h, (void)user;
    reports++;
    if (trace) {
        fprintf(stderr, "    report: %s (%p)\n", rtheap_error_name(kind), ptr);
    }
}

/* ---- shadow model ---- */
/* Live data of three kinds (by seed): bytes >= 0x80 (no word looks like a header),
 * small integers (every word looks like a header of a plausible size), and text. */
static unsigned char pat(uint32_t seed, size_t i)
{
    switch (seed % 3u) {
    case 0: return (unsigned char)(0x80u | ((seed + i * 31u) & 0x7Fu));
    case 1: return i % W == 0 ? (unsigned char)((seed >> 2) + (i / W) * 24u) : 0u;
    default: return (unsigned char)('a' + (seed / 3u + i * 7u) % 26u);
    }
}
static void fill(slot_t *x)
{
    for (size_t i = 0; i < x->len; i++) {
        x->p[i] = pat(x->seed, i);
    }
}
static bool intact(const slot_t *x)
{
    for (size_t i = 0; i < x->len; i++) {
        if (x->p[i] != pat(x->seed, i)) {
            return false;
        }
    }
    return true;
}

static bool harm;
static const char *harm_why;
static void harmed(const char *why)
{
    if (!harm && trace) {
        fprintf(stderr, "    HARM: %s\n", why);
    }
    if (!harm) {
        harm_why = why;
    }
    harm = true;
}

static void verify_all(void)
{
    for (int i = 0; i < NSLOTS; i++) {
        if (s[i].p != NULL && !intact(&s[i])) {
            harmed("live data changed");
        }
    }
}

/* A block the heap hands out for len bytes: in the arena, clear of every live block
 * and of the header word in front of it. */
static bool take(int k, unsigned char *p, size_t len)
{
    uintptr_t a = (uintptr_t)p;
    if (a < (uintptr_t)arena + W || a + len > (uintptr_t)arena + ARENA_BYTES || a % A != 0) {
        harmed("block outside the arena or misaligned");
        return false;
    }
    for (int i = 0; i < NSLOTS; i++) {
        if (i != k && s[i].p != NULL && a < (uintptr_t)s[i].p + s[i].len &&
            (uintptr_t)s[i].p - W < a + (len ? len : 1)) {
            harmed("allocation overlaps a live block");
            return false;
        }
    }
    s[k].p = p;
    s[k].len = len;
    s[k].seed = rnd();
    fill(&s[k]);
    return true;
}

static int free_slot(void)
{
    for (int i = 0; i < NSLOTS; i++) {
        if (s[i].p == NULL) {
            return i;
        }
    }
    return -1;
}

static int slot_of(const void *p)
{
    for (int i = 0; i < NSLOTS; i++) {
        if (s[i].p != NULL && s[i].p == p) {
            return i;
        }
    }
    return -1;
}

/* ---- operations (each followed by the model checks) ---- */
static void op_alloc(size_t len)
{
    int k = free_slot();
    if (k < 0) {
        return;
    }
    unsigned char *p = rtheap_alloc(heap, len);
    if (trace) {
        fprintf(stderr, "  alloc(%zu) -> %p\n", len, (void *)p);
    }
    if (p != NULL) {
        (void)take(k, p, len);
    }
    verify_all();
}

static void op_free(int k)
{
    if (k < 0 || s[k].p == NULL) {
        return;
    }
    if (!intact(&s[k])) {
        harmed("live data changed");
    }
    unsigned before = reports;
    rtheap_stats_t s0, s1;
    (void)rtheap_get_stats(heap, &s0);
    rtheap_free(heap, s[k].p);
    (void)rtheap_get_stats(heap, &s1);
    /* A report may come with the free done all the same (a damaged neighbour taken out
     * of service instead of merged): the heap's free count says which. */
    bool freed = s1.free_count != s0.free_count;
    if (trace) {
        fprintf(stderr, "  free(%p)%s\n", (void *)s[k].p,
                reports == before ? "" : freed ? " reported, freed" : " refused");
    }
    if (freed) {
        s[k].p = NULL;
    }
    verify_all();
}

static void op_realloc(int k, size_t len)
{
    if (k < 0 || s[k].p == NULL) {
        return;
    }
    slot_t old = s[k];
    unsigned char *p = rtheap_realloc(heap, old.p, len);
    if (trace) {
        fprintf(stderr, "  realloc(%p, %zu) -> %p\n", (void *)old.p, len, (void *)p);
    }
    if (p == NULL) {
        if (!intact(&old)) {
            harmed("failed realloc changed the block");
        }
    } else {
        size_t keep = old.len < len ? old.len : len;
        s[k].p = NULL;
        for (size_t i = 0; i < keep; i++) {
            if (p[i] != pat(old.seed, i)) {
                harmed("realloc lost contents");
                break;
            }
        }
        (void)take(k, p, len);
    }
    verify_all();
}

static void op_resize(int k, size_t len)
{
    if (k < 0 || s[k].p == NULL) {
        return;
    }
    size_t got = rtheap_resize_in_place(heap, s[k].p, len);
    if (trace) {
        fprintf(stderr, "  resize_in_place(%p, %zu) -> %zu\n", (void *)s[k].p, len, got);
    }
    if (got != 0) {
        slot_t old = s[k];
        s[k].p = NULL;
        (void)take(k, old.p, len); /* refilled with a new seed; the prefix was verified */
    }
    verify_all();
}

static size_t rnd_size(void)
{
    uint32_t r = below(10);
    return r < 6 ? 1u + below(64) : r < 9 ? 1u + below(300) : 1u + below(1500);
}

/* ---- the blocks of the heap (before the damage) ---- */
typedef struct {
    uintptr_t hdr;
    size_t size; /* usable */
    bool used;
} blk_t;
static blk_t blk[NSLOTS * 2 + 4];
static unsigned nblk;
static uintptr_t sentinel_hdr;

static bool walker(const rtheap_block_info_t *b, void *user)
{
    (void)user;
    if (nblk < sizeof blk / sizeof blk[0]) {
        blk[nblk].hdr = (uintptr_t)b->ptr - W;
        blk[nblk].size = b->size;
        blk[nblk].used = b->used;
        nblk++;
    }
    sentinel_hdr = (uintptr_t)b->ptr + b->size;
    return true;
}

static bool on_boundary(uintptr_t h)
{
    for (unsigned i = 0; i < nblk; i++) {
        if (blk[i].hdr == h) {
            return true;
        }
    }
    return h == sentinel_hdr;
}

static unsigned char str_byte(void)
{
    static const char set[] = "\0\0\0\0etaoinshrdlu ETAOIN0123456789.,-_/";
    return (unsigned char)set[below(sizeof set - 1u)];
}

/* ---- one trial ---- */
/* Shared with the parent: what the damage was, known even if the child dies. */
static volatile int *shared_window;
static bool in_window; /* header rows: the forged size lands on a block boundary */

static int trial(int row)
{
    memset(s, 0, sizeof s);
    memset(arena, 0, ARENA_BYTES);
    reports = 0;
    harm = false;
    in_window = false;
    heap = rtheap_init(arena, ARENA_BYTES);
    if (heap == NULL) {
        return OUT_SETUP;
    }
    rtheap_set_error_hook(heap, hook, NULL);
    /* Layout: up to 28 blocks, then free about 40% of them. */
    unsigned n = 8u + below(21);
    for (unsigned i = 0; i < n; i++) {
        unsigned char *p = rtheap_alloc(heap, rnd_size() % 400u + 1u);
        if (p != NULL) {
            size_t len = rtheap_usable_size(heap, p);
            s[i].p = p, s[i].len = len, s[i].seed = rnd();
            fill(&s[i]);
        }
    }
    for (unsigned i = 0; i < n; i++) {
        if (s[i].p != NULL && below(10) < 4) {
            rtheap_free(heap, s[i].p);
            s[i].p = NULL;
        }
    }
    if (reports != 0 || rtheap_check(heap) != RTHEAP_OK) {
        return OUT_SETUP;
    }
    nblk = 0;
    (void)rtheap_walk(heap, walker, NULL);

    /* The damage. */
    uintptr_t victim; /* header address of the block the damage belongs to */
    if (row <= ROW_H2S) {
        unsigned b = below(nblk + 1u);
        victim = b < nblk ? blk[b].hdr : sentinel_hdr;
        unsigned char *w = (unsigned char *)victim;
        unsigned nbytes = row <= ROW_H1S ? 1u : 2u;
        bool str = row == ROW_H1S || row == ROW_H2S;
        size_t before;
        memcpy(&before, w, W);
        for (int tries = 0; tries < 64; tries++) {
            unsigned pos = below((unsigned)W - nbytes + 1u);
            for (unsigned i = 0; i < nbytes; i++) {
                w[pos + i] = str ? str_byte() : (unsigned char)rnd();
            }
            size_t after;
            memcpy(&after, w, W);
            if (after != before) {
                break;
            }
        }
        size_t after;
        memcpy(&after, w, W);
        if (after == before) {
            return OUT_SETUP;
        }
        size_t t = after & ~(size_t)(A - 1u);
        in_window = t != 0 && t != (before & ~(size_t)(A - 1u)) && on_boundary(victim + t);
        if (shared_window != NULL) {
            *shared_window = in_window;
        }
        if (trace) {
            fprintf(stderr, "damage: header %#zx: %#zx -> %#zx (window %d)\n", (size_t)victim,
                    before, after, in_window);
        }
    } else {
        unsigned nfree = 0;
        for (unsigned i = 0; i < nblk; i++) {
            nfree += !blk[i].used;
        }
        unsigned pick = below(nfree);
        unsigned i = 0;
        for (;; i++) {
            if (!blk[i].used && pick-- == 0) {
                break;
            }
        }
        victim = blk[i].hdr;
        size_t *word = row == ROW_NEXT   ? (size_t *)(victim + W)
                       : row == ROW_PREV ? (size_t *)(victim + 2u * W)
                                         : (size_t *)(victim + W + blk[i].size - W);
        size_t before = *word, v = before;
        for (int tries = 0; tries < 64 && v == before; tries++) {
            switch (below(6)) {
            case 0: v = ((size_t)rnd() << 16 << 16) ^ rnd(); break;
            case 1:
                for (unsigned j = 0; j < W; j++) {
                    ((unsigned char *)&v)[j] = (unsigned char)('a' + below(26));
                }
                break;
            case 2: v = 0; break;
            case 3: v = before; ((unsigned char *)&v)[below((unsigned)W)] = str_byte(); break;
            case 4: {
                static const long d[] = {1, (long)W, -(long)A, 2 * (long)A};
                v = before + (size_t)d[below(4)];
                break;
            }
            default: {
                const blk_t *o = &blk[below(nblk)];
                v = below(2) ? o->hdr : o->hdr + W;
                break;
            }
            }
        }
        if (v == before) {
            return OUT_SETUP;
        }
        *word = v;
        if (trace) {
            fprintf(stderr, "damage: %s of free block %#zx: %#zx -> %#zx\n", row_names[row],
                    (size_t)victim, before, v);
        }
    }

    /* Directed: calls on the damaged block and its physical neighbours, in a random
     * order, and allocations that reach the free lists. */
    int kv = slot_of((void *)(victim + W)), kp = -1, kn = -1;
    for (unsigned i = 0; i < nblk; i++) {
        if (blk[i].hdr == victim) {
            kp = i > 0 ? slot_of((void *)(blk[i - 1].hdr + W)) : -1;
            kn = i + 1 < nblk ? slot_of((void *)(blk[i + 1].hdr + W)) : -1;
        }
    }
    for (unsigned step = 0, order = below(6); step < 6; step++) {
        switch ((step + order) % 6) {
        case 0: if (kv >= 0) { (void)rtheap_usable_size(heap, s[kv].p); } break;
        case 1: op_resize(kp, kp >= 0 ? s[kp].len + 16u + below(64) : 0); break;
        case 2: op_free(kv); break;
        case 3: op_free(kp); break;
        case 4: op_free(kn); break;
        default: op_alloc(kv >= 0 ? s[kv].len : 1u + below(200)); break;
        }
    }
    /* Random operations. */
    for (int i = 0; i < RANDOM_OPS && !harm; i++) {
        uint32_t r = below(10);
        int k = (int)below(NSLOTS);
        if (r < 4) {
            op_alloc(rnd_size());
        } else if (r < 7) {
            op_free(k);
        } else if (r < 9) {
            op_realloc(k, rnd_size());
        } else {
            op_resize(k, rnd_size());
        }
    }
    /* Free everything. */
    for (int k = 0; k < NSLOTS && !harm; k++) {
        op_free(k);
    }
    if (harm) {
        return reports != 0 ? OUT_HARM_AFTER_REPORT : OUT_HARM;
    }
    if (reports != 0) {
        return OUT_REFUSED;
    }
    return rtheap_check(heap) == RTHEAP_OK ? OUT_HARMLESS : OUT_LATENT;
}

static uint64_t trial_seed(uint64_t base, int row, long i)
{
    uint64_t z = base + (uint64_t)row * 0x9E3779B97F4A7C15u + (uint64_t)i * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    return z != 0 ? z : 1u;
}

/* Runs one trial in a child; returns its outcome code (anything else: a fault) and
 * sets *window when the damage was a header size landing on a block boundary. */
static int run_child(uint64_t base, int row, long i, bool *window)
{
    fflush(NULL);
    *shared_window = 0;
    pid_t pid = fork();
    if (pid == 0) {
        alarm(10); /* a hang is a fault */
        if (!verbose && freopen("/dev/null", "w", stderr) == NULL) {
            _exit(2);
        }
        rng = trial_seed(base, row, i);
        _exit(trial(row));
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid) {
        perror("fork/wait");
        exit(2);
    }
    *window = *shared_window != 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
    long trials = 1000;
    uint64_t base = 0x12C0FFEEu;
    int one_row = -1;
    long one_trial = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            trials = atol(argv[++i]);
        } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            base = strtoull(argv[++i], NULL, 0);
        } else if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
        } else if (strcmp(argv[i], "-t") == 0 && i + 2 < argc) {
            one_row = atoi(argv[++i]);
            one_trial = atol(argv[++i]);
        } else {
            fprintf(stderr, "usage: %s [-n trials] [-s seed] [-v] [-t row trial]\n", argv[0]);
            return 2;
        }
    }
    /* The arena at a fixed address between two inaccessible pages. */
    void *m = mmap((void *)(ARENA_AT - PAGE), ARENA_BYTES + 2u * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m != (void *)(ARENA_AT - PAGE)) {
        perror("mmap of the arena at its fixed address");
        return 2;
    }
    arena = (unsigned char *)ARENA_AT;
    if (mprotect(m, PAGE, PROT_NONE) != 0 ||
        mprotect(arena + ARENA_BYTES, PAGE, PROT_NONE) != 0) {
        perror("mprotect");
        return 2;
    }
    shared_window = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared_window == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    if (one_row >= 0) {
        trace = 1;
        rng = trial_seed(base, one_row, one_trial);
        int out = trial(one_row);
        fprintf(stderr, "outcome %d%s%s\n", out, harm ? ": " : "", harm ? harm_why : "");
        return 0;
    }
    printf("overwrite-rates: %zu-bit, RTHEAP_ALIGNMENT %zu, %ld trials per row, seed %#llx\n",
           W * 8u, A, trials, (unsigned long long)base);
    printf("%-11s %9s %9s %9s %11s %8s %8s  %s\n", "damage", "refused", "harmless", "latent",
           "undetected", "on-bound", "rep+harm", "(undetected = overlap, data changed, fault)");
    unsigned long tot[4] = {0, 0, 0, 0};
    for (int row = 0; row < NROWS; row++) {
        unsigned long c[4] = {0, 0, 0, 0}, win = 0, rep_harm = 0, done = 0, faults = 0;
        long first_bad = -1;
        for (long i = 0; done < (unsigned long)trials && i < trials * 4; i++) {
            bool w;
            int out = run_child(base, row, i, &w);
            switch (out) {
            case OUT_SETUP: continue;
            case OUT_REFUSED: c[0]++; break;
            case OUT_HARMLESS: c[1]++; break;
            case OUT_LATENT: c[2]++; break;
            case OUT_HARM_AFTER_REPORT: rep_harm++; /* fall through */
            case OUT_HARM: c[3]++; win += w; break;
            default: c[3]++; faults++; win += w; break;
            }
            if ((out == OUT_HARM || out == OUT_HARM_AFTER_REPORT || out < 10 || out > 15) &&
                first_bad < 0) {
                first_bad = i;
            }
            done++;
        }
        printf("%-11s %8.1f%% %8.1f%% %8.1f%% %10.1f%% %7.1f%% %7.1f%%  %s", row_names[row],
               100.0 * (double)c[0] / (double)done, 100.0 * (double)c[1] / (double)done,
               100.0 * (double)c[2] / (double)done, 100.0 * (double)c[3] / (double)done,
               100.0 * (double)win / (double)done, 100.0 * (double)rep_harm / (double)done,
               row_text[row]);
        if (faults != 0) {
            printf("; %lu faults", faults);
        }
        if (first_bad >= 0) {
            printf(" (e.g. -t %d %ld)", row, first_bad);
        }
        printf("\n");
        for (int k = 0; k < 4; k++) {
            tot[k] += c[k];
        }
    }
    unsigned long all = tot[0] + tot[1] + tot[2] + tot[3];
    printf("overall: %lu trials: refused %.1f%%, harmless %.1f%%, latent %.1f%%, undetected "
           "%.1f%%\n",
           all, 100.0 * (double)tot[0] / (double)all, 100.0 * (double)tot[1] / (double)all,
           100.0 * (double)tot[2] / (double)all, 100.0 * (double)tot[3] / (double)all);
    return 0;
}
