/*
 * A raw ICMPv6 socket on one interface, for Neighbor Discovery router advertisements (RFC 4861).
 * Node has no raw sockets, so this addon opens one (CAP_NET_RAW), restricts it to the interface
 * (SO_BINDTODEVICE), lets through only Router Solicitations and Router Advertisements
 * (ICMP6_FILTER, RFC 3542 §3.2), joins all-routers ff02::2 on the interface (hosts send their
 * solicitations there, and the kernel joins it only when forwarding), sends with hop limit 255
 * (RFC 4861 §6.1: receivers drop anything else) and does not loop its own multicast back.
 * The kernel fills in the ICMPv6 checksum of a raw ICMPv6 socket (RFC 3542 §3.1).
 *
 * The fd sits in Node's own libuv loop (uv_poll_t); each datagram goes to the JS callback as
 * (Buffer message, string source address, number hop limit).
 *
 *   open(ifname, callback) -> handle     send(handle, buffer, destination)     close(handle)
 */
#include <node_api.h>
#include <uv.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  napi_env env;
  int fd;
  unsigned ifindex;
  uv_poll_t poll;
  napi_ref callback;
  napi_async_context context;
  int closed;     /* close() was called: no more callbacks or sends */
  int handle_closed; /* uv_close finished */
  int finalized;  /* the JS handle was collected */
} Icmp6Socket;

static void release_if_done(Icmp6Socket *s) {
  if (s->handle_closed && s->finalized) free(s);
}

static void on_handle_closed(uv_handle_t *handle) {
  Icmp6Socket *s = handle->data;
  close(s->fd);
  s->handle_closed = 1;
  release_if_done(s);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Icmp6Socket *s = data;
  s->finalized = 1;
  release_if_done(s);
}

static void throw_errno(napi_env env, const char *what) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", what, strerror(errno));
  napi_throw_error(env, errno == EPERM || errno == EACCES ? "EPERM" : "EICMP6", message);
}

static void deliver(Icmp6Socket *s, const unsigned char *data, size_t length, const struct sockaddr_in6 *from, int hop_limit) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, global, argv[3], result;
  char address[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, &from->sin6_addr, address, sizeof address) == NULL) address[0] = '\0';
  void *copy;
  if (napi_get_reference_value(env, s->callback, &callback) == napi_ok && napi_get_global(env, &global) == napi_ok &&
      napi_create_buffer_copy(env, length, data, &copy, &argv[0]) == napi_ok) {
    napi_create_string_utf8(env, address, NAPI_AUTO_LENGTH, &argv[1]);
    napi_create_int32(env, hop_limit, &argv[2]);
    if (napi_make_callback(env, s->context, global, callback, 3, argv, &result) == napi_pending_exception) {
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_fatal_exception(env, error);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  Icmp6Socket *s = poll->data;
  if (s->closed || status < 0) return;
  /* Solicitations come one per booting machine; read what is queued, a bounded number per turn. */
  for (int i = 0; i < 32 && !s->closed; i++) {
    unsigned char data[1500];
    unsigned char control[256];
    struct sockaddr_in6 from;
    struct iovec iov = {data, sizeof data};
    struct msghdr msg = {0};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(s->fd, &msg, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      return; /* EAGAIN, or an error that reading cleared */
    }
    int hop_limit = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) memcpy(&hop_limit, CMSG_DATA(c), sizeof hop_limit);
    }
    deliver(s, data, (size_t)n, &from, hop_limit);
  }
}

static Icmp6Socket *unwrap(napi_env env, napi_value value) {
  void *data = NULL;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external) return NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok) return NULL;
  return data;
}

static napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_valuetype type;
  char ifname[64];
  size_t len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_string_utf8(env, argv[0], ifname, sizeof ifname, &len) != napi_ok || len == 0 || len >= IF_NAMESIZE ||
      napi_typeof(env, argv[1], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "open(ifname, callback): ifname must be 1..15 characters and callback a function");
    return NULL;
  }
  unsigned ifindex = if_nametoindex(ifname);
  if (ifindex == 0) {
    throw_errno(env, "if_nametoindex");
    return NULL;
  }
  int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  if (fd < 0) {
    throw_errno(env, "socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)");
    return NULL;
  }
  struct icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &filter);
  ICMP6_FILTER_SETPASS(ND_ROUTER_ADVERT, &filter);
  int hops = 255, off = 0, on = 1;
  struct ipv6_mreq all_routers;
  inet_pton(AF_INET6, "ff02::2", &all_routers.ipv6mr_multiaddr);
  all_routers.ipv6mr_interface = ifindex;
  const char *failed = NULL;
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)(len + 1)) != 0) failed = "SO_BINDTODEVICE";
  else if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0) failed = "ICMP6_FILTER";
  else if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0) failed = "IPV6_MULTICAST_HOPS";
  else if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) != 0) failed = "IPV6_UNICAST_HOPS";
  else if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off) != 0) failed = "IPV6_MULTICAST_LOOP";
  else if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) != 0) failed = "IPV6_MULTICAST_IF";
  else if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) != 0) failed = "IPV6_RECVHOPLIMIT";
  else if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &all_routers, sizeof all_routers) != 0) failed = "IPV6_JOIN_GROUP ff02::2";
  if (failed != NULL) {
    throw_errno(env, failed);
    close(fd);
    return NULL;
  }
  uv_loop_t *loop;
  Icmp6Socket *s = calloc(1, sizeof *s);
  if (s == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &s->poll, fd) != 0) {
    free(s);
    close(fd);
    napi_throw_error(env, "EICMP6", "cannot watch the ICMPv6 socket in the event loop");
    return NULL;
  }
  s->env = env;
  s->fd = fd;
  s->ifindex = ifindex;
  s->poll.data = s;
  napi_value name, handle;
  napi_create_reference(env, argv[1], 1, &s->callback);
  napi_create_string_utf8(env, "icmp6-socket", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &s->context);
  napi_create_external(env, s, on_finalize, NULL, &handle);
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  return handle;
}

static napi_value Send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  Icmp6Socket *s;
  void *data;
  size_t length;
  char destination[INET6_ADDRSTRLEN];
  size_t dlen;
  struct sockaddr_in6 to = {0};
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 || (s = unwrap(env, argv[0])) == NULL ||
      napi_get_buffer_info(env, argv[1], &data, &length) != napi_ok ||
      napi_get_value_string_utf8(env, argv[2], destination, sizeof destination, &dlen) != napi_ok ||
      inet_pton(AF_INET6, destination, &to.sin6_addr) != 1) {
    napi_throw_type_error(env, NULL, "send(handle, buffer, destination): destination must be an IPv6 address");
    return NULL;
  }
  if (s->closed) {
    napi_throw_error(env, "ECLOSED", "the ICMPv6 socket is closed");
    return NULL;
  }
  to.sin6_family = AF_INET6;
  to.sin6_scope_id = s->ifindex; /* link-local and multicast destinations are on this interface */
  ssize_t n;
  do n = sendto(s->fd, data, length, 0, (struct sockaddr *)&to, sizeof to);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno(env, "sendto");
  return NULL;
}

static napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Icmp6Socket *s;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || (s = unwrap(env, argv[0])) == NULL) {
    napi_throw_type_error(env, NULL, "close(handle): bad arguments");
    return NULL;
  }
  if (!s->closed) {
    s->closed = 1;
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, on_handle_closed);
    napi_async_destroy(env, s->context);
    napi_delete_reference(env, s->callback);
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  const struct { const char *name; napi_callback fn; } functions[] = {{"open", Open}, {"send", Send}, {"close", Close}};
  for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
    napi_value fn;
    napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, functions[i].name, fn);
  }
  return exports;
}
