/*
 * Sends a byte range of an open file on a TCP socket with sendfile(2): the kernel moves the pages
 * from the page cache into the socket, and no byte passes through JavaScript.
 *
 *   start(socketFd, fileFd, offset, length, onDone) → handle, or -errno
 *       dup(2)s socketFd (non-blocking, as Node keeps its sockets) and polls the duplicate for
 *       writability on Node's own libuv loop (uv_poll_t). Each time it is writable, sendfile(2)
 *       moves what the socket buffer takes, until EAGAIN. onDone(code, sent) runs once, from the
 *       loop (never inside start): code 0 when all `length` bytes went, -ENODATA when the file
 *       ended before `length` (it shrank while being sent), or another -errno (EPIPE, ECONNRESET:
 *       the client went away). Then the duplicate is closed.
 *   cancel(handle)  stops at once; onDone does not run. Idempotent.
 *
 * Why the duplicate: libuv allows one watcher per fd number, and Node's own TCP handle watches
 * socketFd for reading. A duplicate is a separate entry in the same epoll set. It also keeps the
 * connection open if Node closes its fd (the peer hung up) while a send is under way: sendfile
 * then fails with EPIPE/ECONNRESET, or the caller cancels on the socket's 'close'.
 *
 * Node's HTTP state stays its own: the caller has Node write the headers, starts the body here
 * once Node's write queue is empty, and has Node end the response after onDone.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

/* At most this much per writable event, so one fast client cannot hold the loop. */
#define MAX_BYTES_PER_WAKE (4 * 1024 * 1024)
/* One sendfile(2) call's size: the socket buffer takes less at a time anyway. */
#define MAX_BYTES_PER_CALL (1024 * 1024)

typedef struct {
  napi_env env;
  uv_poll_t poll;
  int socket_fd;     /* the duplicate */
  int file_fd;       /* the caller's; the caller closes it after onDone (or after cancel) */
  int64_t offset;    /* next file byte */
  int64_t remaining;
  int64_t sent;
  int done;          /* finished, failed or cancelled: no more sending, no callback */
  int poll_open;     /* the uv_poll_t is not released yet; the duplicate closes with it */
  int finalized;     /* the JS handle was collected */
  napi_ref self;     /* keeps the JS handle alive while sending */
  napi_ref callback;
  napi_async_context context;
} Sending;

static void release_if_done(Sending *s) {
  if (!s->poll_open && s->finalized) free(s);
}

static void on_handle_closed(uv_handle_t *handle) {
  Sending *s = handle->data;
  s->poll_open = 0;
  close(s->socket_fd);
  release_if_done(s);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Sending *s = data;
  s->finalized = 1;
  release_if_done(s);
}

/* Marks it done, stops polling and closes the duplicate (once libuv lets go of it). */
static void stop_sending(Sending *s) {
  s->done = 1;
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, on_handle_closed);
}

/* Drops the JS references: the handle may be collected now, and on_finalize frees s. */
static void drop_references(napi_env env, Sending *s) {
  napi_async_destroy(env, s->context);
  napi_delete_reference(env, s->callback);
  napi_delete_reference(env, s->self);
}

static void cancel_sending(Sending *s) {
  if (s->done) return;
  stop_sending(s);
  drop_references(s->env, s);
}

/* Ends the send and calls onDone(code, sent). Stopped first: the callback may start another send on this socket. */
static void report(Sending *s, int code) {
  napi_env env = s->env;
  stop_sending(s);
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) == napi_ok) {
    napi_value callback, global, argv[2], result;
    if (napi_get_reference_value(env, s->callback, &callback) == napi_ok && napi_get_global(env, &global) == napi_ok) {
      napi_create_int32(env, code, &argv[0]);
      napi_create_int64(env, s->sent, &argv[1]);
      if (napi_make_callback(env, s->context, global, callback, 2, argv, &result) == napi_pending_exception) {
        napi_value error;
        napi_get_and_clear_last_exception(env, &error);
        napi_fatal_exception(env, error); /* as an exception in a stream callback would */
      }
    }
    napi_close_handle_scope(env, scope);
  }
  drop_references(env, s);
}

static void on_writable(uv_poll_t *poll, int status, int events) {
  (void)events;
  Sending *s = poll->data;
  if (s->done) return;
  if (status < 0) { /* POLLERR: the connection failed; SO_ERROR names how */
    int error = 0;
    socklen_t size = sizeof(error);
    getsockopt(s->socket_fd, SOL_SOCKET, SO_ERROR, &error, &size);
    report(s, error > 0 ? -error : -ECONNRESET);
    return;
  }
  int64_t budget = MAX_BYTES_PER_WAKE;
  while (s->remaining > 0 && budget > 0) {
    size_t count = (size_t)(s->remaining < MAX_BYTES_PER_CALL ? s->remaining : MAX_BYTES_PER_CALL);
    off_t offset = (off_t)s->offset;
    ssize_t n = sendfile(s->socket_fd, s->file_fd, &offset, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return; /* level-triggered: the next writable event goes on */
      report(s, -errno);
      return;
    }
    if (n == 0) { /* end of file before `length`: the file shrank */
      report(s, -ENODATA);
      return;
    }
    s->offset += n;
    s->remaining -= n;
    s->sent += n;
    budget -= n;
  }
  if (s->remaining == 0) report(s, 0);
}

static napi_value number(napi_env env, int64_t value) {
  napi_value result;
  napi_create_int64(env, value, &result);
  return result;
}

static napi_value Start(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  int32_t socket_fd, file_fd;
  int64_t offset, length;
  napi_valuetype callback_type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5 ||
      napi_get_value_int32(env, argv[0], &socket_fd) != napi_ok || napi_get_value_int32(env, argv[1], &file_fd) != napi_ok ||
      napi_get_value_int64(env, argv[2], &offset) != napi_ok || napi_get_value_int64(env, argv[3], &length) != napi_ok ||
      napi_typeof(env, argv[4], &callback_type) != napi_ok || callback_type != napi_function ||
      socket_fd < 0 || file_fd < 0 || offset < 0 || length < 0) {
    napi_throw_type_error(env, NULL, "start(socketFd, fileFd, offset, length, onDone): bad arguments");
    return NULL;
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, NULL, "start: no event loop");
    return NULL;
  }
  int fd = fcntl(socket_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return number(env, -errno);
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || !(flags & O_NONBLOCK)) { /* shares the file status flags with Node's fd: must already be non-blocking */
    close(fd);
    return number(env, -EINVAL);
  }
  Sending *s = calloc(1, sizeof(*s));
  if (s == NULL) {
    close(fd);
    return number(env, -ENOMEM);
  }
  s->env = env;
  s->socket_fd = fd;
  s->file_fd = file_fd;
  s->offset = offset;
  s->remaining = length;
  s->poll.data = s;
  int r = uv_poll_init(loop, &s->poll, fd);
  if (r < 0) {
    close(fd);
    free(s);
    return number(env, r);
  }
  s->poll_open = 1;
  napi_value handle, name;
  if (napi_create_object(env, &handle) != napi_ok || napi_wrap(env, handle, s, on_finalize, NULL, NULL) != napi_ok) {
    s->finalized = 1; /* nothing will finalize it: the close callback frees it */
    s->done = 1;
    uv_close((uv_handle_t *)&s->poll, on_handle_closed);
    napi_throw_error(env, NULL, "start: cannot make a handle");
    return NULL;
  }
  napi_create_reference(env, handle, 1, &s->self);
  napi_create_reference(env, argv[4], 1, &s->callback);
  napi_create_string_utf8(env, "StrikerSendFile", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, handle, name, &s->context);
  /* Even an empty range is reported from the loop, so onDone never runs inside start. */
  uv_poll_start(&s->poll, UV_WRITABLE, on_writable);
  return handle;
}

static napi_value Cancel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *s = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_unwrap(env, argv[0], &s) != napi_ok || s == NULL) {
    napi_throw_type_error(env, NULL, "cancel(handle): bad arguments");
    return NULL;
  }
  cancel_sending(s);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn, version;
  napi_create_function(env, "start", NAPI_AUTO_LENGTH, Start, NULL, &fn);
  napi_set_named_property(env, exports, "start", fn);
  napi_create_function(env, "cancel", NAPI_AUTO_LENGTH, Cancel, NULL, &fn);
  napi_set_named_property(env, exports, "cancel", fn);
  napi_create_uint32(env, 1, &version); /* ADDON_VERSION in send-file-addon.ts: bumped when these functions change */
  napi_set_named_property(env, exports, "version", version);
  return exports;
}
