#include "netra_bytes.h"
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// The per-block masks before the maps that look at neighbours are derived.
typedef struct {
    uint64_t letter, digit, upper, equal, space;
} raw_masks;

// Carries from one block to the next: the top bit of each mask and the last folded byte.
typedef struct {
    uint64_t lower, letter, digit, equal;
    uint8_t last;
} carries;

#if defined(__SSE2__)
static inline __m128i in_range(__m128i v, uint8_t lo, uint8_t count) {
    __m128i t = _mm_sub_epi8(v, _mm_set1_epi8((char)lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8((char)(count - 1))), t);
}

static inline void classify64(const uint8_t *p, uint8_t *folded, raw_masks *m, carries *c) {
    __m128i previous = _mm_cvtsi32_si128(c->last);
    previous = _mm_slli_si128(previous, 15);
    uint64_t letter = 0, digit = 0, upper = 0, equal = 0, space = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        __m128i isLetter = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 26);
        __m128i isDigit = in_range(v, '0', 10);
        __m128i isUpper = _mm_andnot_si128(_mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8(0x20)), isLetter);
        __m128i lowered = _mm_or_si128(v, _mm_and_si128(isLetter, _mm_set1_epi8(0x20)));
        _mm_storeu_si128((__m128i *)(folded + 16 * k), lowered);
        __m128i before = _mm_or_si128(_mm_slli_si128(lowered, 1), _mm_srli_si128(previous, 15));
        __m128i isEqual = _mm_and_si128(_mm_cmpeq_epi8(lowered, before), isLetter);
        __m128i isSpace = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x20));
        previous = lowered;
        int shift = 16 * k;
        letter |= (uint64_t)(uint16_t)_mm_movemask_epi8(isLetter) << shift;
        digit |= (uint64_t)(uint16_t)_mm_movemask_epi8(isDigit) << shift;
        upper |= (uint64_t)(uint16_t)_mm_movemask_epi8(isUpper) << shift;
        equal |= (uint64_t)(uint16_t)_mm_movemask_epi8(isEqual) << shift;
        space |= (uint64_t)(uint16_t)_mm_movemask_epi8(isSpace) << shift;
    }
    c->last = folded[63];
    m->letter = letter; m->digit = digit; m->upper = upper; m->equal = equal; m->space = space;
}
#else
static inline void classify64(const uint8_t *p, uint8_t *folded, raw_masks *m, carries *c) {
    uint64_t letter = 0, digit = 0, upper = 0, equal = 0, space = 0;
    uint8_t previous = c->last;
    for (int k = 0; k < 64; k++) {
        uint8_t b = p[k], lc = b | 0x20;
        uint64_t bit = (uint64_t)1 << k;
        int isLetter = lc >= 'a' && lc <= 'z';
        uint8_t lowered = isLetter ? lc : b;
        folded[k] = lowered;
        if (isLetter) {
            letter |= bit;
            if (!(b & 0x20)) upper |= bit;
            if (lowered == previous) equal |= bit;
        }
        if (b >= '0' && b <= '9') digit |= bit;
        if (b == 0x20) space |= bit;
        previous = lowered;
    }
    c->last = previous;
    m->letter = letter; m->digit = digit; m->upper = upper; m->equal = equal; m->space = space;
}
#endif

static inline void derive(const raw_masks *m, carries *c, uint64_t *out) {
    uint64_t lower = m->letter & ~m->upper;
    uint64_t camel = m->upper & ((lower << 1) | c->lower);
    uint64_t mixed = (m->letter & ((m->digit << 1) | c->digit)) | (m->digit & ((m->letter << 1) | c->letter));
    uint64_t elongated = m->equal & ((m->equal << 1) | c->equal);
    out[NETRA_MAP_ALNUM] = m->letter | m->digit;
    out[NETRA_MAP_LETTER] = m->letter;
    out[NETRA_MAP_SPECIAL] = camel | mixed | elongated;
    out[NETRA_MAP_EQUAL] = m->equal;
    out[NETRA_MAP_SPACE] = m->space;
    c->lower = lower >> 63;
    c->letter = m->letter >> 63;
    c->digit = m->digit >> 63;
    c->equal = m->equal >> 63;
}

void netra_classify(const uint8_t *p, intptr_t n, uint8_t *folded, uint64_t *maps) {
    carries c = {0, 0, 0, 0, 0};
    raw_masks m;
    intptr_t k = 0;
    for (; k + 64 <= n; k += 64) {
        classify64(p + k, folded + k, &m, &c);
        derive(&m, &c, maps);
        maps += NETRA_MAPS_PER_BLOCK;
    }
    if (k < n) {
        uint8_t tail[64];
        memset(tail, 0, sizeof tail);
        memcpy(tail, p + k, (size_t)(n - k));
        classify64(tail, folded + k, &m, &c);
        derive(&m, &c, maps);
    }
}

intptr_t netra_json_string_stop(const uint8_t *p, intptr_t from, intptr_t n) {
    intptr_t i = from;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), low = _mm_set1_epi8(0x1F);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                   _mm_cmpeq_epi8(_mm_min_epu8(v, low), v));
        int mask = _mm_movemask_epi8(hit);
        if (mask != 0) return i + __builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < n; i++) {
        uint8_t b = p[i];
        if (b == '"' || b == '\\' || b < 0x20) return i;
    }
    return n;
}

intptr_t netra_first_non_ascii(const uint8_t *p, intptr_t from, intptr_t n) {
    intptr_t i = from;
#if defined(__SSE2__)
    for (; i + 32 <= n; i += 32) {
        __m128i a = _mm_loadu_si128((const __m128i *)(p + i)), b = _mm_loadu_si128((const __m128i *)(p + i + 16));
        if (_mm_movemask_epi8(_mm_or_si128(a, b)) != 0) {
            int mask = _mm_movemask_epi8(a) | (_mm_movemask_epi8(b) << 16);
            return i + __builtin_ctz((unsigned)mask);
        }
    }
    for (; i + 16 <= n; i += 16) {
        int mask = _mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(p + i)));
        if (mask != 0) return i + __builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < n; i++) {
        if (p[i] >= 0x80) return i;
    }
    return n;
}

intptr_t netra_count_byte(const uint8_t *p, intptr_t n, uint8_t byte) {
    intptr_t i = 0, count = 0;
#if defined(__SSE2__)
    const __m128i wanted = _mm_set1_epi8((char)byte);
    for (; i + 16 <= n; i += 16) {
        int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), wanted));
        count += __builtin_popcount((unsigned)mask);
    }
#endif
    for (; i < n; i++) count += p[i] == byte;
    return count;
}

int netra_classify_is_vectorized(void) {
#if defined(__SSE2__)
    return 1;
#else
    return 0;
#endif
}
