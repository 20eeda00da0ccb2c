/*
 * Corpus replay driver: a plain main() for the fuzz targets, for any compiler (gcc, no
 * libFuzzer). Each argument is a file or a directory of files; every file is passed once to
 * LLVMFuzzerTestOneInput. A failed check aborts (the test fails with the case printed).
 * ctest runs it on fuzz/corpus/<target> in every test build (entries fuzz_replay_*).
 */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64 /* 32-bit builds: readdir fails (EOVERFLOW) on 64-bit inodes */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void sk_fuzz_stats(char *buf, size_t n); /* defined by the target */

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return 1;
  }
  uint8_t *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n == cap) {
      cap = cap ? 2 * cap : 4096;
      uint8_t *b = (uint8_t *)realloc(buf, cap);
      if (b == NULL) abort();
      buf = b;
    }
    const size_t got = fread(buf + n, 1, cap - n, f);
    if (got == 0) break;
    n += got;
  }
  fclose(f);
  fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
  LLVMFuzzerTestOneInput(buf, n);
  free(buf);
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv) {
  size_t files = 0;
  int bad = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      perror(argv[i]);
      return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
      bad |= run_file(argv[i]);
      files++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    if (d == NULL) {
      perror(argv[i]);
      return 1;
    }
    char **names = NULL;
    size_t n = 0;
    for (;;) {
      errno = 0;
      const struct dirent *e = readdir(d);
      if (e == NULL) break;
      if (e->d_name[0] == '.') continue;
      char **nn = (char **)realloc(names, (n + 1) * sizeof *names);
      if (nn == NULL) abort();
      names = nn;
      const size_t len = strlen(argv[i]) + strlen(e->d_name) + 2;
      names[n] = (char *)malloc(len);
      if (names[n] == NULL) abort();
      snprintf(names[n], len, "%s/%s", argv[i], e->d_name);
      n++;
    }
    if (errno != 0) {
      perror(argv[i]);
      return 1;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str); /* a stable order: failures reproduce */
    for (size_t k = 0; k < n; k++) {
      bad |= run_file(names[k]);
      files++;
      free(names[k]);
    }
    free(names);
  }
  char stats[256];
  sk_fuzz_stats(stats, sizeof stats);
  printf("replay: %zu inputs, all checks passed (%s)\n", files, stats);
  if (files == 0) {
    fprintf(stderr, "replay: no input files\n");
    return 1;
  }
  return bad;
}
