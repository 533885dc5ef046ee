{
  "targets": [
    { "target_name": "transfer_socket", "sources": ["transfer-socket.c"], "cflags": ["-Wall", "-Wextra"] }
  ]
}
