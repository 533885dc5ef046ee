/*
 * sendmmsg(2) for a TFTP window (RFC 7440): one call sends DATA packets straight from a
 * transfer's ring buffer on its connected socket. Node's dgram sends one datagram per call, and
 * each call walks the JS argument checks, a SendWrap and a JS→C++ crossing; for a window that is
 * most of the user-space cost per packet. The socket is libuv's (non-blocking): on EAGAIN or
 * any error this returns what it sent so far and the caller sends the rest through dgram,
 * which queues and reports errors as usual.
 *
 * sendPackets(fd, buffer, offsets: Uint32Array, lengths: Uint32Array, count) → packets sent
 * (0..count), or -errno when the first packet already failed.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <errno.h>
#include <string.h>

#define BATCH 64

static int typed_u32(napi_env env, napi_value value, uint32_t **data, size_t *length) {
  napi_typedarray_type type;
  napi_value arraybuffer;
  size_t offset;
  void *raw;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &arraybuffer, &offset) != napi_ok) return 0;
  if (type != napi_uint32_array) return 0;
  *data = (uint32_t *)raw;
  return 1;
}

static napi_value SendPackets(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) {
    napi_throw_type_error(env, NULL, "sendPackets(fd, buffer, offsets, lengths, count) needs five arguments");
    return NULL;
  }
  int32_t fd;
  uint32_t count;
  void *buffer;
  size_t size;
  uint32_t *offsets, *lengths;
  size_t offsets_length, lengths_length;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 ||
      napi_get_typedarray_info(env, argv[1], NULL, &size, &buffer, NULL, NULL) != napi_ok ||
      !typed_u32(env, argv[2], &offsets, &offsets_length) || !typed_u32(env, argv[3], &lengths, &lengths_length) ||
      napi_get_value_uint32(env, argv[4], &count) != napi_ok || count > offsets_length || count > lengths_length) {
    napi_throw_type_error(env, NULL, "sendPackets: bad arguments");
    return NULL;
  }
  for (uint32_t i = 0; i < count; i++) {
    if (offsets[i] > size || lengths[i] > size - offsets[i]) {
      napi_throw_range_error(env, NULL, "sendPackets: packet outside the buffer");
      return NULL;
    }
  }
  struct mmsghdr messages[BATCH];
  struct iovec vectors[BATCH];
  int64_t sent = 0;
  while ((uint32_t)sent < count) {
    unsigned int n = count - (uint32_t)sent < BATCH ? count - (uint32_t)sent : BATCH;
    memset(messages, 0, sizeof(messages[0]) * n);
    for (unsigned int i = 0; i < n; i++) {
      vectors[i].iov_base = (char *)buffer + offsets[sent + i];
      vectors[i].iov_len = lengths[sent + i];
      messages[i].msg_hdr.msg_iov = &vectors[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(fd, messages, n, MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (sent == 0) sent = -errno;
      break;
    }
    sent += r;
    if ((unsigned int)r < n) break;
  }
  napi_value result;
  napi_create_int64(env, sent, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "sendPackets", NAPI_AUTO_LENGTH, SendPackets, NULL, &fn);
  napi_set_named_property(env, exports, "sendPackets", fn);
  return exports;
}
