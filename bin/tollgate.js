#!/usr/bin/env node
// The `tollgate` command. The gateway is TypeScript run directly by Node 24's type stripping.
import '../src/cli.ts';
