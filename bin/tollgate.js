#!/usr/bin/env node
// The `tollgate` command: the compiled CLI (`npm run build` makes dist/).
import '../dist/cli.js';
