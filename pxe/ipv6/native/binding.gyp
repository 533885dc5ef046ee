{
  "targets": [
    { "target_name": "icmp6_socket", "sources": ["icmp6-socket.c"], "cflags": ["-Wall", "-Wextra"] }
  ]
}
