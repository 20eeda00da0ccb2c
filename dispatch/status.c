/* Status strings, ISA names, version. */
#include "simdkern.h"

#define SK_STR2(x) #x
#define SK_STR(x) SK_STR2(x)

const char *sk_status_string(sk_status status) {
  switch (status) {
    case SK_OK:
      return "ok";
    case SK_ERR_INVALID_ARGUMENT:
      return "invalid argument";
    case SK_ERR_UNSUPPORTED:
      return "unsupported on this build or CPU";
    case SK_ERR_OUT_OF_MEMORY:
      return "out of memory";
    case SK_ERR_SIZE_OVERFLOW:
      return "size overflow";
  }
  return "unknown status";
}

const char *sk_isa_name(sk_isa isa) {
  switch (isa) {
    case SK_ISA_AUTO:
      return "auto";
    case SK_ISA_SCALAR:
      return "scalar";
    case SK_ISA_AVX2:
      return "avx2";
    case SK_ISA_NEON:
      return "neon";
  }
  return "unknown";
}

const char *sk_version(void) {
  return SK_STR(SK_VERSION_MAJOR) "." SK_STR(SK_VERSION_MINOR) "." SK_STR(SK_VERSION_PATCH);
}
