{
  "targets": [
    { "target_name": "send_packets", "sources": ["send-packets.c"] }
  ]
}
