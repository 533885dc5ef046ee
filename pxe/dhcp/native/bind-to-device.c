/*
 * setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname) for a Node dgram socket's fd (socket(7)).
 * Node's dgram offers neither SO_BINDTODEVICE nor IP_PKTINFO; a DHCP server bound to 0.0.0.0:67
 * must still hear and answer on its configured interface only, so this one call is native.
 */
#include <node_api.h>
#include <sys/socket.h>
#include <string.h>
#include <errno.h>

static napi_value BindToDevice(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "bindToDevice(fd, ifname) needs two arguments");
    return NULL;
  }
  int32_t fd;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "fd must be a number");
    return NULL;
  }
  char ifname[64];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[1], ifname, sizeof ifname, &len) != napi_ok || len == 0 || len >= 16) {
    napi_throw_type_error(env, NULL, "ifname must be a string of 1..15 characters");
    return NULL;
  }
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)(len + 1)) != 0) {
    napi_throw_error(env, "EBINDTODEVICE", strerror(errno));
    return NULL;
  }
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "bindToDevice", NAPI_AUTO_LENGTH, BindToDevice, NULL, &fn);
  napi_set_named_property(env, exports, "bindToDevice", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
