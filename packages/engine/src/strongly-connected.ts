/**
 * Tarjan's strongly connected components, iterative (MachineOf chains can be long). Roots are
 * visited in the given order and edges in the order `edgesOf` returns them, so the result is
 * deterministic. Components come out in completion order: a component is listed after every
 * component it has an edge to (for "follower → peer" edges: peers first).
 */
export function stronglyConnected(
  roots: readonly string[],
  edgesOf: (node: string) => readonly string[],
): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  const open = (node: string, frames: { node: string; edges: readonly string[]; next: number }[]) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    frames.push({ node, edges: edgesOf(node), next: 0 });
  };

  for (const root of roots) {
    if (index.has(root)) continue;
    const edges = edgesOf(root);
    if (edges.length === 0) {
      // the common case: a unit with no MachineOf peers is its own component
      index.set(root, counter++);
      components.push([root]);
      continue;
    }
    const frames: { node: string; edges: readonly string[]; next: number }[] = [];
    open(root, frames);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      if (frame.next < frame.edges.length) {
        const to = frame.edges[frame.next++]!;
        if (!index.has(to)) open(to, frames);
        else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) {
        low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const members: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          members.push(member);
        } while (member !== frame.node);
        components.push(members.sort());
      }
    }
  }
  return components;
}

/** Whether a component is a cycle: several members, or one member with an edge to itself. */
export function isCycle(component: readonly string[], edgesOf: (node: string) => readonly string[]): boolean {
  if (component.length > 1) return true;
  const only = component[0]!;
  return edgesOf(only).includes(only);
}

/** Shortest cycle through `start` inside its component, as a path ending where it began. */
export function cycleThrough(
  start: string,
  component: ReadonlySet<string>,
  edgesOf: (node: string) => readonly string[],
): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const to of edgesOf(node)) {
      if (!component.has(to)) continue;
      if (to === start) {
        const back: string[] = [];
        for (let at = node; at !== start; at = previous.get(at)!) back.push(at);
        return [start, ...back.reverse(), start];
      }
      if (!previous.has(to) && to !== start) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}
