/*
 * Sends a byte range of an open file on a TCP socket with sendfile(2): the kernel moves the pages
 * from the page cache into the socket, and no byte passes through JavaScript.
 *
 *   threads(n)      where the sends started from now on run: n = 0 on Node's own libuv loop;
 *                   n ≥ 1 on n sender threads (started when first needed, each with its own libuv
 *                   loop; a send goes to the thread with the fewest sends). On a veth or a bridge
 *                   most of a send's CPU is the kernel's delivery of the segments, charged to the
 *                   thread that calls sendfile(2): on sender threads a rack's downloads use every
 *                   core and Node's loop stays free for requests, the database and DHCP.
 *   start(socketFd, fileFd, offset, length, onDone) → handle, or -errno
 *       dup(2)s socketFd (non-blocking, as Node keeps its sockets) and fileFd, and polls the
 *       socket's duplicate for writability (uv_poll_t) on the chosen loop. Each time it is
 *       writable, sendfile(2) moves what the socket buffer takes, until EAGAIN. onDone(code, sent)
 *       runs once, on Node's loop (never inside start): code 0 when all `length` bytes went,
 *       -ENODATA when the file ended before `length` (it shrank while being sent), or another
 *       -errno (EPIPE, ECONNRESET: the client went away). The duplicates are closed before.
 *   cancel(handle)  stops the send; onDone does not run. Idempotent. On a sender thread the send
 *                   stops at that thread's next wake-up (at most one more writable event).
 *
 * Why the duplicates: libuv allows one watcher per fd number, and Node's own TCP handle watches
 * socketFd for reading; a duplicate is a separate entry in an epoll set. The socket's duplicate
 * keeps the connection open if Node closes its fd (the peer hung up) while a send is under way:
 * sendfile then fails with EPIPE/ECONNRESET, or the caller cancels on the socket's 'close'. The
 * file's duplicate lets the caller close its descriptor as soon as onDone ran or it cancelled,
 * without a sender thread ever reading a descriptor number that was closed and reused.
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
#define MAX_THREADS 16

struct Sender;
struct Env;

typedef struct Sending {
  struct Env *owner;
  struct Sender *sender; /* NULL: on Node's loop */
  struct Sending *next;  /* in the sender's incoming list, then in the owner's finished list */
  uv_poll_t poll;
  int socket_fd;     /* the duplicate */
  int file_fd;       /* the duplicate */
  int64_t offset;    /* next file byte */
  int64_t remaining;
  int64_t sent;
  int code;          /* the outcome, once finished */
  int done;          /* finished, failed or cancelled: no more sending */
  int cancel_asked;  /* atomic: set on Node's thread, read on the sender's */
  /* Node's thread only: */
  int cancelled;     /* onDone must not run */
  int returned;      /* the poll is closed and the duplicates with it: only memory is left */
  int finalized;     /* the JS handle was collected */
  napi_ref self;     /* keeps the JS handle alive while sending */
  napi_ref callback;
  napi_async_context context;
} Sending;

typedef struct Sender {
  uv_thread_t thread;
  uv_loop_t loop;
  uv_async_t wake;     /* new sends, cancels, stop */
  uv_mutex_t lock;     /* guards incoming and stopping */
  Sending *incoming;
  int stopping;
  int active;          /* sends under way (Node's thread counts them: start adds, return subtracts) */
} Sender;

typedef struct Env {
  napi_env env;
  uv_loop_t *node_loop;
  uv_async_t finished_signal; /* on Node's loop: sends a sender thread finished */
  uv_mutex_t lock;            /* guards finished */
  Sending *finished;
  int64_t active;             /* sends not yet returned; the signal keeps Node's loop alive while > 0 */
  int threads;                /* wanted for new sends */
  int started;                /* sender threads running */
  Sender senders[MAX_THREADS];
} Env;

static void release_if_done(Sending *s) {
  if (s->returned && s->finalized) free(s);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Sending *s = data;
  s->finalized = 1;
  release_if_done(s);
}

/* Drops the JS references: the handle may be collected now, and on_finalize frees s. */
static void drop_references(napi_env env, Sending *s) {
  napi_async_destroy(env, s->context);
  napi_delete_reference(env, s->callback);
  napi_delete_reference(env, s->self);
}

/* Node's thread: calls onDone(code, sent) unless cancelled, then lets go of s. */
static void deliver(Sending *s) {
  Env *e = s->owner;
  napi_env env = e->env;
  if (!s->cancelled) {
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) == napi_ok) {
      napi_value callback, global, argv[2], result;
      if (napi_get_reference_value(env, s->callback, &callback) == napi_ok && napi_get_global(env, &global) == napi_ok) {
        napi_create_int32(env, s->code, &argv[0]);
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
  s->returned = 1;
  if (s->sender != NULL) s->sender->active--;
  if (--e->active == 0) uv_unref((uv_handle_t *)&e->finished_signal);
  release_if_done(s);
}

/* The send's loop is done with s: closes the duplicates and hands s back to Node's thread. */
static void hand_back(Sending *s) {
  close(s->socket_fd);
  close(s->file_fd);
  if (s->sender == NULL) {
    deliver(s);
    return;
  }
  Env *e = s->owner;
  uv_mutex_lock(&e->lock);
  s->next = e->finished;
  e->finished = s;
  uv_mutex_unlock(&e->lock);
  uv_async_send(&e->finished_signal);
}

static void on_poll_closed(uv_handle_t *handle) {
  hand_back(handle->data);
}

/* On the send's loop: no more sending; the outcome goes to Node's thread once the poll is closed. */
static void finish(Sending *s, int code) {
  if (s->done) return;
  s->done = 1;
  s->code = code;
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, on_poll_closed);
}

static void on_writable(uv_poll_t *poll, int status, int events) {
  (void)events;
  Sending *s = poll->data;
  if (s->done) return;
  if (__atomic_load_n(&s->cancel_asked, __ATOMIC_ACQUIRE)) {
    finish(s, -ECANCELED);
    return;
  }
  if (status < 0) { /* POLLERR: the connection failed; SO_ERROR names how */
    int error = 0;
    socklen_t size = sizeof(error);
    getsockopt(s->socket_fd, SOL_SOCKET, SO_ERROR, &error, &size);
    finish(s, error > 0 ? -error : -ECONNRESET);
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
      finish(s, -errno);
      return;
    }
    if (n == 0) { /* end of file before `length`: the file shrank */
      finish(s, -ENODATA);
      return;
    }
    s->offset += n;
    s->remaining -= n;
    s->sent += n;
    budget -= n;
  }
  if (s->remaining == 0) finish(s, 0);
}

/* Node's loop: hands back what the sender threads finished. */
static void on_finished_signal(uv_async_t *handle) {
  Env *e = handle->data;
  uv_mutex_lock(&e->lock);
  Sending *list = e->finished;
  e->finished = NULL;
  uv_mutex_unlock(&e->lock);
  while (list != NULL) {
    Sending *s = list;
    list = s->next;
    deliver(s);
  }
}

/* A sender thread's loop: starts the queued sends (ending at once those already cancelled), or stops. */
static void take_incoming(Sender *t, int stopping) {
  uv_mutex_lock(&t->lock);
  Sending *list = t->incoming;
  t->incoming = NULL;
  uv_mutex_unlock(&t->lock);
  while (list != NULL) {
    Sending *s = list;
    list = s->next;
    s->next = NULL;
    int r = uv_poll_init(&t->loop, &s->poll, s->socket_fd);
    if (r < 0) { /* reported like any failure */
      s->done = 1;
      s->code = r;
      hand_back(s);
      continue;
    }
    s->poll.data = s;
    if (stopping || __atomic_load_n(&s->cancel_asked, __ATOMIC_ACQUIRE)) finish(s, -ECANCELED);
    else uv_poll_start(&s->poll, UV_WRITABLE, on_writable);
  }
}

static void walk_cancelled(uv_handle_t *handle, void *arg) {
  int stopping = *(int *)arg;
  if (handle->type != UV_POLL || uv_is_closing(handle)) return;
  Sending *s = handle->data;
  if (stopping || __atomic_load_n(&s->cancel_asked, __ATOMIC_ACQUIRE)) finish(s, -ECANCELED);
}

/*
 * A sender thread's wake-up: ends the cancelled sends (even one whose socket is not writable: a
 * stalled client), starts the queued ones; when stopping, ends them all and closes the wake-up
 * handle, so the loop runs out.
 */
static void on_wake(uv_async_t *handle) {
  Sender *t = handle->data;
  uv_mutex_lock(&t->lock);
  int stopping = t->stopping;
  uv_mutex_unlock(&t->lock);
  uv_walk(&t->loop, walk_cancelled, &stopping);
  take_incoming(t, stopping);
  if (stopping) uv_close((uv_handle_t *)&t->wake, NULL);
}

static void sender_main(void *arg) {
  Sender *t = arg;
  uv_run(&t->loop, UV_RUN_DEFAULT);
  /* Only closed handles are left: their callbacks ran in uv_run. */
  uv_loop_close(&t->loop);
}

static int start_sender(Sender *t) {
  int r = uv_loop_init(&t->loop);
  if (r < 0) return r;
  r = uv_mutex_init(&t->lock);
  if (r < 0) {
    uv_loop_close(&t->loop);
    return r;
  }
  t->wake.data = t;
  r = uv_async_init(&t->loop, &t->wake, on_wake);
  if (r == 0) r = uv_thread_create(&t->thread, sender_main, t);
  if (r < 0) {
    uv_mutex_destroy(&t->lock);
    uv_close((uv_handle_t *)&t->wake, NULL);
    uv_run(&t->loop, UV_RUN_DEFAULT);
    uv_loop_close(&t->loop);
    return r;
  }
  return 0;
}

static void on_signal_closed(uv_handle_t *handle) {
  Env *e = handle->data;
  uv_mutex_destroy(&e->lock);
  free(e); /* sends a sender thread finished but never handed back go with the environment */
}

/* The environment is going away (process exit, worker end): stops the sender threads and lets go of Node's loop. */
static void on_env_cleanup(void *arg) {
  Env *e = arg;
  for (int i = 0; i < e->started; i++) {
    Sender *t = &e->senders[i];
    uv_mutex_lock(&t->lock);
    t->stopping = 1;
    uv_mutex_unlock(&t->lock);
    uv_async_send(&t->wake);
    uv_thread_join(&t->thread);
    uv_mutex_destroy(&t->lock);
  }
  e->started = 0;
  uv_close((uv_handle_t *)&e->finished_signal, on_signal_closed);
}

static Env *env_data(napi_env env) {
  Env *e = NULL;
  if (napi_get_instance_data(env, (void **)&e) == napi_ok && e != NULL) return e;
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return NULL;
  e = calloc(1, sizeof(*e));
  if (e == NULL) return NULL;
  e->env = env;
  e->node_loop = loop;
  e->threads = 0;
  if (uv_mutex_init(&e->lock) != 0) {
    free(e);
    return NULL;
  }
  e->finished_signal.data = e;
  if (uv_async_init(loop, &e->finished_signal, on_finished_signal) != 0) {
    uv_mutex_destroy(&e->lock);
    free(e);
    return NULL;
  }
  uv_unref((uv_handle_t *)&e->finished_signal);
  napi_add_env_cleanup_hook(env, on_env_cleanup, e);
  napi_set_instance_data(env, e, NULL, NULL);
  return e;
}

/* The sender thread with the fewest sends, starting threads up to the wanted number; NULL: Node's loop. */
static Sender *pick_sender(Env *e, int *error) {
  *error = 0;
  if (e->threads == 0) return NULL;
  while (e->started < e->threads) {
    int r = start_sender(&e->senders[e->started]);
    if (r < 0) {
      if (e->started == 0) {
        *error = r;
        return NULL;
      }
      break;
    }
    e->started++;
  }
  int limit = e->threads < e->started ? e->threads : e->started;
  Sender *best = &e->senders[0];
  for (int i = 1; i < limit; i++)
    if (e->senders[i].active < best->active) best = &e->senders[i];
  return best;
}

static napi_value number(napi_env env, int64_t value) {
  napi_value result;
  napi_create_int64(env, value, &result);
  return result;
}

static napi_value Threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 0 || n > MAX_THREADS) {
    napi_throw_range_error(env, NULL, "threads(n): n must be an integer from 0 to 16");
    return NULL;
  }
  Env *e = env_data(env);
  if (e == NULL) {
    napi_throw_error(env, NULL, "threads: cannot set up the addon's state");
    return NULL;
  }
  e->threads = n;
  return NULL;
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
  Env *e = env_data(env);
  if (e == NULL) {
    napi_throw_error(env, NULL, "start: cannot set up the addon's state");
    return NULL;
  }
  int picked;
  Sender *sender = pick_sender(e, &picked);
  if (picked < 0) return number(env, picked);
  int fd = fcntl(socket_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return number(env, -errno);
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || !(flags & O_NONBLOCK)) { /* shares the file status flags with Node's fd: must already be non-blocking */
    close(fd);
    return number(env, -EINVAL);
  }
  int file = fcntl(file_fd, F_DUPFD_CLOEXEC, 0);
  if (file < 0) {
    int error = errno;
    close(fd);
    return number(env, -error);
  }
  Sending *s = calloc(1, sizeof(*s));
  if (s == NULL) {
    close(fd);
    close(file);
    return number(env, -ENOMEM);
  }
  s->owner = e;
  s->sender = sender;
  s->socket_fd = fd;
  s->file_fd = file;
  s->offset = offset;
  s->remaining = length;
  s->poll.data = s;
  if (sender == NULL) {
    int r = uv_poll_init(e->node_loop, &s->poll, fd);
    if (r < 0) {
      close(fd);
      close(file);
      free(s);
      return number(env, r);
    }
  }
  napi_value handle, name;
  if (napi_create_object(env, &handle) != napi_ok || napi_wrap(env, handle, s, on_finalize, NULL, NULL) != napi_ok) {
    if (sender == NULL) {
      /* Nothing will finalize it: handed back without a callback, then freed. */
      s->finalized = 1;
      s->cancelled = 1;
      s->done = 1;
      e->active++;
      uv_close((uv_handle_t *)&s->poll, on_poll_closed);
    } else {
      close(fd);
      close(file);
      free(s);
    }
    napi_throw_error(env, NULL, "start: cannot make a handle");
    return NULL;
  }
  napi_create_reference(env, handle, 1, &s->self);
  napi_create_reference(env, argv[4], 1, &s->callback);
  napi_create_string_utf8(env, "StrikerSendFile", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, handle, name, &s->context);
  if (e->active++ == 0) uv_ref((uv_handle_t *)&e->finished_signal);
  if (sender == NULL) {
    /* Even an empty range is reported from the loop, so onDone never runs inside start. */
    uv_poll_start(&s->poll, UV_WRITABLE, on_writable);
  } else {
    sender->active++;
    uv_mutex_lock(&sender->lock);
    s->next = sender->incoming;
    sender->incoming = s;
    uv_mutex_unlock(&sender->lock);
    uv_async_send(&sender->wake);
  }
  return handle;
}

static napi_value Cancel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_unwrap(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "cancel(handle): bad arguments");
    return NULL;
  }
  Sending *s = data;
  if (s->cancelled || s->returned) return NULL;
  s->cancelled = 1;
  drop_references(env, s);
  if (s->sender == NULL) {
    finish(s, -ECANCELED);
  } else {
    __atomic_store_n(&s->cancel_asked, 1, __ATOMIC_RELEASE);
    uv_async_send(&s->sender->wake);
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn, version;
  napi_create_function(env, "start", NAPI_AUTO_LENGTH, Start, NULL, &fn);
  napi_set_named_property(env, exports, "start", fn);
  napi_create_function(env, "cancel", NAPI_AUTO_LENGTH, Cancel, NULL, &fn);
  napi_set_named_property(env, exports, "cancel", fn);
  napi_create_function(env, "threads", NAPI_AUTO_LENGTH, Threads, NULL, &fn);
  napi_set_named_property(env, exports, "threads", fn);
  napi_create_uint32(env, 2, &version); /* ADDON_VERSION in send-file-addon.ts: bumped when these functions change */
  napi_set_named_property(env, exports, "version", version);
  return exports;
}
