import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, loadConfigFile, type LoadedConfig } from './load.ts';

// Config hot reload: on SIGHUP (wired by the CLI) and when the file changes, the file is
// read and validated again; a valid config is handed to `apply` (which swaps it in), an
// invalid one is logged with every problem and the running config keeps serving.

export const RELOAD_DEBOUNCE_MS = 300;

export interface ReloadOptions {
  readonly file: string;
  readonly logger: Logger;
  /** Swaps the validated config in; may throw (the old config then keeps serving). */
  readonly apply: (next: LoadedConfig) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** Quiet time after the last change event before reading the file (editors write in bursts). */
  readonly debounceMs?: number;
}

export type ReloadOutcome = 'reloaded' | 'rejected';

export class ConfigReloader {
  readonly #options: ReloadOptions;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ReloadOptions) {
    this.#options = options;
  }

  /** Reads, validates and applies the file now. */
  reload(trigger: string): ReloadOutcome {
    const { file, logger, apply, env } = this.#options;
    logger.info({ trigger, config: file }, 'reloading the configuration');
    let next: LoadedConfig;
    try {
      next = loadConfigFile(file, env);
    } catch (err) {
      const problems = err instanceof ConfigError ? err.problems : [(err as Error).message];
      logger.error({ trigger, config: file, problems }, 'configuration rejected: the running configuration keeps serving');
      return 'rejected';
    }
    try {
      apply(next);
    } catch (err) {
      logger.error({ trigger, config: file, err }, 'configuration could not be applied: the running configuration keeps serving');
      return 'rejected';
    }
    return 'reloaded';
  }

  /**
   * Reloads after the file changes. The directory is watched, not the file: editors and
   * Kubernetes ConfigMaps replace the file (a rename), which ends a watch on the file itself.
   */
  watch(): void {
    if (this.#watcher) return;
    const path = resolve(this.#options.file);
    const name = basename(path);
    const debounceMs = this.#options.debounceMs ?? RELOAD_DEBOUNCE_MS;
    this.#watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
      // ConfigMaps swap a `..data` symlink; any change in the directory may be ours then.
      if (changed !== null && changed !== name && !changed.startsWith('..')) return;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.reload('file change'), debounceMs);
      this.#timer.unref();
    });
    this.#watcher.on('error', (err) => this.#options.logger.warn({ err }, 'config file watch failed: reload with SIGHUP'));
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
