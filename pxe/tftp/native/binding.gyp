{
  "targets": [
    { "target_name": "transfer_socket", "sources": ["transfer-socket.c", "read-cached.c"], "cflags": ["-Wall", "-Wextra"] }
  ]
}
