/*
 * A TFTP transfer's socket, connected to its peer, read and written without node:dgram.
 *
 * Why: in stop-and-wait (RFC 1350 §6) every DATA block costs one received ACK. Through dgram a
 * received datagram costs a 64 KiB buffer from libuv's alloc callback (shrunk by a realloc), an
 * rinfo object with the address as a new string, and an event emit — several microseconds per
 * 4-byte ACK, more than everything else the server does per block. Here the socket is polled on
 * Node's own libuv loop (uv_poll_t), each datagram is recv(2)ed into one buffer the caller lent
 * at open, and the JS callback gets only its length. Sending is one send(2) per packet, straight
 * from the caller's buffer. No protocol logic lives here: the pure `step()` in transfer.ts
 * decides everything.
 *
 *   open(localAddress, localPort, peerAddress, peerPort, receiveBuffer, onDatagram)
 *       → handle, or -errno. Socket with SO_REUSEADDR (the strays socket shares the port, see
 *       udp-sockets.ts), 4 MiB buffers, bound, connect(2)ed (the kernel then delivers only the
 *       peer's datagrams to it), polled for reading. onDatagram(length) runs for each datagram;
 *       the datagram is receiveBuffer[0, length) and valid only during the call.
 *   send(handle, bytes, offset, length)                  → bytes sent, or -errno
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
#include <unistd.h>

#define SOCKET_BUFFER_BYTES (4 * 1024 * 1024)

typedef struct {
  napi_env env;
  uv_poll_t poll;  /* the fd in Node's epoll, while `polling` */
  int fd;
  int polling;
  int closed;       /* close() was called: no receiving or sending */
  int poll_open;    /* the uv_poll_t is not released yet; the fd closes with it */
  int finalized;   /* the JS handle was collected */
  napi_ref self;   /* keeps the JS handle alive while open */
  napi_ref callback;
  napi_ref buffer;
  napi_async_context context;
  uint8_t *data;
  size_t capacity;
} TransferSocket;

static void on_readable(uv_poll_t *poll, int status, int events);

static void poll_on(TransferSocket *s) {
  if (s->polling || s->closed) return;
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  s->polling = 1;
}

static void poll_off(TransferSocket *s) {
  if (!s->polling) return;
  uv_poll_stop(&s->poll); /* deletes the fd from epoll at once */
  s->polling = 0;
}

/*
 * A datagram larger than the link MTU leaves as IP fragments, and every fragment's skb, freed
 * during send(2) on its way through the stack (veth frees them at once), runs the socket's
 * write-space callback, which wakes every waiter on the socket. An fd in epoll (Node's loop
 * polls this one) always has a waiter: one ep_poll_callback per fragment, 45 for a 64 KiB
 * block (sock_wfree → wake-up). A C server
 * blocked in recv(2) only waits after its send. So for sends this large the fd leaves epoll
 * (uv_poll_stop deletes it at once) and comes back right after the send (added again before the
 * loop next waits; a datagram that arrived meanwhile leaves the fd readable, so nothing is
 * missed). From 4 KiB, which fragments at the common 1500-byte MTU: below that a send wakes
 * epoll once, cheaper than epoll_ctl(2) calls.
 */
#define QUIET_SEND_BYTES 4096

static void leave_poll_for(TransferSocket *s, size_t bytes) {
  if (bytes >= QUIET_SEND_BYTES) poll_off(s);
}

static void release_if_done(TransferSocket *s) {
  if (!s->poll_open && s->finalized) free(s);
}

static void on_handle_closed(uv_handle_t *handle) {
  TransferSocket *s = handle->data;
  s->poll_open = 0;
  close(s->fd);
  release_if_done(s);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  TransferSocket *s = data;
  s->finalized = 1;
  release_if_done(s);
}

static void call_js(TransferSocket *s, uint32_t length) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, global, argv[1], result;
  if (napi_get_reference_value(env, s->callback, &callback) == napi_ok && napi_get_global(env, &global) == napi_ok) {
    napi_create_uint32(env, length, &argv[0]);
    if (napi_make_callback(env, s->context, global, callback, 1, argv, &result) == napi_pending_exception) {
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_fatal_exception(env, error); /* as an exception in a dgram 'message' listener would */
    }
  }
  napi_close_handle_scope(env, scope);
}

/*
 * recv(2) one datagram and hand it to JS. One per call: a transfer's peer sends one ACK per
 * window, so a second recv(2) would almost always be a wasted EAGAIN; if more are queued, epoll
 * (level-triggered) reports the fd again. A failed read (ECONNREFUSED) clears the error.
 */
static void receive_one(TransferSocket *s) {
  ssize_t n;
  do n = recv(s->fd, s->data, s->capacity, MSG_DONTWAIT | MSG_TRUNC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return;
  size_t length = (size_t)n < s->capacity ? (size_t)n : s->capacity;
  call_js(s, (uint32_t)length); /* may send, or close */
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
    s->polling = 0;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0) poll_on(s);
    return;
  }
  receive_one(s);
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
  s->poll_open = 1;
  if (napi_create_object(env, &handle) != napi_ok || napi_wrap(env, handle, s, on_finalize, NULL, NULL) != napi_ok) {
    s->finalized = 1; /* nothing will finalize it: the close callbacks free it */
    s->closed = 1;
    uv_close((uv_handle_t *)&s->poll, on_handle_closed);
    napi_throw_error(env, NULL, "open: cannot make a handle");
    return NULL;
  }
  napi_create_reference(env, handle, 1, &s->self);
  napi_create_reference(env, argv[5], 1, &s->callback);
  napi_create_reference(env, argv[4], 1, &s->buffer);
  napi_create_string_utf8(env, "TftpTransferSocket", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, handle, name, &s->context);
  poll_on(s);
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
  leave_poll_for(s, length);
  ssize_t n;
  do n = send(s->fd, (char *)bytes + offset, length, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  int error = errno;
  poll_on(s);
  return number(env, n < 0 ? -error : n);
}

/* The socket of a call whose only argument is the handle; NULL (a TypeError thrown) otherwise. */
static TransferSocket *handle_argument(napi_env env, napi_callback_info info, const char *usage) {
  size_t argc = 1;
  napi_value argv[1];
  TransferSocket *s;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || (s = unwrap(env, argv[0])) == NULL) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  return s;
}

static napi_value Close(napi_env env, napi_callback_info info) {
  TransferSocket *s = handle_argument(env, info, "close(handle): bad arguments");
  if (s == NULL) return NULL;
  if (!s->closed) {
    poll_off(s);
    s->closed = 1;
    uv_close((uv_handle_t *)&s->poll, on_handle_closed);
    napi_async_destroy(env, s->context);
    napi_delete_reference(env, s->callback);
    napi_delete_reference(env, s->buffer);
    napi_delete_reference(env, s->self); /* the handle may be collected now; on_finalize frees s */
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  const struct { const char *name; napi_callback fn; } functions[] = {
      {"open", Open}, {"send", Send}, {"close", Close}};
  for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
    napi_value fn;
    napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, functions[i].name, fn);
  }
  napi_value version; /* ADDON_VERSION in native-channel.ts: bumped when these functions change */
  napi_create_uint32(env, 8, &version);
  napi_set_named_property(env, exports, "version", version);
  return exports;
}
