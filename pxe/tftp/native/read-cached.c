/*
 * readCached(fd, targets, position) → bytes read, or -errno: preadv(2) into `targets` (an array
 * of Uint8Arrays, at most 1024) at `position`, with RWF_NOWAIT — only what is already in the
 * page cache, never waiting for the disk, so it can run on the event loop. It may read less
 * than asked (down to -EAGAIN when nothing is cached); the caller reads the rest on the thread
 * pool. Why: a transfer's read-ahead through the thread pool lands in a ring that cycles through
 * more memory than the CPU cache holds; reading a few blocks just before they are sent, as the C
 * servers do, keeps both copies (page cache → ring → socket) in cache, and costs one system
 * call instead of a hand-off to another thread and back.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <stdint.h>
#include <sys/uio.h>

#define MAX_TARGETS 1024

napi_value ReadCached(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  int32_t fd;
  int64_t position;
  uint32_t count;
  bool is_array;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      fd < 0 || napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[1], &count) != napi_ok ||
      count == 0 || count > MAX_TARGETS || napi_get_value_int64(env, argv[2], &position) != napi_ok || position < 0) {
    napi_throw_type_error(env, NULL, "readCached(fd, targets, position): bad arguments");
    return NULL;
  }
  struct iovec vectors[MAX_TARGETS];
  for (uint32_t i = 0; i < count; i++) {
    napi_value target;
    if (napi_get_element(env, argv[1], i, &target) != napi_ok ||
        napi_get_typedarray_info(env, target, NULL, &vectors[i].iov_len, &vectors[i].iov_base, NULL, NULL) != napi_ok) {
      napi_throw_type_error(env, NULL, "readCached: targets must be Uint8Arrays");
      return NULL;
    }
  }
  ssize_t n;
  do n = preadv2(fd, vectors, (int)count, position, RWF_NOWAIT);
  while (n < 0 && errno == EINTR);
  napi_create_int64(env, n < 0 ? -errno : n, &result);
  return result;
}
