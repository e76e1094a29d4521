#include "netra_bytes.h"
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define NETRA_X86_DISPATCH 1
#include <immintrin.h>
#else
#define NETRA_X86_DISPATCH 0
#endif

// The per-block masks before the maps that look at neighbours are derived.
typedef struct {
    uint64_t letter, digit, upper, equal, space, high, joiner;
} raw_masks;

// Carries from one block to the next: the top bit of each mask and the last folded byte.
typedef struct {
    uint64_t lower, letter, digit, equal;
    uint8_t last;
} carries;

// The byte loop: the definition every vector path must agree with (tests compare them all).
static inline void classify64_bytes(const uint8_t *p, uint8_t *folded, raw_masks *m, carries *c) {
    uint64_t letter = 0, digit = 0, upper = 0, equal = 0, space = 0, high = 0, joiner = 0;
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
        if (b >= 0x80) high |= bit;
        if (b == ',' || b == '-' || b == '.' || b == '/' || b == ':') joiner |= bit;
        previous = lowered;
    }
    c->last = previous;
    m->letter = letter; m->digit = digit; m->upper = upper; m->equal = equal; m->space = space; m->high = high; m->joiner = joiner;
}

#if defined(__SSE2__)
static inline __m128i in_range(__m128i v, uint8_t lo, uint8_t count) {
    __m128i t = _mm_sub_epi8(v, _mm_set1_epi8((char)lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8((char)(count - 1))), t);
}

static inline void classify64_sse2(const uint8_t *p, uint8_t *folded, raw_masks *m, carries *c) {
    __m128i previous = _mm_cvtsi32_si128(c->last);
    previous = _mm_slli_si128(previous, 15);
    uint64_t letter = 0, digit = 0, upper = 0, equal = 0, space = 0, high = 0, joiner = 0;
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
        __m128i isJoiner = _mm_or_si128(in_range(v, ',', 4), _mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
        previous = lowered;
        int shift = 16 * k;
        letter |= (uint64_t)(uint16_t)_mm_movemask_epi8(isLetter) << shift;
        digit |= (uint64_t)(uint16_t)_mm_movemask_epi8(isDigit) << shift;
        upper |= (uint64_t)(uint16_t)_mm_movemask_epi8(isUpper) << shift;
        equal |= (uint64_t)(uint16_t)_mm_movemask_epi8(isEqual) << shift;
        space |= (uint64_t)(uint16_t)_mm_movemask_epi8(isSpace) << shift;
        high |= (uint64_t)(uint16_t)_mm_movemask_epi8(v) << shift;
        joiner |= (uint64_t)(uint16_t)_mm_movemask_epi8(isJoiner) << shift;
    }
    c->last = folded[63];
    m->letter = letter; m->digit = digit; m->upper = upper; m->equal = equal; m->space = space; m->high = high; m->joiner = joiner;
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
    out[NETRA_MAP_HIGH] = m->high;
    out[NETRA_MAP_JOINER] = m->joiner;
    c->lower = lower >> 63;
    c->letter = m->letter >> 63;
    c->digit = m->digit >> 63;
    c->equal = m->equal >> 63;
}

// The block loop, over one of the block classifiers above: whole blocks, then the last bytes
// padded with zero bytes (which are in no map).
#define NETRA_CLASSIFY_BLOCKS(classify64)                                      \
    carries c = {0, 0, 0, 0, 0};                                               \
    raw_masks m;                                                               \
    intptr_t k = 0;                                                            \
    for (; k + 64 <= n; k += 64) {                                             \
        classify64(p + k, folded + k, &m, &c);                                 \
        derive(&m, &c, maps);                                                  \
        maps += NETRA_MAPS_PER_BLOCK;                                          \
    }                                                                          \
    if (k < n) {                                                               \
        uint8_t tail[64];                                                      \
        memset(tail, 0, sizeof tail);                                          \
        memcpy(tail, p + k, (size_t)(n - k));                                  \
        classify64(tail, folded + k, &m, &c);                                  \
        derive(&m, &c, maps);                                                  \
    }

static void classify_bytes(const uint8_t *p, intptr_t n, uint8_t *folded, uint64_t *maps) {
    NETRA_CLASSIFY_BLOCKS(classify64_bytes)
}

#if defined(__SSE2__)
static void classify_sse2(const uint8_t *p, intptr_t n, uint8_t *folded, uint64_t *maps) {
    NETRA_CLASSIFY_BLOCKS(classify64_sse2)
}
#endif

#if NETRA_X86_DISPATCH
__attribute__((target("avx2")))
static inline __m256i in_range256(__m256i v, uint8_t lo, uint8_t count) {
    __m256i t = _mm256_sub_epi8(v, _mm256_set1_epi8((char)lo));
    return _mm256_cmpeq_epi8(_mm256_min_epu8(t, _mm256_set1_epi8((char)(count - 1))), t);
}

// `classify64_sse2` 32 bytes at a time. The byte before each is found with a lane-crossing
// align; the first block's comes from the carried last byte.
__attribute__((target("avx2")))
static inline void classify64_avx2(const uint8_t *p, uint8_t *folded, raw_masks *m, carries *c) {
    const __m256i caseBit = _mm256_set1_epi8(0x20);
    __m256i previous = _mm256_insert_epi8(_mm256_setzero_si256(), (char)c->last, 31);
    uint64_t letter = 0, digit = 0, upper = 0, equal = 0, space = 0, high = 0, joiner = 0;
    for (int h = 0; h < 2; h++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + 32 * h));
        __m256i isLetter = in_range256(_mm256_or_si256(v, caseBit), 'a', 26);
        __m256i isDigit = in_range256(v, '0', 10);
        __m256i isUpper = _mm256_andnot_si256(_mm256_cmpeq_epi8(_mm256_and_si256(v, caseBit), caseBit), isLetter);
        __m256i lowered = _mm256_or_si256(v, _mm256_and_si256(isLetter, caseBit));
        _mm256_storeu_si256((__m256i *)(folded + 32 * h), lowered);
        __m256i before = _mm256_alignr_epi8(lowered, _mm256_permute2x128_si256(previous, lowered, 0x21), 15);
        __m256i isEqual = _mm256_and_si256(_mm256_cmpeq_epi8(lowered, before), isLetter);
        __m256i isSpace = _mm256_cmpeq_epi8(v, caseBit);
        __m256i isJoiner = _mm256_or_si256(in_range256(v, ',', 4), _mm256_cmpeq_epi8(v, _mm256_set1_epi8(':')));
        previous = lowered;
        int shift = 32 * h;
        letter |= (uint64_t)(uint32_t)_mm256_movemask_epi8(isLetter) << shift;
        digit |= (uint64_t)(uint32_t)_mm256_movemask_epi8(isDigit) << shift;
        upper |= (uint64_t)(uint32_t)_mm256_movemask_epi8(isUpper) << shift;
        equal |= (uint64_t)(uint32_t)_mm256_movemask_epi8(isEqual) << shift;
        space |= (uint64_t)(uint32_t)_mm256_movemask_epi8(isSpace) << shift;
        high |= (uint64_t)(uint32_t)_mm256_movemask_epi8(v) << shift;
        joiner |= (uint64_t)(uint32_t)_mm256_movemask_epi8(isJoiner) << shift;
    }
    c->last = folded[63];
    m->letter = letter; m->digit = digit; m->upper = upper; m->equal = equal; m->space = space; m->high = high; m->joiner = joiner;
}

__attribute__((target("avx2")))
static void classify_avx2(const uint8_t *p, intptr_t n, uint8_t *folded, uint64_t *maps) {
    NETRA_CLASSIFY_BLOCKS(classify64_avx2)
}

// AVX-512 (BW, VBMI): a whole block at a time, compares straight into 64-bit masks; the last
// bytes are read with a masked load (zero past the end) instead of being copied.
__attribute__((target("avx512f,avx512bw,avx512vbmi")))
static void classify_avx512(const uint8_t *p, intptr_t n, uint8_t *folded, uint64_t *maps) {
    carries c = {0, 0, 0, 0, 0};
    raw_masks m;
    __m512i previous = _mm512_setzero_si512();
    const __m512i caseBit = _mm512_set1_epi8(0x20);
    // Byte 0 takes the previous block's byte 63 (index 127 of the pair), byte i the block's i - 1.
    const __m512i shiftIndex = _mm512_set_epi8(62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40,
                                               39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
                                               16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 127);
    for (intptr_t k = 0; k < n; k += 64) {
        __m512i v = k + 64 <= n ? _mm512_loadu_si512((const void *)(p + k))
                                : _mm512_maskz_loadu_epi8(((uint64_t)1 << (n - k)) - 1, (const void *)(p + k));
        __m512i lc = _mm512_or_si512(v, caseBit);
        __mmask64 letter = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(lc, _mm512_set1_epi8('a')), _mm512_set1_epi8(26));
        __mmask64 digit = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('0')), _mm512_set1_epi8(10));
        __mmask64 upper = letter & _mm512_testn_epi8_mask(v, caseBit);
        __m512i lowered = _mm512_mask_blend_epi8(letter, v, lc);
        _mm512_storeu_si512((void *)(folded + k), lowered);
        __m512i before = _mm512_permutex2var_epi8(lowered, shiftIndex, previous);
        m.equal = letter & _mm512_cmpeq_epi8_mask(lowered, before);
        m.space = _mm512_cmpeq_epi8_mask(v, caseBit);
        m.high = _mm512_movepi8_mask(v);
        m.joiner = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8(',')), _mm512_set1_epi8(4)) |
                   _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(':'));
        m.letter = letter; m.digit = digit; m.upper = upper;
        previous = lowered;
        derive(&m, &c, maps);
        maps += NETRA_MAPS_PER_BLOCK;
    }
}
#endif

// `netra_classify_best_level`, found once (-1: not yet); any thread that finds it finds the same.
static int best_level(void) {
    static int cached = -1;
    int level = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (level < 0) {
        level = netra_classify_best_level();
        __atomic_store_n(&cached, level, __ATOMIC_RELAXED);
    }
    return level;
}

void netra_classify(const uint8_t *p, intptr_t n, uint8_t *folded, uint64_t *maps) {
    netra_classify_with(best_level(), p, n, folded, maps);
}

int netra_classify_best_level(void) {
#if NETRA_X86_DISPATCH
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi")) return NETRA_CLASSIFY_AVX512;
    if (__builtin_cpu_supports("avx2")) return NETRA_CLASSIFY_AVX2;
#endif
#if defined(__SSE2__)
    return NETRA_CLASSIFY_SSE2;
#else
    return NETRA_CLASSIFY_BYTES;
#endif
}

void netra_classify_with(int level, const uint8_t *p, intptr_t n, uint8_t *folded, uint64_t *maps) {
    switch (level) {
#if NETRA_X86_DISPATCH
    case NETRA_CLASSIFY_AVX512: classify_avx512(p, n, folded, maps); return;
    case NETRA_CLASSIFY_AVX2: classify_avx2(p, n, folded, maps); return;
#endif
#if defined(__SSE2__)
    case NETRA_CLASSIFY_SSE2: classify_sse2(p, n, folded, maps); return;
#endif
    default: classify_bytes(p, n, folded, maps); return;
    }
}

static intptr_t json_string_stop_bytes(const uint8_t *p, intptr_t i, intptr_t n) {
    for (; i < n; i++) {
        uint8_t b = p[i];
        if (b == '"' || b == '\\' || b < 0x20) return i;
    }
    return n;
}

#if NETRA_X86_DISPATCH
// The bits of the 32 bytes at `p` that stop a JSON string (quote, backslash, below 0x20).
__attribute__((target("avx2")))
static inline unsigned json_stop_mask_avx2(const uint8_t *p) {
    __m256i v = _mm256_loadu_si256((const __m256i *)p);
    __m256i hit = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')), _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\'))),
                                  _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1F)), v));
    return (unsigned)_mm256_movemask_epi8(hit);
}

// `netra_json_string_stop` 32 bytes at a time (the last ones through a load that ends at `n`;
// byte by byte when all of `p` is shorter than that).
__attribute__((target("avx2")))
static intptr_t json_string_stop_avx2(const uint8_t *p, intptr_t i, intptr_t n) {
    for (; i + 32 <= n; i += 32) {
        unsigned mask = json_stop_mask_avx2(p + i);
        if (mask != 0) return i + __builtin_ctz(mask);
    }
    if (i < n && n >= 32) {
        // The last bytes through one load that ends at n; the flags of bytes before i, seen
        // already, are dropped.
        unsigned mask = json_stop_mask_avx2(p + n - 32) & (~0u << (i - (n - 32)));
        return mask != 0 ? n - 32 + __builtin_ctz(mask) : n;
    }
    return json_string_stop_bytes(p, i, n);
}
#endif

#if defined(__SSE2__)
static intptr_t json_string_stop_sse2(const uint8_t *p, intptr_t i, intptr_t n) {
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), low = _mm_set1_epi8(0x1F);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                   _mm_cmpeq_epi8(_mm_min_epu8(v, low), v));
        int mask = _mm_movemask_epi8(hit);
        if (mask != 0) return i + __builtin_ctz((unsigned)mask);
    }
    return json_string_stop_bytes(p, i, n);
}
#endif

intptr_t netra_json_string_stop(const uint8_t *p, intptr_t from, intptr_t n) {
#if NETRA_X86_DISPATCH
    if (best_level() >= NETRA_CLASSIFY_AVX2) return json_string_stop_avx2(p, from, n);
#endif
#if defined(__SSE2__)
    return json_string_stop_sse2(p, from, n);
#else
    return json_string_stop_bytes(p, from, n);
#endif
}

intptr_t netra_json_string_stop_with(int level, const uint8_t *p, intptr_t from, intptr_t n) {
    switch (level) {
#if NETRA_X86_DISPATCH
    case NETRA_CLASSIFY_AVX512:
    case NETRA_CLASSIFY_AVX2: return json_string_stop_avx2(p, from, n);
#endif
#if defined(__SSE2__)
    case NETRA_CLASSIFY_SSE2: return json_string_stop_sse2(p, from, n);
#endif
    default: return json_string_stop_bytes(p, from, n);
    }
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

// Token starts: 0 and one past every space. The byte loop is the definition.
static intptr_t token_starts_bytes(const uint8_t *p, intptr_t n, int32_t *starts) {
    if (n <= 0) return 0;
    intptr_t count = 0;
    starts[count++] = 0;
    for (intptr_t i = 0; i < n; i++) {
        if (p[i] == 0x20) starts[count++] = (int32_t)(i + 1);
    }
    return count;
}

// For each byte value, the offsets of its set bits, ascending, then zeros, and how many there
// are: the spaces of eight input bytes from their mask, with no loop per space (a loop that
// ends at a different count every time is mispredicted). Filled once when the library loads.
static uint8_t set_bit_offsets[256][8];
static uint8_t set_bit_counts[256];

__attribute__((constructor))
static void fill_set_bit_tables(void) {
    for (int value = 0; value < 256; value++) {
        int k = 0;
        for (int bit = 0; bit < 8; bit++) {
            if (value & (1 << bit)) set_bit_offsets[value][k++] = (uint8_t)bit;
        }
        set_bit_counts[value] = (uint8_t)k;
    }
}

#if defined(__SSE2__)
// The token starts of eight bytes beginning at `at - 1`, whose spaces are the bits of `eight`:
// stored eight at a time (up to 7 entries past the new count).
static inline intptr_t token_starts_sse2_eight(uint32_t eight, intptr_t at, int32_t *starts, intptr_t count) {
    const __m128i zero = _mm_setzero_si128(), base = _mm_set1_epi32((int32_t)at);
    __m128i words = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)set_bit_offsets[eight]), zero);
    _mm_storeu_si128((__m128i *)(starts + count), _mm_add_epi32(_mm_unpacklo_epi16(words, zero), base));
    _mm_storeu_si128((__m128i *)(starts + count + 4), _mm_add_epi32(_mm_unpackhi_epi16(words, zero), base));
    return count + set_bit_counts[eight];
}

// Sixteen bytes at a time, eight spaces' starts stored at once.
static intptr_t token_starts_sse2(const uint8_t *p, intptr_t n, int32_t *starts) {
    if (n <= 0) return 0;
    intptr_t count = 0, i = 0;
    starts[count++] = 0;
    const __m128i spaces = _mm_set1_epi8(0x20);
    for (; i < n; i += 16) {
        __m128i block;
        if (i + 16 <= n) {
            block = _mm_loadu_si128((const __m128i *)(p + i));
        } else {
            // The last bytes, copied to a zeroed block so they are read like the others.
            uint8_t last[16] = {0};
            memcpy(last, p + i, (size_t)(n - i));
            block = _mm_loadu_si128((const __m128i *)last);
        }
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(block, spaces));
        if (mask == 0) continue;
        count = token_starts_sse2_eight(mask & 0xFF, i + 1, starts, count);
        count = token_starts_sse2_eight(mask >> 8, i + 9, starts, count);
    }
    return count;
}
#endif

#if NETRA_X86_DISPATCH
static const uint8_t byte_offsets[64] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
    32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};

// Sixty-four bytes at a time with no loop per space: the spaces' offsets compressed to the
// front of a vector (VBMI2), widened to 32 bits sixteen at a time and stored whole (up to 15
// entries past the count, which the caller has room for).
__attribute__((target("avx512f,avx512bw,avx512vbmi2")))
static intptr_t token_starts_avx512(const uint8_t *p, intptr_t n, int32_t *starts) {
    if (n <= 0) return 0;
    intptr_t count = 0;
    starts[count++] = 0;
    const __m512i spaces = _mm512_set1_epi8(0x20), offsets = _mm512_loadu_si512(byte_offsets);
    for (intptr_t i = 0; i < n; i += 64) {
        __mmask64 valid = n - i >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (n - i)) - 1);
        __mmask64 mask = _mm512_mask_cmpeq_epi8_mask(valid, _mm512_maskz_loadu_epi8(valid, p + i), spaces);
        if (mask == 0) continue;
        int k = __builtin_popcountll(mask);
        __m512i packed = _mm512_maskz_compress_epi8(mask, offsets);
        __m512i base = _mm512_set1_epi32((int32_t)(i + 1));
        int32_t *out = starts + count;
        _mm512_storeu_si512(out, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_castsi512_si128(packed)), base));
        if (k > 16) _mm512_storeu_si512(out + 16, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(packed, 1)), base));
        if (k > 32) _mm512_storeu_si512(out + 32, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(packed, 2)), base));
        if (k > 48) _mm512_storeu_si512(out + 48, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(packed, 3)), base));
        count += k;
    }
    return count;
}

// Thirty-two bytes at a time with no loop per space: for each eight bytes the offsets of their
// spaces come from `set_bit_offsets`, widened to 32 bits and stored whole, eight at a time (up
// to 7 entries past the count, which the caller has room for).
__attribute__((target("avx2,popcnt")))
static inline intptr_t token_starts_avx2_block(uint32_t mask, intptr_t i, int32_t *starts, intptr_t count) {
    for (int q = 0; q < 4; q++) {
        uint32_t eight = (mask >> (8 * q)) & 0xFF;
        __m256i offsets = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)set_bit_offsets[eight]));
        _mm256_storeu_si256((__m256i *)(starts + count), _mm256_add_epi32(offsets, _mm256_set1_epi32((int32_t)(i + 8 * q + 1))));
        count += __builtin_popcount(eight);
    }
    return count;
}

__attribute__((target("avx2,popcnt")))
static intptr_t token_starts_avx2(const uint8_t *p, intptr_t n, int32_t *starts) {
    if (n <= 0) return 0;
    intptr_t count = 0, i = 0;
    starts[count++] = 0;
    const __m256i spaces = _mm256_set1_epi8(0x20);
    for (; i + 32 <= n; i += 32) {
        uint32_t mask = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + i)), spaces));
        if (mask != 0) count = token_starts_avx2_block(mask, i, starts, count);
    }
    if (i < n) {
        // The last bytes, copied to a zeroed block so they are read like the others.
        uint8_t last[32] = {0};
        memcpy(last, p + i, (size_t)(n - i));
        uint32_t mask = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)last), spaces));
        if (mask != 0) count = token_starts_avx2_block(mask, i, starts, count);
    }
    return count;
}

static int has_vbmi2(void) {
    static int cached = -1;
    int value = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (value < 0) {
        __builtin_cpu_init();
        value = __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("avx512bw") ? 1 : 0;
        __atomic_store_n(&cached, value, __ATOMIC_RELAXED);
    }
    return value;
}
#endif

int netra_token_starts_best_level(void) {
#if NETRA_X86_DISPATCH
    if (has_vbmi2()) return NETRA_TOKENS_AVX512;
    if (best_level() >= NETRA_CLASSIFY_AVX2) return NETRA_TOKENS_AVX2;
#endif
#if defined(__SSE2__)
    return NETRA_TOKENS_SSE2;
#else
    return NETRA_TOKENS_BYTES;
#endif
}

typedef intptr_t (*token_starts_function)(const uint8_t *, intptr_t, int32_t *);

// The function of level `level` (`NETRA_TOKENS_*`), or the byte loop when this processor
// cannot run it.
static token_starts_function token_starts_at_level(int level) {
    switch (level) {
#if NETRA_X86_DISPATCH
    case NETRA_TOKENS_AVX512: if (has_vbmi2()) return token_starts_avx512; break;
    case NETRA_TOKENS_AVX2: if (best_level() >= NETRA_CLASSIFY_AVX2) return token_starts_avx2; break;
#endif
#if defined(__SSE2__)
    case NETRA_TOKENS_SSE2: return token_starts_sse2;
#endif
    default: break;
    }
    return token_starts_bytes;
}

intptr_t netra_token_starts_with(int level, const uint8_t *p, intptr_t n, int32_t *starts) {
    return token_starts_at_level(level)(p, n, starts);
}

intptr_t netra_token_starts(const uint8_t *p, intptr_t n, int32_t *starts) {
    // The best level's function, found once (any thread that finds it finds the same).
    static token_starts_function cached = NULL;
    token_starts_function f = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (f == NULL) {
        f = token_starts_at_level(netra_token_starts_best_level());
        __atomic_store_n(&cached, f, __ATOMIC_RELAXED);
    }
    return f(p, n, starts);
}
