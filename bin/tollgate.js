#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=8
// The `tollgate` command. The line above is the one place the gateway's runtime settings live
// (a smaller young generation and fewer malloc arenas: see the README's design notes); npm
// start and the Docker image run this file, so they get them too. Started another way
// (`node bin/tollgate.js`, a process manager that picks the interpreter itself), it starts
// itself again with those settings, in its own process group, passing signals on and
// exiting as the gateway exits.
//
// Written to parse on old Node versions, so it can say which one it needs instead of failing
// inside a dependency.

var required = 24;
var major = Number(process.versions.node.split('.')[0]);
if (major < required) {
  process.stderr.write('tollgate needs Node.js ' + required + ' or newer; this is Node.js ' + process.versions.node + ' (' + process.execPath + ').\n');
  process.exit(1);
}

var settings = runtimeSettings();
if (settings.missing && process.env.TOLLGATE_RESTARTED !== '1') restartWithSettings(settings);
else import('../dist/cli.js');

/** The env assignments and node flags of the shebang line, and whether this process lacks any. */
function runtimeSettings() {
  var fs = process.getBuiltinModule('node:fs');
  var url = process.getBuiltinModule('node:url');
  var shebang = fs.readFileSync(url.fileURLToPath(import.meta.url), 'utf8').split('\n')[0];
  var words = shebang.replace(/^#!\S+\s+-S\s+/, '').split(/\s+/).filter(Boolean);
  var env = {};
  var flags = [];
  for (var word of words) {
    var assignment = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(word);
    if (assignment) env[assignment[1]] = assignment[2];
    else if (word.startsWith('-')) flags.push(word);
  }
  var missing =
    Object.keys(env).some((name) => process.env[name] !== env[name]) || flags.some((flag) => !process.execArgv.includes(flag));
  return { env: env, flags: flags, missing: missing };
}

function restartWithSettings(settings) {
  var childProcess = process.getBuiltinModule('node:child_process');
  var url = process.getBuiltinModule('node:url');
  var args = settings.flags.concat(process.execArgv, [url.fileURLToPath(import.meta.url)], process.argv.slice(2));
  var env = Object.assign({}, process.env, settings.env, { TOLLGATE_RESTARTED: '1' });
  // Its own process group: a Ctrl-C at a terminal reaches only this process, which passes it
  // on once (the gateway treats a second signal as "exit now").
  var child = childProcess.spawn(process.execPath, args, { stdio: 'inherit', env: env, detached: true });
  var signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  var forward = (signal) => child.kill(signal);
  for (var signal of signals) process.on(signal, forward);
  child.on('exit', (code, signal) => {
    for (var name of signals) process.off(name, forward);
    if (signal !== null) process.kill(process.pid, signal);
    else process.exit(code);
  });
}
