#!/usr/bin/env node
// The installed `striker` command: runs the compiled CLI (npm run build first).
import '../dist/striker/app/main.js';
