{
  "targets": [
    { "target_name": "send_file", "sources": ["send-file.c"], "cflags": ["-Wall", "-Wextra"] }
  ]
}
