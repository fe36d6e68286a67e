import type { Behaviour } from './types.ts';

/** FIFO of scripted behaviours, each usable a number of times, with a fallback default. */
export class BehaviourQueue {
  #queue: Array<{ behaviour: Behaviour; remaining: number }> = [];
  #default: Behaviour = {};

  enqueue(behaviour: Behaviour, times = 1): void {
    if (!Number.isInteger(times) || times < 1) {
      throw new RangeError(`enqueue: times must be a positive integer, got ${times}`);
    }
    this.#queue.push({ behaviour, remaining: times });
  }

  setDefault(behaviour: Behaviour): void {
    this.#default = behaviour;
  }

  /** Takes the behaviour for the next request, consuming one use of the queue head if any. */
  next(): Behaviour {
    const head = this.#queue[0];
    if (!head) return this.#default;
    head.remaining -= 1;
    if (head.remaining === 0) this.#queue.shift();
    return head.behaviour;
  }

  reset(): void {
    this.#queue = [];
    this.#default = {};
  }
}
