// Byte classification for the normalizer's fast path (NetraText.ByteClassMaps): AVX-512, AVX2 or
// SSE2, chosen at run time on x86-64, and a byte loop elsewhere. Plain C types only; no logic beyond
// classifying bytes.
#ifndef NETRA_BYTES_H
#define NETRA_BYTES_H

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/// The maps of one 64-byte block, in this order, one bit per byte (byte k of the block is bit k).
enum {
    NETRA_MAP_ALNUM = 0,     // ASCII letters and digits
    NETRA_MAP_LETTER = 1,    // ASCII letters
    NETRA_MAP_SPECIAL = 2,   // camel case (upper after lower), a letter next to a digit either
                             // way, the third of three equal letters in a row
    NETRA_MAP_EQUAL = 3,     // a letter equal (case folded) to the letter before it
    NETRA_MAP_SPACE = 4,     // the byte 0x20
    NETRA_MAP_HIGH = 5,      // bytes 0x80 and above (not ASCII)
    NETRA_MAP_JOINER = 6,    // the bytes , - . / : (what joins two numbers: "10:30", "14-02-2024")
    NETRA_MAPS_PER_BLOCK = 7
};

/// The block classifiers, slowest first: the byte loop (the definition), SSE2, AVX2, AVX-512.
enum {
    NETRA_CLASSIFY_BYTES = 0,
    NETRA_CLASSIFY_SSE2 = 1,
    NETRA_CLASSIFY_AVX2 = 2,
    NETRA_CLASSIFY_AVX512 = 3
};

/// Classifies the `n` bytes at `p`: writes `NETRA_MAPS_PER_BLOCK` words per 64-byte block (the
/// last block padded with zero bytes) to `maps`, and the bytes with ASCII letters lower-cased
/// to `folded`, which must have room for `n` rounded up to a multiple of 64. Uses the best
/// classifier this processor has (`netra_classify_best_level`).
void netra_classify(const uint8_t *p, intptr_t n, uint8_t *folded, uint64_t *maps);

/// `netra_classify` with the classifier `level` (`NETRA_CLASSIFY_*`, at most
/// `netra_classify_best_level()`; an unknown level takes the byte loop). For tests and benchmarks.
void netra_classify_with(int level, const uint8_t *p, intptr_t n, uint8_t *folded, uint64_t *maps);

/// The best classifier this build and processor can run (`NETRA_CLASSIFY_*`).
int netra_classify_best_level(void);

/// The index of the first byte at or after `from` that is a quote, a backslash or below 0x20 (what
/// ends or interrupts a JSON string), or `n` when there is none.
intptr_t netra_json_string_stop(const uint8_t *p, intptr_t from, intptr_t n);

/// `netra_json_string_stop` with the code of classifier level `level` (`NETRA_CLASSIFY_*`: AVX-512
/// and AVX2 share one, 32 bytes at a time; SSE2 16; bytes one by one), for tests.
intptr_t netra_json_string_stop_with(int level, const uint8_t *p, intptr_t from, intptr_t n);

/// The index of the first byte at or after `from` that is not ASCII (0x80 or above), or `n`
/// when there is none.
intptr_t netra_first_non_ascii(const uint8_t *p, intptr_t from, intptr_t n);

/// The number of bytes equal to `byte` among the `n` bytes at `p`.
intptr_t netra_count_byte(const uint8_t *p, intptr_t n, uint8_t byte);

/// The ways `netra_token_starts` can run, slowest first: the byte loop (the definition), SSE2 and
/// AVX2 (16 or 32 bytes at a time, the starts of eight bytes' spaces from a table and stored
/// eight at a time, with no loop per space), AVX-512 with VBMI2 (a vector compress per 64 bytes).
enum {
    NETRA_TOKENS_BYTES = 0,
    NETRA_TOKENS_SSE2 = 1,
    NETRA_TOKENS_AVX2 = 2,
    NETRA_TOKENS_AVX512 = 3
};

/// Where the tokens of a normalized text begin (its tokens are the pieces between single
/// spaces): 0 when `n` > 0, then one past every space among the `n` bytes at `p`, ascending,
/// written to `starts`. Returns how many. `starts` must have room for that count plus 16 (the
/// vector path stores sixteen at a time); `n` + 17 is always enough.
intptr_t netra_token_starts(const uint8_t *p, intptr_t n, int32_t *starts);

/// `netra_token_starts` the way `level` says (`NETRA_TOKENS_*`; a level this processor cannot
/// run takes the byte loop). For tests.
intptr_t netra_token_starts_with(int level, const uint8_t *p, intptr_t n, int32_t *starts);

/// The fastest `NETRA_TOKENS_*` level this build and processor can run.
int netra_token_starts_best_level(void);

/// Copies 64 bytes from `src` to `dst` (which must not overlap), inline: a fixed-size copy
/// written in Swift became a call to `memcpy`.
static inline void netra_copy64(void *dst, const void *src) {
#if defined(__SSE2__)
    const __m128i *s = (const __m128i *)src;
    __m128i *d = (__m128i *)dst;
    __m128i a = _mm_loadu_si128(s), b = _mm_loadu_si128(s + 1), c = _mm_loadu_si128(s + 2), e = _mm_loadu_si128(s + 3);
    _mm_storeu_si128(d, a); _mm_storeu_si128(d + 1, b); _mm_storeu_si128(d + 2, c); _mm_storeu_si128(d + 3, e);
#else
    __builtin_memcpy(dst, src, 64);
#endif
}

/// The index of the last of the `n` ascending values at `sorted` that is at most `value`, or 0
/// when none is (or `n` is 0). Branch-free: it keeps `[base, base + n)` holding the answer and
/// halves it with a conditional move, so its only branch is the loop's, taken the same number of
/// times for every value. (Written in Swift, the select became a branch on each comparison,
/// mispredicted about half the time: 5 % of the normalizer's time in finding sentence starts.)
static inline intptr_t netra_last_not_above(const int32_t *sorted, intptr_t n, int32_t value) {
    intptr_t base = 0;
    while (n > 1) {
        intptr_t half = n >> 1;
#if defined(__has_builtin) && __has_builtin(__builtin_unpredictable)
        base = __builtin_unpredictable(sorted[base + half] <= value) ? base + half : base;
#else
        base = sorted[base + half] <= value ? base + half : base;
#endif
        n -= half;
    }
    return base;
}

#ifdef __cplusplus
}
#endif

#endif
