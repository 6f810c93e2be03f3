/**
 * Machines ordered by (load, machine id): fleet's least-loaded rule with its tie-break. A binary
 * heap with lazy keys: loads only grow while a pass places units, so an entry whose key is below
 * the machine's current load is simply re-queued when it surfaces. When a load drops (a unit moved
 * off), `lowered` queues a fresh entry and the old, too-high one is discarded when it surfaces.
 */
interface Entry {
  load: number;
  id: string;
}

function before(a: Entry, b: Entry): boolean {
  return a.load < b.load || (a.load === b.load && a.id < b.id);
}

export class LeastLoadedQueue {
  private readonly heap: Entry[] = [];

  constructor(
    ids: readonly string[],
    private readonly loadOf: (id: string) => number,
  ) {
    for (const id of ids) this.heap.push({ load: loadOf(id), id });
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** Call after a machine's load went down. */
  lowered(id: string): void {
    this.push({ load: this.loadOf(id), id });
  }

  /**
   * Visits machines least-loaded first and returns the first one `accept` takes. Every machine is
   * offered at most once per call; the queue is left intact.
   */
  find(accept: (id: string) => boolean): string | undefined {
    // Most calls accept the first machine; allocate bookkeeping only when they do not.
    let visited: Set<string> | undefined;
    const popped: Entry[] = [];
    let chosen: string | undefined;
    while (this.heap.length > 0) {
      const top = this.pop();
      const load = this.loadOf(top.id);
      if (top.load < load) {
        this.push({ load, id: top.id });
        continue;
      }
      if (top.load > load) continue;
      if (popped.length > 0) {
        visited ??= new Set(popped.map((e) => e.id));
        if (visited.has(top.id)) continue;
        visited.add(top.id);
      }
      popped.push(top);
      if (accept(top.id)) {
        chosen = top.id;
        break;
      }
    }
    for (const entry of popped) this.push(entry);
    return chosen;
  }

  private push(entry: Entry): void {
    this.heap.push(entry);
    this.up(this.heap.length - 1);
  }

  private pop(): Entry {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  private up(i: number): void {
    const heap = this.heap;
    const entry = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const entry = heap[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, entry)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = entry;
  }
}
