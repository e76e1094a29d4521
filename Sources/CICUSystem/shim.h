/* Intentionally empty: this module exists only to carry the pkg-config flags and link
   libraries of the system ICU (icu-i18n, icu-uc) to the CICU C target. ICU headers are
   included by Sources/CICU/cicu.c alone, never by a module that Swift imports. */
