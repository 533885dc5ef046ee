/*
 * A TFTP transfer's socket, connected to its peer, read and written without node:dgram.
 *
 * Why: in stop-and-wait (RFC 1350 §6) every DATA block costs one received ACK. Through dgram a
 * received datagram costs a 64 KiB buffer from libuv's alloc callback (shrunk by a realloc), an
 * rinfo object with the address as a new string, and an event emit — several microseconds per
 * 4-byte ACK, more than everything else the server does per block. Here the socket is polled on
 * Node's own libuv loop (uv_poll_t), each datagram is recv(2)ed into one buffer the caller lent
 * at open, and the JS callback gets only its length. Sending is send(2) for one packet and
 * sendmmsg(2) for a window (RFC 7440), straight from the caller's buffers. No protocol logic
 * lives here: the pure `step()` in transfer.ts decides everything.
 *
 *   open(localAddress, localPort, peerAddress, peerPort, receiveBuffer, onDatagram)
 *       → handle, or -errno. Socket with SO_REUSEADDR (the strays socket shares the port, see
 *       udp-sockets.ts), 4 MiB buffers, bound, connect(2)ed (the kernel then delivers only the
 *       peer's datagrams to it), polled for reading. onDatagram(length) runs once per datagram;
 *       the datagram is receiveBuffer[0, length) and valid only during the call.
 *   send(handle, bytes, offset, length)                  → bytes sent, or -errno
 *   sendPackets(handle, bytes, offsets, lengths, count)  → packets sent (0..count), or -errno
 *   prepareReply(handle, bytes, ack, offsets, lengths, count)
 *       When the next datagram is exactly ACK `ack` (4 bytes: 0 4 hi lo), send these packets of
 *       `bytes` at once, before calling JS, and tell onDatagram(length, 1). count 0 cancels.
 *       The reply is what step() answered to that very ACK, asked in advance (see session.ts):
 *       this file only compares 4 bytes, it decides nothing. It takes the JS call off the path
 *       between an ACK and the next DATA, which in stop-and-wait is the whole round trip.
 *       `bytes` must stay the same buffer while a reply is prepared (it is held until close).
 *   close(handle)                                        → stops polling; the fd closes after
 *
 * Client input never reaches anything but recv(2) into a bounded buffer; lengths passed to JS
 * are clamped to that buffer. Pending socket errors (ICMP port unreachable: ECONNREFUSED) are
 * read and dropped; the transfer's own timer decides what a silent peer means. Sends never
 * block (MSG_DONTWAIT): a full send buffer drops the packet like the network would, and the
 * transfer's retransmission recovers it.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define BATCH 64
/*
 * Datagrams handled per readable event. One: a transfer's peer sends one ACK per window, so a
 * second recv(2) would almost always be a wasted EAGAIN system call; if more are queued, the
 * level-triggered poll reports the socket again at once.
 */
#define MAX_PER_WAKEUP 1
#define SOCKET_BUFFER_BYTES (4 * 1024 * 1024)

typedef struct {
  napi_env env;
  uv_poll_t poll;
  int fd;
  int closed;      /* close() was called: no receiving or sending */
  int poll_closed; /* libuv released the poll handle (and the fd is closed) */
  int finalized;   /* the JS handle was collected */
  napi_ref self;   /* keeps the JS handle alive while open */
  napi_ref callback;
  napi_ref buffer;
  napi_async_context context;
  uint8_t *data;
  size_t capacity;
  /* The prepared reply: packets of reply_bytes, sent when ACK `expect` arrives. */
  uint32_t reply_count;
  uint8_t expect[4];
  napi_ref reply_buffer;
  uint8_t *reply_bytes;
  uint32_t reply_offsets[BATCH];
  uint32_t reply_lengths[BATCH];
} TransferSocket;

/* sendmmsg(2) of packets (bounds checked by the caller): packets sent, or -errno if none. */
static int64_t send_packets(int fd, const uint8_t *bytes, const uint32_t *offsets, const uint32_t *lengths, uint32_t count) {
  struct mmsghdr messages[BATCH];
  struct iovec vectors[BATCH];
  int64_t sent = 0;
  while ((uint32_t)sent < count) {
    unsigned int n = count - (uint32_t)sent < BATCH ? count - (uint32_t)sent : BATCH;
    memset(messages, 0, sizeof(messages[0]) * n);
    for (unsigned int i = 0; i < n; i++) {
      vectors[i].iov_base = (char *)bytes + offsets[sent + i];
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
  return sent;
}

/* The prepared reply, if `length` bytes of the receive buffer are the ACK it waits for. */
static int reply_if_expected(TransferSocket *s, size_t length) {
  if (s->reply_count == 0 || length != 4 || memcmp(s->data, s->expect, 4) != 0) return 0;
  uint32_t count = s->reply_count;
  s->reply_count = 0;
  int64_t sent;
  if (count == 1) {
    ssize_t n;
    do n = send(s->fd, s->reply_bytes + s->reply_offsets[0], s->reply_lengths[0], MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    sent = n < 0 ? -errno : 1;
  } else {
    sent = send_packets(s->fd, s->reply_bytes, s->reply_offsets, s->reply_lengths, count);
  }
  /* Sent, or lost as the network could lose it: either way step() already answered this ACK. */
  (void)sent;
  return 1;
}

static void release_if_done(TransferSocket *s) {
  if (s->poll_closed && s->finalized) free(s);
}

static void on_poll_closed(uv_handle_t *handle) {
  TransferSocket *s = handle->data;
  close(s->fd);
  s->poll_closed = 1;
  release_if_done(s);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  TransferSocket *s = data;
  s->finalized = 1;
  release_if_done(s);
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  TransferSocket *s = poll->data;
  if (s->closed) return;
  if (status < 0) {
    /* libuv reports a pending socket error (POLLERR, e.g. ECONNREFUSED from an ICMP port
     * unreachable) as UV_EBADF and stops the poll. Reading SO_ERROR clears it: poll again.
     * If even that fails the fd is broken: stay stopped, and the transfer's timer ends it. */
    int error;
    socklen_t size = sizeof(error);
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0) uv_poll_start(poll, UV_READABLE, on_readable);
    return;
  }
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, global, argv[2], result;
  if (napi_get_reference_value(env, s->callback, &callback) == napi_ok && napi_get_global(env, &global) == napi_ok) {
    for (int i = 0; i < MAX_PER_WAKEUP && !s->closed; i++) {
      ssize_t n = recv(s->fd, s->data, s->capacity, MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        continue; /* EINTR, or a pending error (ECONNREFUSED), which reading clears */
      }
      size_t length = (size_t)n < s->capacity ? (size_t)n : s->capacity;
      napi_create_uint32(env, (uint32_t)length, &argv[0]);
      napi_create_uint32(env, (uint32_t)reply_if_expected(s, length), &argv[1]);
      if (napi_make_callback(env, s->context, global, callback, 2, argv, &result) == napi_pending_exception) {
        napi_value error;
        napi_get_and_clear_last_exception(env, &error);
        napi_fatal_exception(env, error); /* as an exception in a dgram 'message' listener would */
        break;
      }
    }
  }
  napi_close_handle_scope(env, scope);
}

static int ipv4(napi_env env, napi_value value, uint32_t port, struct sockaddr_in *out) {
  char text[64];
  size_t length;
  if (napi_get_value_string_utf8(env, value, text, sizeof(text), &length) != napi_ok || length >= sizeof(text) - 1) return 0;
  if (port > 65535) return 0;
  memset(out, 0, sizeof(*out));
  out->sin_family = AF_INET;
  out->sin_port = htons((uint16_t)port);
  return inet_pton(AF_INET, text, &out->sin_addr) == 1;
}

static napi_value number(napi_env env, int64_t value) {
  napi_value result;
  napi_create_int64(env, value, &result);
  return result;
}

static napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  uint32_t local_port, peer_port;
  struct sockaddr_in local, peer;
  void *data;
  size_t capacity;
  napi_valuetype callback_type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6 ||
      napi_get_value_uint32(env, argv[1], &local_port) != napi_ok || napi_get_value_uint32(env, argv[3], &peer_port) != napi_ok ||
      !ipv4(env, argv[0], local_port, &local) || !ipv4(env, argv[2], peer_port, &peer) ||
      napi_get_typedarray_info(env, argv[4], NULL, &capacity, &data, NULL, NULL) != napi_ok || capacity == 0 ||
      napi_typeof(env, argv[5], &callback_type) != napi_ok || callback_type != napi_function) {
    napi_throw_type_error(env, NULL, "open(localAddress, localPort, peerAddress, peerPort, receiveBuffer, onDatagram): bad arguments");
    return NULL;
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, NULL, "open: no event loop");
    return NULL;
  }
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return number(env, -errno);
  int one = 1, size = SOCKET_BUFFER_BYTES;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)); /* capped by net.core.*mem_max */
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0 || connect(fd, (struct sockaddr *)&peer, sizeof(peer)) < 0) {
    int error = errno;
    close(fd);
    return number(env, -error);
  }
  TransferSocket *s = calloc(1, sizeof(*s));
  if (s == NULL) {
    close(fd);
    return number(env, -ENOMEM);
  }
  s->env = env;
  s->fd = fd;
  s->data = data;
  s->capacity = capacity;
  s->poll.data = s;
  napi_value handle, name;
  int r = uv_poll_init(loop, &s->poll, fd);
  if (r < 0) {
    close(fd);
    free(s);
    return number(env, r);
  }
  if (napi_create_object(env, &handle) != napi_ok || napi_wrap(env, handle, s, on_finalize, NULL, NULL) != napi_ok) {
    s->finalized = 1; /* nothing will finalize it: the close callback frees it */
    s->closed = 1;
    uv_close((uv_handle_t *)&s->poll, on_poll_closed);
    napi_throw_error(env, NULL, "open: cannot make a handle");
    return NULL;
  }
  napi_create_reference(env, handle, 1, &s->self);
  napi_create_reference(env, argv[5], 1, &s->callback);
  napi_create_reference(env, argv[4], 1, &s->buffer);
  napi_create_string_utf8(env, "TftpTransferSocket", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, handle, name, &s->context);
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  return handle;
}

static TransferSocket *unwrap(napi_env env, napi_value handle) {
  void *s = NULL;
  if (napi_unwrap(env, handle, &s) != napi_ok) return NULL;
  return s;
}

static napi_value Send(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  void *bytes;
  size_t size;
  uint32_t offset, length;
  TransferSocket *s;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 || (s = unwrap(env, argv[0])) == NULL ||
      napi_get_typedarray_info(env, argv[1], NULL, &size, &bytes, NULL, NULL) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &offset) != napi_ok || napi_get_value_uint32(env, argv[3], &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "send(handle, bytes, offset, length): bad arguments");
    return NULL;
  }
  if (offset > size || length > size - offset) {
    napi_throw_range_error(env, NULL, "send: packet outside the buffer");
    return NULL;
  }
  if (s->closed) return number(env, -EBADF);
  ssize_t n;
  do n = send(s->fd, (char *)bytes + offset, length, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  return number(env, n < 0 ? -errno : n);
}

static int typed_u32(napi_env env, napi_value value, uint32_t **data, size_t *length) {
  napi_typedarray_type type;
  void *raw;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok || type != napi_uint32_array) return 0;
  *data = raw;
  return 1;
}

static napi_value SendPackets(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  void *bytes;
  size_t size, offsets_length, lengths_length;
  uint32_t *offsets, *lengths, count;
  TransferSocket *s;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5 || (s = unwrap(env, argv[0])) == NULL ||
      napi_get_typedarray_info(env, argv[1], NULL, &size, &bytes, NULL, NULL) != napi_ok ||
      !typed_u32(env, argv[2], &offsets, &offsets_length) || !typed_u32(env, argv[3], &lengths, &lengths_length) ||
      napi_get_value_uint32(env, argv[4], &count) != napi_ok || count > offsets_length || count > lengths_length) {
    napi_throw_type_error(env, NULL, "sendPackets(handle, bytes, offsets, lengths, count): bad arguments");
    return NULL;
  }
  for (uint32_t i = 0; i < count; i++) {
    if (offsets[i] > size || lengths[i] > size - offsets[i]) {
      napi_throw_range_error(env, NULL, "sendPackets: packet outside the buffer");
      return NULL;
    }
  }
  if (s->closed) return number(env, -EBADF);
  int64_t sent = send_packets(s->fd, bytes, offsets, lengths, count);
  return number(env, sent);
}

static napi_value PrepareReply(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  void *bytes;
  size_t size, offsets_length, lengths_length;
  uint32_t *offsets, *lengths, ack, count;
  TransferSocket *s;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6 || (s = unwrap(env, argv[0])) == NULL ||
      napi_get_typedarray_info(env, argv[1], NULL, &size, &bytes, NULL, NULL) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &ack) != napi_ok || ack > 0xffff ||
      !typed_u32(env, argv[3], &offsets, &offsets_length) || !typed_u32(env, argv[4], &lengths, &lengths_length) ||
      napi_get_value_uint32(env, argv[5], &count) != napi_ok || count > BATCH || count > offsets_length || count > lengths_length) {
    napi_throw_type_error(env, NULL, "prepareReply(handle, bytes, ack, offsets, lengths, count): bad arguments");
    return NULL;
  }
  for (uint32_t i = 0; i < count; i++) {
    if (offsets[i] > size || lengths[i] > size - offsets[i]) {
      napi_throw_range_error(env, NULL, "prepareReply: packet outside the buffer");
      return NULL;
    }
  }
  s->reply_count = 0;
  if (s->closed || count == 0) return NULL;
  if (s->reply_bytes != bytes) {
    /* Hold the buffer while its memory may be sent from (a transfer uses one: its ring). */
    if (s->reply_buffer != NULL) napi_delete_reference(env, s->reply_buffer);
    s->reply_buffer = NULL;
    if (napi_create_reference(env, argv[1], 1, &s->reply_buffer) != napi_ok) return NULL;
    s->reply_bytes = bytes;
  }
  memcpy(s->reply_offsets, offsets, count * sizeof(uint32_t));
  memcpy(s->reply_lengths, lengths, count * sizeof(uint32_t));
  s->expect[0] = 0;
  s->expect[1] = 4; /* ACK, RFC 1350 §5 */
  s->expect[2] = (uint8_t)(ack >> 8);
  s->expect[3] = (uint8_t)ack;
  s->reply_count = count;
  return NULL;
}

static napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  TransferSocket *s;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || (s = unwrap(env, argv[0])) == NULL) {
    napi_throw_type_error(env, NULL, "close(handle): bad arguments");
    return NULL;
  }
  if (!s->closed) {
    s->closed = 1;
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, on_poll_closed);
    napi_async_destroy(env, s->context);
    napi_delete_reference(env, s->callback);
    napi_delete_reference(env, s->buffer);
    s->reply_count = 0;
    if (s->reply_buffer != NULL) napi_delete_reference(env, s->reply_buffer);
    s->reply_buffer = NULL;
    napi_delete_reference(env, s->self); /* the handle may be collected now; on_finalize frees s */
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  const struct { const char *name; napi_callback fn; } functions[] = {
      {"open", Open}, {"send", Send}, {"sendPackets", SendPackets}, {"prepareReply", PrepareReply}, {"close", Close}};
  for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
    napi_value fn;
    napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, functions[i].name, fn);
  }
  return exports;
}
