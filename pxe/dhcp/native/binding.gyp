{
  "targets": [
    { "target_name": "bind_to_device", "sources": ["bind-to-device.c"] }
  ]
}
