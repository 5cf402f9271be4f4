/* ip_fold.h — names as a search compares them, and as they are stored: Unicode-normalised (NFKD),
 * without diacritics (combining marks), case-folded, invisible characters
 * dropped and spaces collapsed, with ICU. "ÏSSATOU  Diallo", "issatou
 * diallo" and "Issatou Diallo" (NFD) all fold to "issatou diallo".
 *
 * Layer: base. */
#ifndef IP_FOLD_H
#define IP_FOLD_H

/* The folded form of UTF-8 text s, a new string; NULL when s is not
 * valid UTF-8. */
char *ip_fold(const char *s);

/* s in Unicode's composed normal form (NFC: "Arbën" as one code point
 * for the ë, however it was typed), a new string; NULL when s is not
 * valid UTF-8. */
char *ip_nfc(const char *s);

/* ip_fold(s) in Latin letters without marks, as a name key compares it:
 * text of another script transliterated by ICU ("محمد" becomes "mhmd",
 * "Сергей" "sergej"), a new string; NULL when s is not valid UTF-8. Text
 * already in Latin letters costs no more than ip_fold. One transliterator
 * serves the process: not for use from two threads at once. */
char *ip_fold_latin(const char *s);

#endif
