/* The only file that includes ICU headers. */
#include "cicu.h"
#include <stdlib.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/uversion.h>
#include <unicode/utrans.h>
#include <unicode/uspoof.h>
#include <unicode/uscript.h>

/* One transliterator and one spoof checker per thread: ICU objects are not shared between
   threads here, and opening them is expensive (callers memoize per scalar anyway). */
static _Thread_local UTransliterator *latin_ascii = NULL;
static _Thread_local USpoofChecker *spoof = NULL;

static UTransliterator *latin_ascii_instance(void) {
    if (!latin_ascii) {
        UErrorCode err = U_ZERO_ERROR;
        UChar id[32];
        u_uastrcpy(id, "Latin-ASCII");
        latin_ascii = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
        if (U_FAILURE(err)) latin_ascii = NULL;
    }
    return latin_ascii;
}

static USpoofChecker *spoof_instance(void) {
    if (!spoof) {
        UErrorCode err = U_ZERO_ERROR;
        spoof = uspoof_open(&err);
        if (U_FAILURE(err)) spoof = NULL;
    }
    return spoof;
}

int32_t cicu_scalar_class(uint32_t scalar) {
    UChar32 c = (UChar32)scalar;
    if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) return CICU_CLASS_IGNORABLE;
    if (u_hasBinaryProperty(c, UCHAR_EMOJI_MODIFIER)) return CICU_CLASS_IGNORABLE;
    switch (u_charType(c)) {
    case U_UPPERCASE_LETTER: case U_LOWERCASE_LETTER: case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER: case U_OTHER_LETTER:
    case U_DECIMAL_DIGIT_NUMBER: case U_LETTER_NUMBER: case U_OTHER_NUMBER:
        return CICU_CLASS_WORD;
    case U_NON_SPACING_MARK: case U_ENCLOSING_MARK: case U_COMBINING_SPACING_MARK:
    case U_FORMAT_CHAR: case U_CONTROL_CHAR: case U_UNASSIGNED: case U_SURROGATE:
    case U_PRIVATE_USE_CHAR:
        return CICU_CLASS_IGNORABLE;
    case U_MATH_SYMBOL: case U_CURRENCY_SYMBOL: case U_MODIFIER_SYMBOL: case U_OTHER_SYMBOL:
        return CICU_CLASS_SYMBOL;
    default:
        return CICU_CLASS_SEPARATOR;
    }
}

static int32_t to_utf8(const UChar *src, int32_t len, char *dst, int32_t cap) {
    UErrorCode err = U_ZERO_ERROR;
    int32_t outLen = 0;
    u_strToUTF8(dst, cap, &outLen, src, len, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR || err == U_STRING_NOT_TERMINATED_WARNING) return outLen;
    if (U_FAILURE(err)) return -1;
    return outLen;
}

int32_t cicu_fold_scalar_ascii(uint32_t scalar, char *dst, int32_t cap) {
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nfkccf = unorm2_getNFKCCasefoldInstance(&err);
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&err);
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&err);
    if (U_FAILURE(err)) return -1;
    UChar in[2]; int32_t inLen = 0;
    U16_APPEND_UNSAFE(in, inLen, (UChar32)scalar);
    UChar buf[128], decomposed[256], stripped[256], composed[256], refolded[256];
    int32_t n = unorm2_normalize(nfkccf, in, inLen, buf, 128, &err);
    if (U_FAILURE(err)) return -1;
    UTransliterator *t = latin_ascii_instance();
    if (t) {
        int32_t textLength = n, limit = n;
        UErrorCode terr = U_ZERO_ERROR;
        utrans_transUChars(t, buf, &textLength, 128, 0, &limit, &terr);
        if (!U_FAILURE(terr) && textLength <= 128) n = textLength;
    }
    int32_t n2 = unorm2_normalize(nfd, buf, n, decomposed, 256, &err);
    if (U_FAILURE(err)) return -1;
    int32_t n3 = 0;
    for (int32_t i = 0; i < n2;) {
        UChar32 c; U16_NEXT(decomposed, i, n2, c);
        int8_t type = u_charType(c);
        if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK) continue;
        U16_APPEND_UNSAFE(stripped, n3, c);
    }
    int32_t n4 = unorm2_normalize(nfc, stripped, n3, composed, 256, &err);
    if (U_FAILURE(err)) return -1;
    int32_t n5 = unorm2_normalize(nfkccf, composed, n4, refolded, 256, &err);
    if (U_FAILURE(err)) return -1;
    return to_utf8(refolded, n5, dst, cap);
}

int32_t cicu_skeleton_scalar(uint32_t scalar, char *dst, int32_t cap) {
    USpoofChecker *sc = spoof_instance();
    if (!sc) return -1;
    UErrorCode err = U_ZERO_ERROR;
    UChar in[2]; int32_t inLen = 0;
    U16_APPEND_UNSAFE(in, inLen, (UChar32)scalar);
    UChar out[64];
    int32_t n = uspoof_getSkeleton(sc, 0, in, inLen, out, 64, &err);
    if (U_FAILURE(err)) return -1;
    return to_utf8(out, n, dst, cap);
}

int32_t cicu_is_non_latin_letter(uint32_t scalar) {
    UChar32 c = (UChar32)scalar;
    if (!u_isalpha(c)) return 0;
    UErrorCode err = U_ZERO_ERROR;
    UScriptCode script = uscript_getScript(c, &err);
    if (U_FAILURE(err)) return 0;
    return script != USCRIPT_LATIN && script != USCRIPT_COMMON && script != USCRIPT_INHERITED;
}

int32_t cicu_nfkc_casefold_utf8(const char *src, int32_t len, char *dst, int32_t cap) {
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nfkccf = unorm2_getNFKCCasefoldInstance(&err);
    if (U_FAILURE(err)) return -1;
    int32_t u16Len = 0;
    u_strFromUTF8(NULL, 0, &u16Len, src, len, &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) return -1;
    err = U_ZERO_ERROR;
    UChar stackIn[512], stackOut[1024];
    UChar *in = u16Len <= 512 ? stackIn : (UChar *)malloc(sizeof(UChar) * (size_t)u16Len);
    if (!in) return -1;
    u_strFromUTF8(in, u16Len, NULL, src, len, &err);
    int32_t outCap = u16Len * 3 + 16;
    UChar *out = outCap <= 1024 ? stackOut : (UChar *)malloc(sizeof(UChar) * (size_t)outCap);
    int32_t result = -1;
    if (out && !U_FAILURE(err)) {
        int32_t n = unorm2_normalize(nfkccf, in, u16Len, out, outCap, &err);
        if (!U_FAILURE(err)) {
            int32_t outLen = 0;
            u_strToUTF8(dst, cap, &outLen, out, n, &err);
            if (err == U_BUFFER_OVERFLOW_ERROR || !U_FAILURE(err)) result = outLen;
        }
    }
    if (in != stackIn) free(in);
    if (out && out != stackOut) free(out);
    return result;
}

const char *cicu_icu_version(void) {
    static char buffer[U_MAX_VERSION_STRING_LENGTH];
    UVersionInfo v;
    u_getVersion(v);
    u_versionToString(v, buffer);
    return buffer;
}
