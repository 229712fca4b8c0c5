/*
 * For check.ts only: Debian's newlib 3.3 headers stand in for ESP-IDF's
 * newlib 4 (not on this machine). ESP-IDF's platform_include/sys/reent.h
 * declares _global_impure_ptr as `struct _reent *const`; newlib 3.3 declares
 * it without const. Renaming newlib's declaration lets ESP-IDF's stand.
 */
#define _global_impure_ptr _impnet_newlib33_global_impure_ptr
#include_next <sys/reent.h>
#undef _global_impure_ptr
