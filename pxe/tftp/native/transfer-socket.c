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
 *   open(localAddress, localPort, peerAddress, peerPort, receiveBuffer, onDatagram, spinMicros)
 *       → handle, or -errno. Socket with SO_REUSEADDR (the strays socket shares the port, see
 *       udp-sockets.ts), 4 MiB buffers, bound, connect(2)ed (the kernel then delivers only the
 *       peer's datagrams to it), polled for reading. onDatagram(length) runs for each datagram;
 *       the datagram is receiveBuffer[0, length) and valid only during the call. spinMicros:
 *       how long the loop may stay awake waiting for the peer's reply after a send (see
 *       "Spinning" below; 0: never, at most 10000).
 *   send(handle, bytes, offset, length)                  → bytes sent, or -errno
 *   spinState(handle) → { spinning, replyWaitMicros }: whether the socket spins for its peer's
 *       reply now (the loop kept awake, the fd read each turn), and the average wait for the
 *       reply that decides it (see "Spinning").
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
#include <stdatomic.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sched.h>
#include <unistd.h>

#define SOCKET_BUFFER_BYTES (4 * 1024 * 1024)
/* Longest spin open() accepts, in microseconds (see "Spinning"). */
#define MAX_SPIN_US 10000

typedef struct {
  napi_env env;
  uv_poll_t poll;  /* the fd in Node's epoll, while `polling` */
  uv_idle_t spin;  /* runs every loop turn while `spinning` (see "Spinning") */
  int fd;
  int polling;
  int spinning;
  int closed;       /* close() was called: no receiving or sending */
  int handles_open; /* libuv handles (poll, spin) not yet released; the fd closes with the last */
  int finalized;   /* the JS handle was collected */
  napi_ref self;   /* keeps the JS handle alive while open */
  napi_ref callback;
  napi_ref buffer;
  napi_async_context context;
  uint8_t *data;
  size_t capacity;
  /* Waiting for the peer's reply without sleeping (see "Spinning" below). */
  uint64_t spin_ns;     /* longest wait spun for; 0: never spin */
  uint64_t spin_until;  /* uv_hrtime at which the current spin gives up */
  uint64_t sent_ns;     /* uv_hrtime of the last send still waiting for a datagram; 0: none */
  uint64_t wait_avg_ns; /* moving average of send → next datagram (1/8 weight per sample) */
} TransferSocket;

/*
 * Spinning. In stop-and-wait the peer answers every DATA block with an ACK, and when the
 * server's thread has gone to sleep in epoll_wait(2) in between, the ACK's arrival must wake
 * it: a scheduler wake-up, and on an idle CPU an inter-processor interrupt and the CPU's return
 * from its idle state — on virtual machines tens of microseconds, as long as the round trip
 * itself. A C server blocked in recv(2) pays the same. So after a send that expects a reply
 * soon, the socket spins for up to spin_ns: its active uv_idle_t makes libuv poll with a zero
 * timeout, so every other handle (DHCP, HTTP, timers, other transfers) is served as usual
 * while the loop turns, and once a turn the idle callback tries recv(2) on the socket itself.
 * The ACK is seen within a turn, without any wake-up. Meanwhile the fd is out of epoll: a fast
 * peer's whole transfer then runs without epoll_ctl(2) calls (see leave_poll_for) and without
 * an epoll event per ACK; when a spin gives up, the fd goes back into epoll (level-triggered:
 * a datagram that came in between is reported at once).
 * A spinning loop yields the CPU once a turn (sched_yield(2), from one of its spinning sockets):
 * any other runnable thread on this CPU — the peer itself when it is local, a database, another
 * server — runs first, so a spin only uses time no one else wants. Without that, a client on
 * the server's CPU would get its turn only when the spin ran out, and spinning would make that
 * client slower than no spin at all.
 * Like the kernel's SO_BUSY_POLL and KVM's halt polling, this trades CPU for latency, and only
 * where it pays: a peer whose replies take longer on average than spin_ns (a slow client, a
 * real network with a long round trip) is not spun for, spin_ns 0 turns it off, and at most
 * MAX_SPINNING sockets spin at once (every spinning socket costs a recv(2) per loop turn).
 */
#define MAX_SPINNING 16
static atomic_int spinning_sockets;
/* The spinning socket of this thread's loop that yields the CPU once a turn; NULL: none spins. */
static _Thread_local TransferSocket *yielder;

static void on_readable(uv_poll_t *poll, int status, int events);
static void on_spin(uv_idle_t *idle);

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

/* Spin until spin_ns from `now` for this socket's reply, if it pays; 1 if spinning. */
static int start_spin(TransferSocket *s, uint64_t now) {
  if (s->spin_ns == 0 || s->wait_avg_ns > s->spin_ns || s->closed) return 0;
  if (!s->spinning) {
    if (atomic_fetch_add(&spinning_sockets, 1) >= MAX_SPINNING) {
      atomic_fetch_sub(&spinning_sockets, 1);
      return 0;
    }
    uv_idle_start(&s->spin, on_spin);
    s->spinning = 1;
  }
  s->spin_until = now + s->spin_ns;
  return 1;
}

static void stop_spin(TransferSocket *s) {
  if (!s->spinning) return;
  if (yielder == s) yielder = NULL;
  uv_idle_stop(&s->spin);
  s->spinning = 0;
  atomic_fetch_sub(&spinning_sockets, 1);
}

/* After a send (`ok`: it went out and expects a reply): spin for the reply, or poll. While
 * open, a socket is always spinning or polling, never neither. */
static void after_send(TransferSocket *s, int ok) {
  uint64_t now = uv_hrtime();
  if (ok) s->sent_ns = now;
  if (ok && start_spin(s, now)) poll_off(s);
  else if (!s->spinning) poll_on(s);
}

/* A datagram arrived: how long after the send it answers (the average decides spinning). */
static void heard_reply(TransferSocket *s, uint64_t now) {
  if (s->sent_ns == 0) return;
  uint64_t wait = now - s->sent_ns;
  s->wait_avg_ns = s->wait_avg_ns == 0 ? wait : s->wait_avg_ns - s->wait_avg_ns / 8 + wait / 8;
  s->sent_ns = 0;
}

/*
 * A datagram larger than the link MTU leaves as IP fragments, and every fragment's skb, freed
 * during send(2) on its way through the stack (veth frees them at once), runs the socket's
 * write-space callback, which wakes every waiter on the socket. An fd in epoll (Node's loop
 * polls this one) always has a waiter: one ep_poll_callback per fragment, 45 for a 64 KiB
 * block, 4% of the server's CPU in perf at blksize 65464 (sock_wfree → wake-up). A C server
 * blocked in recv(2) only waits after its send. So for sends this large the fd leaves epoll
 * (uv_poll_stop deletes it at once); after_send puts it back (added again before the loop next
 * waits; a datagram that arrived meanwhile leaves the fd readable, so nothing is missed) unless
 * the socket spins for the reply, which keeps it out. From 4 KiB, which fragments at the
 * common 1500-byte MTU: below that a send wakes epoll once, cheaper than epoll_ctl(2) calls.
 */
#define QUIET_SEND_BYTES 4096

static void leave_poll_for(TransferSocket *s, size_t bytes) {
  if (bytes >= QUIET_SEND_BYTES) poll_off(s);
}

static void release_if_done(TransferSocket *s) {
  if (s->handles_open == 0 && s->finalized) free(s);
}

static void on_handle_closed(uv_handle_t *handle) {
  TransferSocket *s = handle->data;
  if (--s->handles_open == 0) close(s->fd);
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
 * recv(2) one datagram and hand it to JS. 1 if the
 * socket had something (a datagram, or a pending error that reading cleared), 0 if not.
 * One per call: a transfer's peer sends one ACK per window, so a second recv(2) would almost
 * always be a wasted EAGAIN; if more are queued, epoll or the next spin turn finds them.
 */
static int receive_one(TransferSocket *s) {
  ssize_t n;
  do n = recv(s->fd, s->data, s->capacity, MSG_DONTWAIT | MSG_TRUNC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK; /* ECONNREFUSED: cleared by reading */
  size_t length = (size_t)n < s->capacity ? (size_t)n : s->capacity;
  heard_reply(s, uv_hrtime());
  call_js(s, (uint32_t)length); /* may send, or close */
  /* The reply came; unless something was sent since, there is nothing to spin for. */
  if (s->spinning && (s->sent_ns == 0 || s->closed)) {
    stop_spin(s);
    poll_on(s);
  }
  return 1;
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

/* Once a loop turn while spinning: the reply, if it is there; back to epoll when the spin is up. */
static void on_spin(uv_idle_t *idle) {
  TransferSocket *s = idle->data;
  if (s->closed) {
    stop_spin(s);
    return;
  }
  if (receive_one(s)) return;
  if (uv_hrtime() >= s->spin_until) {
    stop_spin(s);
    poll_on(s);
    return;
  }
  if (yielder == NULL) yielder = s;
  if (yielder == s) sched_yield(); /* once a turn: anything else runnable here runs first */
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
  size_t argc = 7;
  napi_value argv[7];
  uint32_t local_port, peer_port, spin_us;
  struct sockaddr_in local, peer;
  void *data;
  size_t capacity;
  napi_valuetype callback_type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 7 ||
      napi_get_value_uint32(env, argv[1], &local_port) != napi_ok || napi_get_value_uint32(env, argv[3], &peer_port) != napi_ok ||
      !ipv4(env, argv[0], local_port, &local) || !ipv4(env, argv[2], peer_port, &peer) ||
      napi_get_typedarray_info(env, argv[4], NULL, &capacity, &data, NULL, NULL) != napi_ok || capacity == 0 ||
      napi_typeof(env, argv[5], &callback_type) != napi_ok || callback_type != napi_function ||
      napi_get_value_uint32(env, argv[6], &spin_us) != napi_ok || spin_us > MAX_SPIN_US) {
    napi_throw_type_error(env, NULL, "open(localAddress, localPort, peerAddress, peerPort, receiveBuffer, onDatagram, spinMicros): bad arguments");
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
  s->spin_ns = (uint64_t)spin_us * 1000;
  s->poll.data = s;
  s->spin.data = s;
  napi_value handle, name;
  int r = uv_poll_init(loop, &s->poll, fd);
  if (r < 0) {
    close(fd);
    free(s);
    return number(env, r);
  }
  uv_idle_init(loop, &s->spin);
  uv_unref((uv_handle_t *)&s->spin); /* spinning never keeps the process alive */
  s->handles_open = 2;
  if (napi_create_object(env, &handle) != napi_ok || napi_wrap(env, handle, s, on_finalize, NULL, NULL) != napi_ok) {
    s->finalized = 1; /* nothing will finalize it: the close callbacks free it */
    s->closed = 1;
    uv_close((uv_handle_t *)&s->poll, on_handle_closed);
    uv_close((uv_handle_t *)&s->spin, on_handle_closed);
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
  after_send(s, n >= 0);
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

static napi_value SpinState(napi_env env, napi_callback_info info) {
  TransferSocket *s = handle_argument(env, info, "spinState(handle): bad arguments");
  if (s == NULL) return NULL;
  napi_value result, spinning;
  napi_create_object(env, &result);
  napi_get_boolean(env, s->spinning != 0, &spinning);
  napi_set_named_property(env, result, "spinning", spinning);
  napi_set_named_property(env, result, "replyWaitMicros", number(env, (int64_t)(s->wait_avg_ns / 1000)));
  return result;
}

static napi_value Close(napi_env env, napi_callback_info info) {
  TransferSocket *s = handle_argument(env, info, "close(handle): bad arguments");
  if (s == NULL) return NULL;
  if (!s->closed) {
    stop_spin(s);
    poll_off(s);
    s->closed = 1;
    uv_close((uv_handle_t *)&s->poll, on_handle_closed);
    uv_close((uv_handle_t *)&s->spin, on_handle_closed);
    napi_async_destroy(env, s->context);
    napi_delete_reference(env, s->callback);
    napi_delete_reference(env, s->buffer);
    napi_delete_reference(env, s->self); /* the handle may be collected now; on_finalize frees s */
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  const struct { const char *name; napi_callback fn; } functions[] = {
      {"open", Open}, {"send", Send}, {"spinState", SpinState}, {"close", Close}};
  for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
    napi_value fn;
    napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, functions[i].name, fn);
  }
  napi_value version; /* ADDON_VERSION in native-channel.ts: bumped when these functions change */
  napi_create_uint32(env, 7, &version);
  napi_set_named_property(env, exports, "version", version);
  return exports;
}
