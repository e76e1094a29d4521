#ifndef NETRA_CICU_H
#define NETRA_CICU_H
/* Stable, ICU-free C interface to the system ICU for NetraText.
   Only plain C types appear here so that Swift modules importing this header never see
   ICU's own declarations (which clash with Foundation's private ICU; see
   ../shared/reference/performance.md §4). */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Character classes used by the tokenizer. */
enum {
    CICU_CLASS_SEPARATOR = 0,  /* white space, punctuation: ends a token */
    CICU_CLASS_WORD = 1,       /* letters and digits: part of a token */
    CICU_CLASS_SYMBOL = 2,     /* symbols and emoji: a token of its own */
    CICU_CLASS_IGNORABLE = 3   /* combining marks, emoji modifiers, format characters: dropped */
};

/** Classifies one Unicode scalar value (general category through ICU's u_charType). */
int32_t cicu_scalar_class(uint32_t scalar);

/** Folds one scalar for matching: NFKC_Casefold, then ICU's "Latin-ASCII" transliteration
    (æ→ae, ø→o, ß→ss, đ→d, “”→"), then canonical decomposition with combining marks removed,
    then NFC and a final case fold. Writes UTF-8 to dst (no terminator) and returns its length,
    or the needed length when it exceeds cap, or -1 on an ICU error. */
int32_t cicu_fold_scalar_ascii(uint32_t scalar, char *dst, int32_t cap);

/** ICU's confusable skeleton (UTS #39) of one scalar, as UTF-8 (e.g. Cyrillic а → "a").
    Same return convention as cicu_fold_scalar_ascii. */
int32_t cicu_skeleton_scalar(uint32_t scalar, char *dst, int32_t cap);

/** True when the scalar is a letter whose script is neither Latin nor Common/Inherited. */
int32_t cicu_is_non_latin_letter(uint32_t scalar);

/** NFKC_Casefold over a UTF-8 string. Returns the output length (or the needed length when
    it exceeds cap), or -1 on an ICU error (invalid UTF-8 included). */
int32_t cicu_nfkc_casefold_utf8(const char *src, int32_t len, char *dst, int32_t cap);

/** The version of the ICU library in use, e.g. "72.1". */
const char *cicu_icu_version(void);

#ifdef __cplusplus
}
#endif
#endif
